import http from 'node:http';
import { SLACK_LIMITS } from '../../shared/slack-text';
import { slackRateRule } from '../../shared/slack-rate-tiers';
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
  /** Slack's `user.locale` (e.g. `de-DE`), given only to users.info with `include_locale: true`. */
  locale?: string;
  deleted?: boolean;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  at: number;
  /** Set when the stand-in refused the call for breaking a Slack limit: the error Slack would give. */
  refused?: string;
}

type Failure = { status?: number; retryAfter?: number; error?: string };

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  /** Calls refused for breaking one of Slack's limits (what Slack would have answered, and why). */
  readonly refusals: { method: string; error: string; detail: string }[] = [];
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
  private seq = 0;
  /** Top-level messages posted to each channel, for conversations.history. */
  private readonly history = new Map<
    string,
    { ts: string; text: unknown; metadata?: { event_type?: string; event_payload?: unknown } }[]
  >();

  /** A message ts as Slack makes them: epoch seconds, then a sequence that keeps them unique. */
  private nextTs(): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }
  /** Calls answered 429 for breaking Slack's rate tiers (only with `enforceRateLimits`). */
  readonly rateLimited: { method: string; channel?: string; retryAfter: number; at: number }[] = [];
  private rateWindows?: Map<string, number[]>;

  /**
   * Answers 429 with Retry-After, as Slack does, to calls over Slack's published rate tiers: each
   * method's per-minute floor (a sliding 60-second window) and chat.postMessage's one message per
   * second per channel.
   */
  enforceRateLimits(): this {
    this.rateWindows = new Map();
    return this;
  }

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
    const call: RecordedCall = { method, args, token, at: Date.now() };
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
    const retryAfter = this.overRateLimit(method, args, call.at);
    if (retryAfter !== undefined) {
      const channel = typeof args.channel === 'string' ? args.channel : undefined;
      this.rateLimited.push({ method, ...(channel ? { channel } : {}), retryAfter, at: call.at });
      return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
    }
    const refused = limitProblem(method, args);
    if (refused) {
      call.refused = refused.error;
      this.refusals.push({ method, ...refused });
      return reply(200, {
        ok: false,
        error: refused.error,
        response_metadata: { messages: [refused.detail] },
      });
    }
    reply(200, this.answer(method, args));
  }

  /** Seconds to wait when this call breaks a rate tier, else undefined (and the call is counted). */
  private overRateLimit(method: string, args: Record<string, unknown>, at: number): number | undefined {
    if (!this.rateWindows) return undefined;
    const rule = slackRateRule(method);
    const [key, windowMs, max] =
      rule.kind === 'per-channel'
        ? [`${method}:${String(args.channel)}`, rule.intervalMs, 1]
        : [method, 60_000, rule.perMinute];
    const recent = (this.rateWindows.get(key) ?? []).filter((t) => t > at - windowMs);
    if (recent.length >= max) {
      this.rateWindows.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + windowMs - at) / 1000));
    }
    recent.push(at);
    this.rateWindows.set(key, recent);
    return undefined;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const user = (u?: SlackUser, withLocale = false) =>
      u && {
        id: u.id,
        deleted: !!u.deleted,
        real_name: u.name,
        tz: u.tz ?? 'UTC',
        profile: { email: u.email, real_name: u.name },
        // As Slack: users.info gives the locale only when asked (include_locale), and then always.
        ...(withLocale ? { locale: u.locale ?? 'en-US' } : {}),
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
        const withLocale = args.include_locale === true || args.include_locale === 'true';
        return found ? { ok: true, user: user(found, withLocale) } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users).slice(1)}` } };
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        const ts = this.nextTs();
        if (method === 'chat.postMessage' && !args.thread_ts) {
          const channel = String(args.channel);
          const metadata = args.metadata as { event_type?: string; event_payload?: unknown } | undefined;
          const list = this.history.get(channel) ?? [];
          list.push({ ts, text: args.text, ...(metadata?.event_type ? { metadata } : {}) });
          this.history.set(channel, list);
        }
        return { ok: true, channel: args.channel, ts, message: { text: args.text } };
      }
      case 'conversations.history': {
        // Newest first, top-level messages only, after `oldest`; metadata only when asked for.
        const oldest = Number(args.oldest ?? 0);
        const limit = Math.min(Number(args.limit ?? 100), 999);
        const all = [...(this.history.get(String(args.channel)) ?? [])]
          .filter((m) => Number(m.ts) > oldest)
          .reverse();
        const withMetadata = String(args.include_all_metadata) === 'true';
        const messages = all.slice(0, limit).map(({ metadata, ...m }) => ({
          type: 'message',
          ...m,
          ...(withMetadata && metadata ? { metadata } : {}),
        }));
        return { ok: true, messages, has_more: all.length > limit };
      }
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

/**
 * Slack's documented limits on messages and views, enforced as Slack does: the whole call is refused
 * (`invalid_blocks`, `msg_too_long`, `invalid_arguments` for views), so a message over a limit fails
 * the test that sends it. Lengths are UTF-16 code units, which are never fewer than Slack's characters.
 */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);
const VIEW_METHODS = new Set(['views.open', 'views.update', 'views.publish', 'views.push']);

function limitProblem(
  method: string,
  args: Record<string, unknown>,
): { error: string; detail: string } | undefined {
  if (MESSAGE_METHODS.has(method)) {
    const text = args.text;
    if (text !== undefined && typeof text !== 'string')
      return { error: 'invalid_arguments', detail: 'text must be a string' };
    if (typeof text === 'string' && text.length > SLACK_LIMITS.messageText)
      return { error: 'msg_too_long', detail: `text is ${text.length} characters` };
    if (args.blocks === undefined) return undefined;
    const problem = blocksProblem(args.blocks, SLACK_LIMITS.messageBlocks);
    return problem ? { error: 'invalid_blocks', detail: problem } : undefined;
  }
  if (VIEW_METHODS.has(method)) {
    const problem = viewProblem(args.view);
    return problem ? { error: 'invalid_arguments', detail: problem } : undefined;
  }
  return undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function textProblem(where: string, t: unknown, max: number, kinds = ['plain_text', 'mrkdwn']) {
  if (!isObject(t) || !kinds.includes(String(t.type)))
    return `${where}: must be a ${kinds.join(' or ')} object`;
  if (typeof t.text !== 'string' || t.text.length === 0)
    return `${where}.text: must be more than 0 characters`;
  if (t.text.length > max) return `${where}.text: must be less than ${max + 1} characters (${t.text.length})`;
  return undefined;
}

function first(...problems: (string | undefined)[]): string | undefined {
  return problems.find((p) => p !== undefined);
}

function elementProblem(where: string, e: unknown): string | undefined {
  if (!isObject(e)) return `${where}: must be an object`;
  if (e.type === 'button')
    return first(
      textProblem(`${where}.text`, e.text, SLACK_LIMITS.buttonText, ['plain_text']),
      typeof e.value === 'string' && e.value.length > SLACK_LIMITS.buttonValue
        ? `${where}.value: too long`
        : undefined,
      e.confirm === undefined ? undefined : confirmProblem(`${where}.confirm`, e.confirm),
    );
  if (e.type === 'plain_text_input')
    return e.placeholder === undefined
      ? undefined
      : textProblem(`${where}.placeholder`, e.placeholder, SLACK_LIMITS.placeholder, ['plain_text']);
  if (e.type === 'mrkdwn' || e.type === 'plain_text') return textProblem(where, e, SLACK_LIMITS.sectionText);
  return undefined;
}

function confirmProblem(where: string, c: unknown): string | undefined {
  if (!isObject(c)) return `${where}: must be an object`;
  return first(
    textProblem(`${where}.title`, c.title, SLACK_LIMITS.confirmTitle, ['plain_text']),
    textProblem(`${where}.text`, c.text, SLACK_LIMITS.confirmText),
    textProblem(`${where}.confirm`, c.confirm, SLACK_LIMITS.confirmButton, ['plain_text']),
    textProblem(`${where}.deny`, c.deny, SLACK_LIMITS.confirmButton, ['plain_text']),
  );
}

function blockProblem(where: string, b: unknown): string | undefined {
  if (!isObject(b)) return `${where}: must be an object`;
  if (typeof b.block_id === 'string' && b.block_id.length > SLACK_LIMITS.blockId)
    return `${where}.block_id: too long`;
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) return `${where}: needs text or fields`;
      const fields = b.fields === undefined ? [] : b.fields;
      if (!Array.isArray(fields) || fields.length > SLACK_LIMITS.sectionFields)
        return `${where}.fields: at most ${SLACK_LIMITS.sectionFields}`;
      return first(
        b.text === undefined ? undefined : textProblem(`${where}.text`, b.text, SLACK_LIMITS.sectionText),
        ...fields.map((f, i) => textProblem(`${where}.fields[${i}]`, f, SLACK_LIMITS.field)),
        b.accessory === undefined ? undefined : elementProblem(`${where}.accessory`, b.accessory),
      );
    }
    case 'header':
      return textProblem(`${where}.text`, b.text, SLACK_LIMITS.header, ['plain_text']);
    case 'context': {
      const elements = b.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > SLACK_LIMITS.contextElements)
        return `${where}.elements: 1 to ${SLACK_LIMITS.contextElements}`;
      return first(...elements.map((e, i) => elementProblem(`${where}.elements[${i}]`, e)));
    }
    case 'actions': {
      const elements = b.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > SLACK_LIMITS.actionsElements)
        return `${where}.elements: 1 to ${SLACK_LIMITS.actionsElements}`;
      return first(...elements.map((e, i) => elementProblem(`${where}.elements[${i}]`, e)));
    }
    case 'input':
      return first(
        textProblem(`${where}.label`, b.label, SLACK_LIMITS.inputLabel, ['plain_text']),
        b.hint === undefined
          ? undefined
          : textProblem(`${where}.hint`, b.hint, SLACK_LIMITS.inputLabel, ['plain_text']),
        elementProblem(`${where}.element`, b.element),
      );
    case 'divider':
      return undefined;
    default:
      return `${where}: unknown block type ${String(b.type)}`;
  }
}

function blocksProblem(blocks: unknown, max: number): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks: must be an array';
  if (blocks.length > max) return `blocks: at most ${max} (${blocks.length})`;
  return first(...blocks.map((b, i) => blockProblem(`blocks[${i}]`, b)));
}

function viewProblem(view: unknown): string | undefined {
  if (!isObject(view)) return 'view: must be an object';
  return first(
    view.type === 'modal'
      ? textProblem('view.title', view.title, SLACK_LIMITS.viewTitle, ['plain_text'])
      : undefined,
    view.submit === undefined
      ? undefined
      : textProblem('view.submit', view.submit, SLACK_LIMITS.viewTitle, ['plain_text']),
    view.close === undefined
      ? undefined
      : textProblem('view.close', view.close, SLACK_LIMITS.viewTitle, ['plain_text']),
    typeof view.private_metadata === 'string' && view.private_metadata.length > SLACK_LIMITS.privateMetadata
      ? 'view.private_metadata: too long'
      : undefined,
    blocksProblem(view.blocks, SLACK_LIMITS.viewBlocks),
  );
}

function parseBody(body: string, contentType: string): Record<string, unknown> {
  if (!body) return {};
  if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    try {
      // The WebClient sends objects (blocks, view) as JSON; text stays the string it was.
      args[k] = k !== 'text' && /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      args[k] = v;
    }
  }
  return args;
}
