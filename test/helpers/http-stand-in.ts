import http from 'node:http';
import { closeServer, listenLocally, localUrl } from './local-server';

/**
 * The common part of the escalation targets' stand-ins: a local HTTP server that records every
 * request (raw body and headers), can fail the next deliveries on purpose, and lets a subclass
 * check each request as the real service would and answer like it.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  at: number;
  /** The answer given: status, and the problems found (empty when the request was valid). */
  status: number;
  problems: string[];
}

/** A stand-in's answer: its status, body and headers, and the problems found (none: the request was valid). */
export interface StandInAnswer {
  problems: string[];
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export abstract class HttpStandIn {
  readonly requests: ReceivedRequest[] = [];
  private failures: number[] = [];
  private server?: http.Server;

  /** The next deliveries are answered with these statuses (e.g. 500, 429) before anything is checked. */
  failNext(...statuses: number[]): this {
    this.failures.push(...statuses);
    return this;
  }

  get url(): string {
    return localUrl(this.server!);
  }

  /** Requests that were valid and accepted. */
  get accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status < 300);
  }

  async waitFor(predicate: (r: ReceivedRequest) => boolean, timeoutMs = 20_000): Promise<ReceivedRequest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching request within ${timeoutMs} ms; got ${this.requests.length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async start(): Promise<this> {
    this.server = await listenLocally((req, res) => this.handle(req, res));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** Checks a request as the real service does: problems (empty when valid) and the answer to give. */
  protected abstract check(req: {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    rawBody: string;
  }): StandInAnswer;

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const incoming = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString(),
    };
    const failure = this.failures.shift();
    const answer: StandInAnswer =
      failure !== undefined
        ? { problems: [], status: failure, body: { status: 'error', message: 'stand-in failure on purpose' } }
        : this.check(incoming);
    this.requests.push({ ...incoming, at: Date.now(), status: answer.status, problems: answer.problems });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }
}
