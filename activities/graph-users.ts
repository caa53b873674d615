import { ApplicationFailure } from '@temporalio/common';
import type { TeamsConfig } from '../lib/config';
import { type AppTokens, EntraTokenError, appTokens } from '../lib/entra-token';

/** Someone Microsoft Entra knows, as Microsoft Graph gives them. */
export interface EntraUser {
  aadObjectId: string;
  /** Their mail address, else their user principal name, lower case. */
  email: string;
  /** Every address they were found by or carry (mail, UPN), lower case. */
  addresses: string[];
  name?: string;
  /** Their Microsoft 365 language (`de-DE`), if set. */
  preferredLanguage?: string;
}

const SELECT = 'id,displayName,mail,userPrincipalName,preferredLanguage,accountEnabled';
/** Longest pause a throttled lookup waits before its retry; Graph's Retry-After is seconds, rarely minutes. */
const MAX_RETRY_AFTER_S = 300;

interface GraphUserBody {
  id?: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  preferredLanguage?: string | null;
  accountEnabled?: boolean | null;
}

/**
 * Microsoft Graph's users endpoint with app-only tokens of the Teams app registration (Graph's
 * `User.Read.All` application permission). Failures become what Temporal's retry should do: 429 (and a
 * 503 with Retry-After) is retried after Graph's delay, an outage with backoff, and refused credentials
 * or a permission not granted fail at once, so the interview fails closed instead of waiting in vain.
 * Nothing thrown carries the token or the secret.
 */
export function graphUsers(
  teams: Pick<TeamsConfig, 'appId' | 'appPassword' | 'tokenUrl'> & {
    graph: NonNullable<TeamsConfig['graph']>;
  },
  tokens: AppTokens = appTokens(
    { tokenUrl: teams.tokenUrl, clientId: teams.appId, clientSecret: teams.appPassword },
    "the Teams app registration's credentials (for Microsoft Graph)",
  ),
) {
  const get = async (pathAndQuery: string) => {
    let token: string;
    try {
      token = await tokens(teams.graph.scope);
    } catch (err) {
      throw tokenFailure(err);
    }
    let res: Response;
    try {
      res = await fetch(`${teams.graph.url}${pathAndQuery}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(8_000),
      });
    } catch (err) {
      throw new Error(`Microsoft Graph could not be reached: ${(err as Error).name}`);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  };

  return {
    /**
     * The user whose user principal name, else whose mail, is `address`; null for nobody (Graph's
     * 404) or a disabled account: nobody to ask, like a deleted Slack user.
     */
    async byAddress(address: string): Promise<EntraUser | null> {
      const wanted = address.trim().toLowerCase();
      // GET /users/{id | userPrincipalName}: a mail address that is not also the UPN is not found there.
      const byUpn = await get(`/v1.0/users/${encodeURIComponent(wanted)}?$select=${SELECT}`);
      if (byUpn.status === 200) return entraUser(byUpn.body as GraphUserBody, wanted);
      if (byUpn.status !== 404) throw graphFailure(byUpn);
      const filter = encodeURIComponent(`mail eq '${wanted.replace(/'/g, "''")}'`);
      const byMail = await get(`/v1.0/users?$filter=${filter}&$select=${SELECT}`);
      if (byMail.status !== 200) throw graphFailure(byMail);
      const found = (byMail.body.value ?? []) as GraphUserBody[];
      return found.length === 1 ? entraUser(found[0]!, wanted) : null;
    },

    /**
     * Their manager in Entra (`GET /users/{id}/manager`); null when none is set (Graph's 404) or the
     * manager is not a user (an org contact), whom Teams cannot reach.
     */
    async managerOf(aadObjectId: string): Promise<EntraUser | null> {
      const res = await get(`/v1.0/users/${encodeURIComponent(aadObjectId)}/manager?$select=${SELECT}`);
      if (res.status === 404) return null;
      if (res.status !== 200) throw graphFailure(res);
      const type = res.body['@odata.type'];
      if (type !== undefined && type !== '#microsoft.graph.user') return null;
      return entraUser(res.body as GraphUserBody);
    },
  };
}

export type GraphUsers = ReturnType<typeof graphUsers>;

function entraUser(u: GraphUserBody, foundBy?: string): EntraUser | null {
  const mail = u.mail?.toLowerCase() || undefined;
  const upn = u.userPrincipalName?.toLowerCase() || undefined;
  const email = mail ?? upn ?? foundBy;
  if (!u.id || !email || u.accountEnabled === false) return null;
  return {
    aadObjectId: u.id.toLowerCase(),
    email,
    addresses: [...new Set([foundBy, mail, upn].filter((a): a is string => Boolean(a)))],
    ...(u.displayName ? { name: u.displayName } : {}),
    ...(u.preferredLanguage ? { preferredLanguage: u.preferredLanguage } : {}),
  };
}

function graphFailure(res: { status: number; retryAfter: string | null; body: Record<string, unknown> }) {
  const code = (res.body.error as { code?: string } | undefined)?.code;
  const answered = `Microsoft Graph answered ${res.status}${code ? ` ${code}` : ''}`;
  const seconds = Number(res.retryAfter);
  if ((res.status === 429 || res.status === 503) && seconds > 0)
    return ApplicationFailure.create({
      type: 'GraphThrottled',
      message: `${answered}; retrying after ${seconds} s`,
      nextRetryDelay: `${Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_S)}s`,
    });
  if (res.status === 401 || res.status === 403)
    return ApplicationFailure.create({
      type: 'GraphRefused',
      message: `${answered}: grant the Teams app registration Microsoft Graph's User.Read.All application permission, with admin consent (README "Connect Vouch to Teams")`,
      nonRetryable: true,
    });
  return new Error(answered);
}

/** 400 and 401 from the token endpoint are the credentials (wrong secret, app not in the tenant): final. */
function tokenFailure(err: unknown) {
  if (err instanceof EntraTokenError && (err.status === 400 || err.status === 401))
    return ApplicationFailure.create({ type: 'GraphRefused', message: err.message, nonRetryable: true });
  return err instanceof EntraTokenError
    ? new Error(err.message)
    : new Error(`the token endpoint could not be reached: ${(err as Error).name}`);
}
