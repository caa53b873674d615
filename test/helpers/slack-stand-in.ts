import http from 'node:http';
import { closeServer, listenLocally, localUrl } from './local-server';

/**
 * A local stand-in for the Slack Web API that speaks its HTTP protocol: POST /api/<method> with a
 * form-encoded or JSON body and a Bearer token, answered with Slack's JSON envelope ({ ok, ... } or
 * { ok: false, error }), HTTP 429 with Retry-After for rate limits. It records every call.
 */
export interface SlackUser {
  id: string;
  email: string;
  name?: string;
  tz?: string;
  deleted?: boolean;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  at: number;
}

type Failure = { status?: number; retryAfter?: number; error?: string };

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  /** Called for every request as it arrives (benchmarks use it to time deliveries). */
  onCall?: (call: RecordedCall) => void;
  /** Benchmarks turn recording off so memory stays flat over many thousands of calls. */
  record = true;
  /** The WebSocket URL apps.connections.open hands out (see socket-mode-stand-in.ts). */
  socketModeUrl?: string;
  private readonly users = new Map<string, SlackUser>();
  private readonly userGroups = new Map<string, string[]>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly matchingFailures: {
    method: string;
    when: (args: Record<string, unknown>) => boolean;
    failure: Failure;
  }[] = [];
  private server?: http.Server;
  private ts = 1_700_000_000;

  addUser(user: SlackUser): this {
    this.users.set(user.id, user);
    return this;
  }

  addUserGroup(id: string, members: string[]): this {
    this.userGroups.set(id, members);
    return this;
  }

  /** The next calls of `method` fail as given, in order. */
  failNext(method: string, ...failures: Failure[]): this {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
    return this;
  }

  /** The next call of `method` whose arguments match `when` fails as given (once). */
  failWhen(method: string, when: (args: Record<string, unknown>) => boolean, failure: Failure): this {
    this.matchingFailures.push({ method, when, failure });
    return this;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async waitForCall(
    method: string,
    predicate: (c: RecordedCall) => boolean = () => true,
    timeoutMs = 20_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && predicate(c));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no ${method} call within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get url(): string {
    return `${localUrl(this.server!)}/api/`;
  }

  async start(): Promise<this> {
    this.server = await listenLocally((req, res) => this.handle(req, res));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = parseBody(body, req.headers['content-type'] ?? '');
    const token =
      (req.headers.authorization ?? '').replace(/^Bearer /, '') || (args.token as string | undefined);
    const call = { method, args, token, at: Date.now() };
    if (this.record) this.calls.push(call);
    this.onCall?.(call);

    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    const matching = this.matchingFailures.findIndex((f) => f.method === method && f.when(args));
    const failure =
      matching >= 0
        ? this.matchingFailures.splice(matching, 1)[0]!.failure
        : this.failures.get(method)?.shift();
    if (failure) {
      if (failure.status === 429)
        return reply(
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(failure.retryAfter ?? 1) },
        );
      if (failure.status) return reply(failure.status, { ok: false, error: 'internal_error' });
      return reply(200, { ok: false, error: failure.error ?? 'fatal_error' });
    }
    // Socket Mode's apps.connections.open takes the app-level token; every other method the bot token.
    if (method === 'apps.connections.open') {
      if (!token?.startsWith('xapp-')) return reply(200, { ok: false, error: 'invalid_auth' });
      if (!this.socketModeUrl) return reply(200, { ok: false, error: 'socket_mode_not_enabled' });
      return reply(200, { ok: true, url: this.socketModeUrl });
    }
    if (!token?.startsWith('xoxb-')) return reply(200, { ok: false, error: 'not_authed' });
    reply(200, this.answer(method, args));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const user = (u?: SlackUser) =>
      u && {
        id: u.id,
        deleted: !!u.deleted,
        real_name: u.name,
        tz: u.tz ?? 'UTC',
        profile: { email: u.email, real_name: u.name },
      };
    switch (method) {
      case 'users.lookupByEmail': {
        const found = [...this.users.values()].find(
          (u) => u.email.toLowerCase() === String(args.email).toLowerCase(),
        );
        return found ? { ok: true, user: user(found) } : { ok: false, error: 'users_not_found' };
      }
      case 'users.info': {
        const found = this.users.get(String(args.user));
        return found ? { ok: true, user: user(found) } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users).slice(1)}` } };
      case 'chat.postMessage':
      case 'chat.postEphemeral':
        return { ok: true, channel: args.channel, ts: `${++this.ts}.000100`, message: { text: args.text } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${++this.ts}` } };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseBody(body: string, contentType: string): Record<string, unknown> {
  if (!body) return {};
  if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    try {
      args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      args[k] = v;
    }
  }
  return args;
}
