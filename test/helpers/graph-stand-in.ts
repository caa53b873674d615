import { randomUUID } from 'node:crypto';
import type { StandInAnswer } from './http-stand-in';

/** A user as Microsoft Graph describes one (the properties Vouch may select). */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName?: string;
  mail?: string | null;
  preferredLanguage?: string | null;
  accountEnabled?: boolean;
}

/**
 * Microsoft Graph's users, as Graph answers an app-only caller: `GET /v1.0/users/{id | userPrincipalName}`,
 * `GET /v1.0/users?$filter=mail eq '…'` and `GET /v1.0/users/{id}/manager`, with `$select` honoured; a bearer token the tenant issued
 * for Graph is required (401 InvalidAuthenticationToken otherwise), nobody is 404
 * Request_ResourceNotFound, an app without the permission 403 Authorization_RequestDenied, and `throttleNext` answers 429 TooManyRequests with Retry-After, all with
 * Graph's error body. Served by the Teams stand-in, whose token endpoint issues the tokens.
 */
export class GraphUsersStandIn {
  readonly users: GraphUser[] = [];
  /** False: the app has no admin-consented `User.Read.All`, and every lookup is 403, as in Graph. */
  permissionGranted = true;
  /** Each user's manager, by id. */
  readonly managers = new Map<string, string>();
  private readonly throttled: number[] = [];

  constructor(private readonly base: () => string) {}

  /** The next lookups are answered 429 with these Retry-After seconds. */
  throttleNext(...retryAfterSeconds: number[]): this {
    this.throttled.push(...retryAfterSeconds);
    return this;
  }

  answer(method: string, pathAndQuery: string, tokenValid: boolean): StandInAnswer {
    if (!tokenValid)
      return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', [
        'no bearer token issued for Microsoft Graph',
      ]);
    if (method !== 'GET')
      return graphError(405, 'Request_BadRequest', 'Only GET is served here.', [`unsupported ${method}`]);
    if (!this.permissionGranted)
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
        [],
      );
    const retryAfter = this.throttled.shift();
    if (retryAfter !== undefined)
      return {
        ...graphError(429, 'TooManyRequests', 'Please retry again later.', []),
        headers: { 'retry-after': String(retryAfter) },
      };
    const url = new URL(pathAndQuery, 'http://graph.invalid');
    const select = url.searchParams.get('$select')?.split(',');
    const shown = (u: GraphUser) => selected(u, select);
    const one = /^\/v1\.0\/users\/([^/]+)(\/manager)?$/.exec(url.pathname);
    if (one) {
      const key = decodeURIComponent(one[1]!).toLowerCase();
      const found = this.byKey(key);
      const user = one[2] ? found && this.byKey(this.managers.get(found.id) ?? '') : found;
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
          [],
        );
      if (one[2])
        return {
          problems: [],
          status: 200,
          body: {
            '@odata.context': `${this.base()}/v1.0/$metadata#directoryObjects/$entity`,
            '@odata.type': '#microsoft.graph.user',
            ...shown(user),
          },
        };
      return {
        problems: [],
        status: 200,
        body: { '@odata.context': `${this.base()}/v1.0/$metadata#users/$entity`, ...shown(user) },
      };
    }
    if (url.pathname === '/v1.0/users') {
      const filter = url.searchParams.get('$filter') ?? '';
      const byMail = /^mail eq '((?:[^']|'')*)'$/.exec(filter);
      if (!byMail)
        return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause.', [
          `unsupported $filter: ${filter}`,
        ]);
      const mail = byMail[1]!.replace(/''/g, "'").toLowerCase();
      return {
        problems: [],
        status: 200,
        body: {
          '@odata.context': `${this.base()}/v1.0/$metadata#users`,
          value: this.users.filter((u) => u.mail?.toLowerCase() === mail).map(shown),
        },
      };
    }
    return graphError(400, 'BadRequest', `Resource not found for the segment '${url.pathname}'.`, [
      `no such endpoint: ${url.pathname}`,
    ]);
  }

  private byKey(key: string): GraphUser | undefined {
    const k = key.toLowerCase();
    return k
      ? this.users.find((u) => u.id.toLowerCase() === k || u.userPrincipalName.toLowerCase() === k)
      : undefined;
  }
}

function selected(user: GraphUser, select: string[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    displayName: null,
    mail: null,
    preferredLanguage: null,
    accountEnabled: true,
    ...user,
  };
  return select ? Object.fromEntries(select.map((p) => [p, full[p] ?? null])) : full;
}

function graphError(status: number, code: string, message: string, problems: string[]): StandInAnswer {
  return {
    problems,
    status,
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
      },
    },
  };
}
