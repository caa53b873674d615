import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP plumbing of the pages the bot serves (enrollment, answers): forms, cookies, safe headers. */

/**
 * A request body of at most maxBytes, as UTF-8 text (decoded whole, so a character split between chunks
 * stays whole); undefined as soon as it grows larger, before it is read whole.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A small urlencoded form; a larger body is refused before it is read whole. */
export async function readForm(req: IncomingMessage, maxBytes = 4096): Promise<URLSearchParams> {
  const body = await readBody(req, maxBytes);
  if (body === undefined) throw new Error('form too large');
  return new URLSearchParams(body);
}

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** An HTML page that no one caches, frames or sniffs, under the given Content-Security-Policy. */
export function sendPage(
  res: ServerResponse,
  status: number,
  html: string,
  opts: { csp: string; cookies?: string[] },
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'content-security-policy': opts.csp,
    ...(opts.cookies?.length ? { 'set-cookie': opts.cookies } : {}),
  });
  res.end(html);
}
