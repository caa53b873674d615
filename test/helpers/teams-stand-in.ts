import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { SignJWT, exportJWK, type JWK } from 'jose';
import { GraphUsersStandIn } from './graph-stand-in';
import { HttpStandIn, type StandInAnswer } from './http-stand-in';

const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com/.default';

/** Bot Framework's issuer of the tokens on activities it sends to bots. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface ConnectorActivity {
  id: string;
  conversationId: string;
  /** Set for a reply: the activity it answers. */
  replyToId?: string;
  body: Record<string, unknown>;
  /** Every version the activity had, the first as sent (updates append). */
  versions: Record<string, unknown>[];
}

/**
 * Microsoft's side of a Teams bot, speaking its protocols: the tenant's OAuth 2.0 token endpoint
 * (client credentials), the Bot Connector REST API (`POST /v3/conversations`, `POST
 * /v3/conversations/{id}/activities`, `POST …/activities/{activityId}` for a reply, `PUT
 * …/activities/{activityId}` for an update; a bearer token it issued is required), and the Bot
 * Framework OpenID metadata with its signing keys (JWKS, each key endorsed for `msteams`), and Microsoft
 * Graph's users (`graph`, at `graphUrl`; test/helpers/graph-stand-in.ts). A token is issued for one
 * resource, by the scope asked: the connector takes only Bot Connector tokens, Graph only Graph's. Tests
 * sign the activities they post to the bot with `sign`, whose key is published here.
 */
export class TeamsStandIn extends HttpStandIn {
  readonly activities: ConnectorActivity[] = [];
  readonly conversations = new Map<string, { members: unknown[]; isGroup: boolean }>();
  /** Object ids the bot is not installed for: creating a chat with them is refused (403), as in Teams. */
  readonly notInstalled = new Set<string>();
  /** Tokens issued, with the scope each was issued for. */
  private readonly issued = new Map<string, string>();
  readonly graph = new GraphUsersStandIn(() => this.graphUrl);
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = randomUUID();
  private jwk?: JWK;
  private readonly otherChannelKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly otherKid = randomUUID();
  private otherJwk?: JWK;

  constructor(readonly app: { appId: string; appPassword: string; tenantId: string }) {
    super();
  }

  get openIdUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }
  get tokenUrl(): string {
    return `${this.url}/${this.app.tenantId}/oauth2/v2.0/token`;
  }
  /** Microsoft Graph's base URL (VOUCH_GRAPH_URL); its tokens are asked for `<it>/.default`. */
  get graphUrl(): string {
    return this.url;
  }
  /** Tokens the token endpoint issued for this scope. */
  tokensIssuedFor(scope: string): number {
    return this.accepted.filter(
      (r) => r.path.endsWith('/oauth2/v2.0/token') && new URLSearchParams(r.rawBody).get('scope') === scope,
    ).length;
  }
  /** The connector's base URL, as Teams puts it in `serviceUrl`. */
  get serviceUrl(): string {
    return `${this.url}/teams/`;
  }

  /**
   * A Bot Framework token as Teams sends it with an activity; `claims` override the defaults. `key`:
   * a key nobody published (`forged`), or a published key endorsed for another channel than Teams.
   */
  async sign(
    claims: Record<string, unknown> = {},
    opts: { key?: 'forged' | 'other-channel'; expiresIn?: number; issuer?: string } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const key =
      opts.key === 'forged'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : opts.key === 'other-channel'
          ? this.otherChannelKey.privateKey
          : this.key.privateKey;
    return new SignJWT({ serviceurl: this.serviceUrl, ...claims })
      .setProtectedHeader({
        alg: 'RS256',
        kid: opts.key === 'other-channel' ? this.otherKid : this.kid,
        typ: 'JWT',
      })
      .setIssuer(opts.issuer ?? BOT_FRAMEWORK_ISSUER)
      .setAudience((claims.aud as string | undefined) ?? this.app.appId)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + (opts.expiresIn ?? 3600))
      .sign(key);
  }

  /** An activity as Teams posts it to the bot: from a user of the tenant (by object id), in a conversation. */
  userActivity(from: string, conversationId: string, over: Record<string, unknown>) {
    return {
      id: `f:${randomUUID()}`,
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      from: { id: `29:${from}`, aadObjectId: from },
      recipient: { id: `28:${this.app.appId}` },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: this.app.tenantId },
      channelData: { tenant: { id: this.app.tenantId } },
      ...over,
    };
  }

  activitiesIn(conversationId: string): ConnectorActivity[] {
    return this.activities.filter((a) => a.conversationId === conversationId);
  }

  protected override check(req: {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    rawBody: string;
  }): StandInAnswer {
    const path = req.path.split('?')[0] ?? '';
    if (req.method === 'GET' && path === '/v1/.well-known/openidconfiguration')
      return {
        problems: [],
        status: 200,
        body: {
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${this.url}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      };
    if (req.method === 'GET' && path === '/v1/.well-known/keys')
      return {
        problems: [],
        status: 200,
        body: {
          keys: [
            { ...this.jwk, kid: this.kid, use: 'sig', endorsements: ['msteams'] },
            { ...this.otherJwk, kid: this.otherKid, use: 'sig', endorsements: ['skype'] },
          ],
        },
      };
    if (req.method === 'POST' && path === `/${this.app.tenantId}/oauth2/v2.0/token`)
      return this.token(req.rawBody);
    if (path.startsWith('/v1.0/'))
      return this.graph.answer(
        req.method,
        req.path,
        this.bearerFor(req.headers) === `${this.graphUrl}/.default`,
      );
    if (path.startsWith('/teams/v3/conversations'))
      return this.connector(req.method, path.slice('/teams'.length), req);
    return {
      problems: [`no such endpoint: ${req.method} ${path}`],
      status: 404,
      body: { error: 'NotFound' },
    };
  }

  override async start(): Promise<this> {
    this.jwk = await exportJWK(this.key.publicKey);
    this.otherJwk = await exportJWK(this.otherChannelKey.publicKey);
    return super.start();
  }

  private token(rawBody: string) {
    const form = new URLSearchParams(rawBody);
    const problems: string[] = [];
    if (form.get('grant_type') !== 'client_credentials')
      problems.push('grant_type must be client_credentials');
    const scope = form.get('scope') ?? '';
    if (![BOT_CONNECTOR_SCOPE, `${this.graphUrl}/.default`].includes(scope))
      problems.push(`scope must be ${BOT_CONNECTOR_SCOPE} or ${this.graphUrl}/.default, got ${scope}`);
    if (form.get('client_id') !== this.app.appId || form.get('client_secret') !== this.app.appPassword)
      return { problems: ['invalid client credentials'], status: 401, body: { error: 'invalid_client' } };
    if (problems.length > 0) return { problems, status: 400, body: { error: 'invalid_request' } };
    const token = `stand-in-${randomUUID()}`;
    this.issued.set(token, scope);
    return { problems, status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: token } };
  }

  private connector(
    method: string,
    path: string,
    req: { headers: http.IncomingHttpHeaders; rawBody: string },
  ) {
    if (this.bearerFor(req.headers) !== BOT_CONNECTOR_SCOPE)
      return {
        problems: ['no valid bearer token'],
        status: 401,
        body: { message: 'Authorization has been denied for this request.' },
      };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
    } catch {
      return { problems: ['body is not JSON'], status: 400, body: { error: { code: 'BadSyntax' } } };
    }
    if (method === 'POST' && path === '/v3/conversations') return this.createConversation(body);
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    const conversationId = m?.[1] ? decodeURIComponent(m[1]) : undefined;
    // A channel's reply chain is the channel's id with `;messageid=<its first message>`, as in Teams.
    const channel = conversationId?.split(';messageid=')[0];
    if (!conversationId || !channel || !this.conversations.has(channel))
      return {
        problems: [`no conversation ${conversationId}`],
        status: 404,
        body: { error: { code: 'ConversationNotFound' } },
      };
    const activityId = m?.[2] ? decodeURIComponent(m[2]) : undefined;
    const problems = activityProblems(body);
    if (problems.length > 0)
      return {
        problems,
        status: 400,
        body: { error: { code: 'BadArgument', message: problems.join('; ') } },
      };
    if (method === 'POST') {
      // A reply names the activity it answers in the path (Reply to Activity) or in `replyToId`; that may
      // be one the user sent, which only Teams knows.
      const replyTo = activityId ?? (typeof body.replyToId === 'string' ? body.replyToId : undefined);
      const id = `1:${randomUUID()}`;
      this.activities.push({
        id,
        conversationId,
        ...(replyTo ? { replyToId: replyTo } : {}),
        body,
        versions: [body],
      });
      return { problems: [], status: 201, body: { id } };
    }
    if (method === 'PUT' && activityId) {
      const existing = this.activities.find(
        (a) => a.id === activityId && a.conversationId === conversationId,
      );
      if (!existing)
        return {
          problems: [`no activity ${activityId}`],
          status: 404,
          body: { error: { code: 'ActivityNotFound' } },
        };
      existing.body = body;
      existing.versions.push(body);
      return { problems: [], status: 200, body: { id: activityId } };
    }
    return { problems: [`unsupported ${method} ${path}`], status: 405, body: {} };
  }

  private createConversation(body: Record<string, unknown>) {
    const members = Array.isArray(body.members)
      ? (body.members as { id?: string; aadObjectId?: string }[])
      : [];
    const tenantId =
      body.tenantId ?? (body.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    const problems: string[] = [];
    // A 1:1 chat: exactly one member, in the bot's tenant (the connector answers 400 BadSyntax otherwise).
    if (body.isGroup !== false) problems.push('isGroup must be false for a 1:1 chat');
    if (members.length !== 1 || !members[0]?.id)
      problems.push('members must hold exactly one member with an id');
    if (tenantId !== this.app.tenantId) problems.push(`tenantId must be ${this.app.tenantId}`);
    if (problems.length > 0) return { problems, status: 400, body: { error: { code: 'BadSyntax' } } };
    const objectId = members[0]!.aadObjectId ?? /^8:orgid:(.+)$/.exec(members[0]!.id!)?.[1];
    if (objectId && this.notInstalled.has(objectId))
      return {
        problems: [],
        status: 403,
        body: { error: { code: 'Forbidden', message: 'the bot is not installed for the user' } },
      };
    // The same member gives the same chat, as in Teams.
    const id = `a:${Buffer.from(`${members[0]!.id}`).toString('base64url')}`;
    this.conversations.set(id, { members, isGroup: false });
    return { problems: [], status: 201, body: { id } };
  }

  /** The scope of the bearer token a request carries, if this stand-in issued it. */
  private bearerFor(headers: http.IncomingHttpHeaders): string | undefined {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    return bearer ? this.issued.get(bearer) : undefined;
  }

  /** A channel conversation (the operators' channel), where the bot is installed. */
  addChannel(conversationId: string): void {
    this.conversations.set(conversationId, { members: [], isGroup: true });
  }
}

function activityProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (body.type !== 'message') problems.push('type must be "message"');
  const attachments = (body.attachments ?? []) as {
    contentType?: string;
    content?: { type?: string; version?: string };
  }[];
  if (!body.text && attachments.length === 0) problems.push('a message needs text or an attachment');
  for (const a of attachments)
    if (a.contentType === 'application/vnd.microsoft.card.adaptive' && a.content?.type !== 'AdaptiveCard')
      problems.push('an Adaptive Card attachment must hold an AdaptiveCard');
  return problems;
}
