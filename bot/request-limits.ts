import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * Every request to the bot's HTTP server (Slack's /slack/events, the enrollment pages, /healthz) is
 * refused before its body is read when it declares more than MAX_REQUEST_BYTES (413), or declares no
 * length at all (411): the signature can only be checked on a whole body, so an unsigned body must not
 * be buffered first. Slack's payloads stay far below this; Bolt's own body limit is set to it as well.
 */
export const MAX_REQUEST_BYTES = 256 * 1024;

export function boundedRequests(listener: RequestListener, limit = MAX_REQUEST_BYTES): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const refusal = refusalOf(req, limit);
    if (!refusal) return listener(req, res);
    res.writeHead(refusal.status, { 'content-type': 'text/plain', connection: 'close' });
    res.end(refusal.text);
  };
}

/** The same guard in front of a server someone else created (the Socket Mode receiver's page server). */
export function boundServer(server: Server, limit = MAX_REQUEST_BYTES): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  for (const listener of listeners) server.on('request', boundedRequests(listener, limit));
}

function refusalOf(req: IncomingMessage, limit: number): { status: number; text: string } | null {
  const declared = req.headers['content-length'];
  if (declared === undefined)
    return req.headers['transfer-encoding']
      ? { status: 411, text: 'a request body needs a Content-Length' }
      : null;
  const bytes = Number(declared);
  if (!Number.isSafeInteger(bytes) || bytes < 0) return { status: 400, text: 'invalid Content-Length' };
  return bytes > limit ? { status: 413, text: `request body over ${limit} bytes` } : null;
}
