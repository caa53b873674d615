import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in's HTTP server on a free loopback port. */
export async function listenLocally(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

export function localUrl(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: http.Server | undefined): Promise<void> {
  return new Promise<void>((r) => (server ? server.close(() => r()) : r()));
}
