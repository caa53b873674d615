import { condition, patched } from '@temporalio/workflow';
import { type Outcome, isEscalation } from '../shared/constants';
import { notifyPagerDuty, notifyWebhook } from './activity-proxies';
import type { Interview } from './interview-state';
import { shareDecision } from './rollup';
import { offerSnooze } from './snooze';
import { sendVerdict } from './verdicts';

/** How long an escalation with PagerDuty or webhook targets waits for an operator to close it. */
const RESOLUTION_WAIT = '30 days';
/** Interviews closed before this change told the targets before recording who closed the escalation. */
const RECORD_BEFORE_RESOLVED_PATCH = 'record-before-resolved';

/**
 * Records the outcome and tells it: the DM loses its buttons and says how it ended, an escalation
 * is posted to the security channel, and PagerDuty and the webhook hear at once.
 */
export async function tellOutcome(iv: Interview, outcome: Outcome): Promise<void> {
  iv.outcome = outcome;
  const { rollup } = iv;
  // The rolled-up DM's last update lands before the outcome's, which must stay.
  await rollup.dmUpdates;
  if (rollup.role === 'lead') iv.note('rollup_led', 'vouch', { covers: rollup.members.length + 1 });
  iv.note('outcome', 'vouch', { outcome });
  offerSnooze(iv, outcome);
  await iv.setPhase(isEscalation(outcome) ? 'escalated' : 'closed');
  // A member decided by its leader has no DM of its own, and references the leader's escalation post.
  const posted = rollup.decidedByLeader
    ? { reportPosted: false }
    : await postOutcome(iv, outcome, iv.awaitsResolution());
  iv.told = true;
  if (iv.patches.typedRecord && posted.escalation) iv.note('escalation_posted', 'vouch', posted.escalation);
  // Written now: the verdict is read from the stored record, and an escalation without targets or
  // follow-ups has no later write that would take its post.
  if (iv.patches.verdicts || iv.patches.rollup) await iv.persist();
  if (iv.patches.verdicts) sendVerdict(iv, 'verdict');
  await shareDecision(iv, posted.escalation);
  if (iv.awaitsResolution()) {
    iv.note('awaiting_close', 'vouch', {});
    await notifyTargets(iv, 'escalated');
  }
}

/** The DM loses its buttons and says how the interview ended; an escalation is posted. */
export function postOutcome(iv: Interview, outcome: Outcome, awaitsClose?: boolean) {
  return iv.acts.outcome.finishInterview({
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    outcome,
    employeeLabel: iv.employeeLabel(),
    dm: iv.dm,
    escalationChannel: iv.prepared?.policy.escalation.channel,
    awaitsClose,
    ...(iv.snooze.offer ? { snoozeOffer: { approval: iv.snooze.offer.approval } } : {}),
    ...(iv.contact ? { contact: iv.contact } : {}),
    ...(iv.alsoAsked.length ? { alsoAsked: [...iv.alsoAsked] } : {}),
  });
}

/**
 * An escalation with PagerDuty or webhook targets stays open until an operator closes it; then
 * they hear so, and the post in the channel says who. Returns who closed it.
 */
export async function awaitClose(iv: Interview): Promise<string | undefined> {
  if (!iv.awaitsResolution()) return undefined;
  if (!(await condition(() => iv.resolution !== undefined, RESOLUTION_WAIT))) {
    iv.note('resolution_timeout', 'vouch', { waited: RESOLUTION_WAIT });
    await iv.setPhase(iv.phase);
    return undefined;
  }
  const closedBy = iv.resolution!.operator;
  iv.note('resolved', 'vouch', { closedBy });
  // The targets' report is read from the stored record: it names who closed the escalation.
  if (patched(RECORD_BEFORE_RESOLVED_PATCH)) await iv.persist();
  sendVerdict(iv, 'resolved');
  await notifyTargets(iv, 'resolved');
  await iv.acts.outcome.markEscalationClosed({
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    outcome: iv.outcome!,
    employeeLabel: iv.employeeLabel(),
    closedBy,
  });
  return closedBy;
}

/** Tells the policy's PagerDuty service and webhook; a target that keeps failing is noted, not fatal. */
async function notifyTargets(iv: Interview, event: 'escalated' | 'resolved'): Promise<void> {
  const { policy, policySource } = iv.prepared!;
  const targets = policy.escalation;
  const { workflowId } = iv;
  const alertId = iv.alert.id;
  const failed = (target: 'pagerduty' | 'webhook') => (err: unknown) =>
    iv.note('delivery', 'vouch', {
      target,
      event,
      status: 'failed',
      error: (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err),
    });
  // Both at once; each event is noted when its delivery ends.
  await Promise.all([
    targets.pagerDuty &&
      notifyPagerDuty({
        workflowId,
        alertId,
        policySource,
        action: event === 'escalated' ? 'trigger' : 'resolve',
        severity: targets.pagerDuty.severity,
      }).then(
        () =>
          iv.note('delivery', 'vouch', {
            target: 'pagerduty',
            event,
            status: 'delivered',
            dedupKey: alertId,
          }),
        failed('pagerduty'),
      ),
    targets.webhook &&
      notifyWebhook({
        workflowId,
        alertId,
        url: targets.webhook.url,
        secret: targets.webhook.secret,
        event,
      }).then(
        () => iv.note('delivery', 'vouch', { target: 'webhook', event, status: 'delivered' }),
        failed('webhook'),
      ),
  ]);
  await iv.setPhase(iv.phase);
}
