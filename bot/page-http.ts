import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP plumbing of the pages the bot serves (enrollment, answers): forms, cookies, safe headers. */

/** A small urlencoded form; a larger body is refused before it is read whole. */
export async function readForm(req: IncomingMessage, maxBytes = 4096): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > maxBytes) throw new Error('form too large');
  }
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
