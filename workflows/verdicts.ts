import { CancellationScope, log } from '@temporalio/workflow';
import type { VerdictEventName } from '../shared/record/events';
import { bestEffortRecording, deliverVerdict } from './activity-proxies';
import { describeFailure } from './fail-closed';
import type { Interview } from './interview-state';

/**
 * Sends the verdict (or the close of an escalation) to every receiver, without waiting: the
 * interview goes on while a receiver is down, and `verdictsDelivered` waits for it at the end. A
 * cancellation of the workflow does not stop it. Retries that run out are recorded and logged; the
 * outcome stands. Call it once the record holds what the verdict says (it is read from MongoDB); a
 * second call for the same event does nothing.
 */
export function sendVerdict(iv: Interview, event: VerdictEventName): void {
  if (!iv.patches.verdicts || iv.outcome === null || iv.verdictDeliveries.has(event)) return;
  const alertId = iv.alert.id;
  const delivery = CancellationScope.nonCancellable(() =>
    deliverVerdict({
      workflowId: iv.workflowId,
      alertId,
      event,
      outcome: iv.outcome!,
      policyReceivers: iv.prepared?.policy.verdicts ?? [],
    }),
  ).then(
    () => false,
    (err: unknown) => {
      const { errorType, detail } = describeFailure(err);
      log.error('verdict not delivered to every receiver: retries ran out', {
        alertId,
        event,
        errorType,
        detail,
      });
      iv.note('verdict_undelivered', 'vouch', { event, errorType });
      return true;
    },
  );
  iv.verdictDeliveries.set(event, delivery);
}

/** Waits for the verdicts sent; one that could not be delivered is written to the record. */
export async function verdictsDelivered(iv: Interview): Promise<void> {
  if (iv.verdictDeliveries.size === 0) return;
  await CancellationScope.nonCancellable(async () => {
    const undelivered = await Promise.all(iv.verdictDeliveries.values());
    if (undelivered.some(Boolean)) await iv.persist(bestEffortRecording).catch(() => undefined);
  });
}
