import type { Logger } from '../lib/logger';
import { claimSlot } from '../store/claims';
import type { Collections } from '../store/collections';

/**
 * A flood of messages to an interview must not grow the workflow's history toward Temporal's limits:
 * each person gets this many messages a minute, and each interview this many signals in all (the
 * workflow records the first ones and counts the rest). Slack thread replies and Teams chat answers
 * share the counts.
 */
/** Longest message passed to an interview; the rest is cut (the workflow keeps at most 1000 characters). */
export const MAX_REPLY = 2000;
export const REPLIES_PER_MINUTE = 10;
export const REPLIES_PER_INTERVIEW = 50;

/** Claims a slot of the sender's minute and, for the employee, of the interview's total (unique inserts, so replicas share the count). */
export async function withinReplyLimits(
  deps: { collections: Pick<Collections, 'claims'>; logger: Logger },
  workflowId: string,
  user: string,
  isEmployee: boolean,
): Promise<boolean> {
  const now = new Date();
  const minute = Math.floor(now.getTime() / 60_000);
  const { claims } = deps.collections;
  if ((await claimSlot(claims, `thread-rate:${user}:${minute}`, REPLIES_PER_MINUTE, now)) === null) {
    deps.logger.debug({ workflowId, user }, 'message over the per-minute limit: not passed on');
    return false;
  }
  if (!isEmployee) return true;
  if ((await claimSlot(claims, `thread-total:${workflowId}`, REPLIES_PER_INTERVIEW, now)) === null) {
    deps.logger.debug({ workflowId }, 'message over the per-interview limit: not passed on');
    return false;
  }
  return true;
}
