import { ApplicationFailure } from '@temporalio/common';
import type { Outcome } from '../shared/constants';
import type { VerdictEventName } from '../shared/record/events';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { type VerdictEventData, verdictCloudEvent } from '../report/verdict-event';
import { type ActivityContext, currentAttempt } from './context';
import { postJson } from './http-delivery';
import {
  type PolicyVerdictReceiver,
  type VerdictReceiver,
  verdictReceivers,
  verdictRequest,
} from './verdict-receivers';

export interface VerdictDeliveryInput {
  workflowId: string;
  alertId: string;
  event: VerdictEventName;
  /** The outcome as the workflow decided it (the stored record may lag behind, e.g. MongoDB refused it). */
  outcome: Outcome;
  /** The policy's own receivers (URL and the name of the secret, never the secret). */
  policyReceivers: PolicyVerdictReceiver[];
}

/** Which receivers took the verdict, and which refused it for good. */
export interface VerdictDeliveryResult {
  delivered: string[];
  refused: string[];
}

/**
 * The verdict of every alert, sent to every receiver: at least once. A receiver that took it (or
 * refused it for good: a 4xx, a missing secret) is recorded in `sent` and not tried again; while any
 * other failed, the activity fails and Temporal retries it with backoff. Every attempt is recorded in
 * the alert's audit trail and logged. Secrets are read here, never passed through the workflow.
 */
export function createVerdictActivities(ctx: ActivityContext) {
  const { deps, log, now, sent, alerts, loadReport } = ctx;

  async function attempt(
    input: VerdictDeliveryInput,
    receiver: VerdictReceiver,
    send: () => Promise<unknown>,
  ): Promise<'delivered' | 'failed' | 'refused'> {
    let status: 'delivered' | 'failed' | 'refused' = 'delivered';
    let error: string | undefined;
    try {
      await send();
    } catch (err) {
      status = err instanceof ApplicationFailure && err.nonRetryable ? 'refused' : 'failed';
      error = (err as Error).message;
    }
    const n = currentAttempt();
    if (status !== 'failed') await sent.record(sentKey(input, receiver), { status });
    await alerts.appendAudit(input.alertId, `${sentKey(input, receiver)}:${n}`, {
      at: now().toISOString(),
      actor: 'vouch',
      kind: 'verdict_delivery',
      receiver: receiver.name,
      event: input.event,
      attempt: n,
      status,
      ...(error ? { error } : {}),
    });
    const fields = { alertId: input.alertId, event: input.event, receiver: receiver.name, attempt: n };
    if (status === 'delivered') log.info(fields, 'verdict delivered');
    else if (status === 'refused') log.error({ ...fields, error }, 'verdict refused: not retried');
    else log.warn({ ...fields, error }, 'verdict not delivered: retrying');
    return status;
  }

  /**
   * The event as first built: every receiver and every retry gets the same one (the record grows in
   * the meantime, with these very attempts among others).
   */
  async function frozenEvent(input: VerdictDeliveryInput): Promise<CloudEvent<VerdictEventData>> {
    const key = `${input.workflowId}:verdict:${input.event}:event`;
    const stored = (await sent.get(key))?.event;
    if (stored) return new CloudEvent(JSON.parse(String(stored)) as CloudEventV1<VerdictEventData>);
    const built = verdictCloudEvent({
      event: input.event,
      namespace: deps.namespace ?? 'default',
      report: { ...(await loadReport(input.alertId, input.workflowId)), outcome: input.outcome },
    });
    const kept = await sent.record(key, { event: JSON.stringify(built) });
    return new CloudEvent(JSON.parse(String(kept.event)) as CloudEventV1<VerdictEventData>);
  }

  return {
    async deliverVerdict(input: VerdictDeliveryInput): Promise<VerdictDeliveryResult> {
      const receivers = verdictReceivers(deps.verdicts, input.policyReceivers);
      const done = new Map<string, unknown>();
      for (const r of receivers) done.set(r.name, (await sent.get(sentKey(input, r)))?.status);
      const pending = receivers.filter((r) => done.get(r.name) === undefined);
      if (pending.length > 0) {
        const event = await frozenEvent(input);
        const results = await Promise.all(
          pending.map((r) =>
            attempt(input, r, () => {
              const request = verdictRequest(r, event, deps.verdicts, now());
              return postJson(
                `verdict receiver ${r.name}`,
                request.url,
                request.body,
                request.headers,
                deps.outboundAllowHosts,
              );
            }),
          ),
        );
        pending.forEach((r, i) => done.set(r.name, results[i]));
        const failed = pending.filter((_, i) => results[i] === 'failed').map((r) => r.name);
        if (failed.length > 0)
          throw ApplicationFailure.retryable(
            `verdict not yet delivered to ${failed.join(', ')}`,
            'VerdictNotDelivered',
          );
      }
      const named = (status: string) =>
        receivers.filter((r) => done.get(r.name) === status).map((r) => r.name);
      return { delivered: named('delivered'), refused: named('refused') };
    },
  };
}

const sentKey = (input: VerdictDeliveryInput, receiver: VerdictReceiver) =>
  `${input.workflowId}:verdict:${input.event}:${receiver.name}`;
