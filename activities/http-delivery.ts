import { ApplicationFailure } from '@temporalio/common';

/**
 * One POST to an escalation target (PagerDuty, a webhook), with its failures sorted for Temporal's
 * retry policy: timeouts, network errors, 408, 429 and 5xx are retried with backoff; other 4xx answers
 * mean the request itself is wrong and are not. Messages never include the URL's query or the body.
 */
export async function postJson(
  target: string,
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Vouch', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`${target}: no answer from ${new URL(url).host}: ${(err as Error).message}`);
  }
  const text = (await res.text()).slice(0, 2000);
  if (res.ok) return { status: res.status, text };
  const message = `${target} answered HTTP ${res.status}: ${text.slice(0, 300)}`;
  if (res.status === 429) {
    const seconds = Number(res.headers.get('retry-after'));
    throw ApplicationFailure.create({
      type: 'EscalationTargetRateLimited',
      message,
      ...(seconds > 0 ? { nextRetryDelay: `${Math.min(seconds, 300)}s` } : {}),
    });
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 408)
    throw ApplicationFailure.create({ type: 'EscalationTargetRejected', message, nonRetryable: true });
  throw new Error(message);
}
