import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode, LogLevel, WebClient, type WebAPICallResult } from '@slack/web-api';
import { SlackRateLimiter } from './slack-rate-limiter';
import { attemptTimeLeftMs } from './attempt-clock';

/**
 * The Slack Web API client used by activities. Every call first waits for its method's budget under
 * Slack's rate tiers (see slack-rate-limiter.ts). Its own retries are off: Temporal retries the activity
 * instead, honouring Retry-After on a 429, and errors that retrying cannot fix are non-retryable.
 */
export function createSlackClient(
  token: string | undefined,
  apiUrl: string,
  limiter: SlackRateLimiter = new SlackRateLimiter(),
): WebClient {
  return new RateLimitedWebClient(limiter, token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    timeout: 10_000,
  });
}

/** Slack's answer (the client's timeout) and the write that records it. */
const SEND_RESERVE_MS = 15_000;

/** Every Web API method of the client goes through `apiCall`: the one place to wait for the budget. */
class RateLimitedWebClient extends WebClient {
  constructor(
    readonly limiter: SlackRateLimiter,
    ...args: ConstructorParameters<typeof WebClient>
  ) {
    super(...args);
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    const channel = typeof options.channel === 'string' ? options.channel : undefined;
    // A call is started only with time left for it and for recording it: otherwise the attempt may
    // time out after a message went out, and the next attempt would send it again.
    const left = attemptTimeLeftMs();
    await this.limiter.acquire(method, channel, left === undefined ? undefined : left - SEND_RESERVE_MS);
    try {
      return await super.apiCall(method, options);
    } catch (err) {
      const e = err as { code?: string; retryAfter?: number };
      if (e.code === ErrorCode.RateLimitedError)
        this.limiter.blockFor(method, channel, Math.max(1, Number(e.retryAfter) || 1));
      throw err;
    }
  }
}

/**
 * Whether a call that may be skipped should go out now: only with budget to spare, so a storm's
 * cosmetic updates never delay the messages that matter. A client without a limiter always has room.
 */
export function slackHasRoomFor(client: WebClient, method: string, channel?: string): boolean {
  return client instanceof RateLimitedWebClient ? client.limiter.hasRoom(method, channel) : true;
}

/** Slack errors that the same call will hit again however often it is retried. */
const PERMANENT = new Set([
  'channel_not_found',
  'user_not_found',
  'users_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'cannot_dm_bot',
  'user_disabled',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'missing_scope',
  'message_not_found',
  'cant_update_message',
]);

export class SlackNotConfiguredError extends Error {
  override readonly name = 'SlackNotConfiguredError';
}

/** Failures that mean Slack did not take the call (or it was never made): it may be made again at once. */
const NOT_TAKEN_TYPES = new Set(['SlackRateLimited', 'SlackPermanentError', 'SlackRateBudget']);

/**
 * Whether a failed step surely sent nothing: Slack refused the call (an `ok: false` answer or a 429),
 * or it was refused here before it went out. A timeout, a dropped connection or a 5xx may come after
 * Slack posted the message, so they are not.
 */
export function slackSurelyNotSent(err: unknown): boolean {
  const e = err as { type?: string; code?: string };
  if (err instanceof ApplicationFailure && e.type && NOT_TAKEN_TYPES.has(e.type)) return true;
  return e.code === ErrorCode.PlatformError || e.code === ErrorCode.RateLimitedError;
}

/** Runs a Slack call, translating its failures into what Temporal's retry policy should do. */
export async function slackCall<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(method, err);
  }
}

export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}

function toActivityFailure(method: string, err: unknown): Error {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; message?: string };
  if (e.code === ErrorCode.RateLimitedError) {
    const seconds = Math.max(1, Number(e.retryAfter) || 1);
    return ApplicationFailure.create({
      type: 'SlackRateLimited',
      message: `Slack ${method} rate limited; retrying after ${seconds} s`,
      nextRetryDelay: `${seconds}s`,
    });
  }
  const platformError = slackErrorCode(err);
  if (platformError && PERMANENT.has(platformError))
    return ApplicationFailure.create({
      type: 'SlackPermanentError',
      message: `Slack ${method} failed: ${platformError}`,
      nonRetryable: true,
    });
  return err instanceof Error ? err : new Error(`Slack ${method} failed: ${String(err)}`);
}
