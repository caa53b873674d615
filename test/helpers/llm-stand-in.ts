import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible chat-completions API that speaks its HTTP protocol:
 * POST /v1/chat/completions with a Bearer key and a JSON body ({ model, messages, response_format }),
 * answered with a chat.completion envelope, or 401/400/404 with OpenAI's error shape. Replies are
 * scripted per response_format schema name; a reply can be malformed content, a delay past the
 * client's timeout, or an HTTP error. Every request is recorded.
 */
export interface LlmRequest {
  schemaName: string;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format: { type: string; json_schema: { name: string; strict?: boolean; schema: unknown } };
  };
  authorization?: string;
  at: number;
}

export type LlmReply =
  | { json: unknown }
  | { content: string }
  | { status: number; message?: string }
  | { delayMs: number; then: LlmReply };

type Responder = LlmReply | ((request: LlmRequest) => LlmReply);

export class LlmStandIn {
  readonly requests: LlmRequest[] = [];
  private readonly queued = new Map<string, Responder[]>();
  private readonly defaults = new Map<string, Responder>();
  private server?: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly apiKey = 'sk-test-stand-in-key-0123456789') {}

  /** The next requests with this schema name get these replies, in order. */
  queue(schemaName: string, ...replies: Responder[]): this {
    this.queued.set(schemaName, [...(this.queued.get(schemaName) ?? []), ...replies]);
    return this;
  }

  /** The reply for this schema name when nothing is queued. */
  byDefault(schemaName: string, reply: Responder): this {
    this.defaults.set(schemaName, reply);
    return this;
  }

  /** The JSON data block of a request's user message (what Vouch sent as data, not as instructions). */
  static dataOf(request: LlmRequest): Record<string, unknown> {
    const lines = (request.body.messages.find((m) => m.role === 'user')?.content ?? '').split('\n');
    const begin = lines.findIndex((l) => /^BEGIN DATA [0-9a-f]+$/.test(l));
    const end = lines.findIndex((l) => l === lines[begin]?.replace('BEGIN', 'END'));
    return JSON.parse(lines.slice(begin + 1, end).join('\n')) as Record<string, unknown>;
  }

  /** The employee's answers to the follow-up questions, as a request's data gives them. */
  static answersIn(request: LlmRequest): string[] {
    const followUps = (LlmStandIn.dataOf(request).followUps ?? []) as { answer: string | null }[];
    return followUps.map((f) => f.answer).filter((a): a is string => a !== null);
  }

  /** An analyst summary that quotes the answers it was given. */
  static quotingSummary(reasoning: string, checkNext: string[] = []): (request: LlmRequest) => LlmReply {
    return (request) => ({
      json: {
        employeeSaid: LlmStandIn.answersIn(request)
          .map((a) => `"${a}"`)
          .join(' and '),
        consistency: 'unclear',
        reasoning,
        checkNext,
      },
    });
  }

  requestsFor(schemaName: string): LlmRequest[] {
    return this.requests.filter((r) => r.schemaName === schemaName);
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, payload: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const error = (status: number, message: string, type = 'invalid_request_error') =>
      send(status, { error: { message, type, param: null, code: null } });

    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return error(404, `Unknown request URL: ${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return error(401, 'Incorrect API key provided.');
    let body: LlmRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString()) as LlmRequest['body'];
    } catch {
      return error(400, 'We could not parse the JSON body of your request.');
    }
    const problem = shapeProblem(body);
    if (problem) return error(400, problem);
    const request: LlmRequest = {
      schemaName: body.response_format.json_schema.name,
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    this.requests.push(request);

    let responder =
      this.queued.get(request.schemaName)?.shift() ??
      this.defaults.get(request.schemaName) ??
      ({ status: 500, message: `no reply scripted for ${request.schemaName}` } as LlmReply);
    for (;;) {
      const reply: LlmReply = typeof responder === 'function' ? responder(request) : responder;
      if ('delayMs' in reply) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            this.timers.delete(t);
            r();
          }, reply.delayMs);
          this.timers.add(t);
        });
        responder = reply.then;
        continue;
      }
      if ('status' in reply)
        return error(reply.status, reply.message ?? 'The server had an error', 'server_error');
      const content = 'json' in reply ? JSON.stringify(reply.json) : reply.content;
      return send(200, {
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: `${body.model}-2026-01-01`,
        choices: [
          { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      });
    }
  }
}

function shapeProblem(body: LlmRequest['body']): string | null {
  if (typeof body?.model !== 'string' || !body.model) return "Missing required parameter: 'model'.";
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return "Missing required parameter: 'messages'.";
  for (const m of body.messages)
    if (!['system', 'user', 'assistant', 'developer'].includes(m?.role) || typeof m.content !== 'string')
      return "Invalid 'messages': each needs a role and string content.";
  const rf = body.response_format;
  if (rf?.type !== 'json_schema' || typeof rf.json_schema?.name !== 'string')
    return "Invalid 'response_format': expected type json_schema with a name.";
  if (typeof rf.json_schema.schema !== 'object' || rf.json_schema.schema === null)
    return "Invalid 'response_format.json_schema.schema'.";
  return null;
}
