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
 * Microsoft Graph's users, as Graph answers an app-only caller: `GET /v1.0/users/{id | userPrincipalName}`
 * and `GET /v1.0/users?$filter=mail eq '…'`, with `$select` honoured; a bearer token the tenant issued
 * for Graph is required (401 InvalidAuthenticationToken otherwise), nobody is 404
 * Request_ResourceNotFound, and `throttleNext` answers 429 TooManyRequests with Retry-After, all with
 * Graph's error body. Served by the Teams stand-in, whose token endpoint issues the tokens.
 */
export class GraphUsersStandIn {
  readonly users: GraphUser[] = [];
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
    const retryAfter = this.throttled.shift();
    if (retryAfter !== undefined)
      return {
        ...graphError(429, 'TooManyRequests', 'Please retry again later.', []),
        headers: { 'retry-after': String(retryAfter) },
      };
    const url = new URL(pathAndQuery, 'http://graph.invalid');
    const select = url.searchParams.get('$select')?.split(',');
    const shown = (u: GraphUser) => selected(u, select);
    const one = /^\/v1\.0\/users\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const key = decodeURIComponent(one[1]!).toLowerCase();
      const user = this.users.find(
        (u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key,
      );
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
          [],
        );
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
