import { ApplicationFailure } from '@temporalio/common';
import { type Policy, policySchema } from '../shared/policy';
import { policySettings } from '../store/policies';
import type { ActivityContext } from './context';
import { postJson } from './http-delivery';
import { type PagerDutySeverity, pagerDutyEvent } from './pagerduty';
import { signedWebhookHeaders, webhookBody } from './webhook';

const PAGERDUTY_URL = 'https://events.pagerduty.com';

/** Escalations told to the systems a policy names beside the security channel: PagerDuty and webhooks. */
export function createEscalationTargetActivities(ctx: ActivityContext) {
  const { deps, log, now, sent, once, loadReport } = ctx;

  async function storedRoutingKey(policySource: string): Promise<string> {
    const id = policySource.replace(/^policies\//, '');
    const doc = await ctx.policies.get(id);
    const key = doc && effectivePolicyOrNull(policySettings(doc))?.escalation.pagerDuty?.routingKey;
    if (!key)
      throw ApplicationFailure.create({
        type: 'PagerDutyNotConfigured',
        message: `the policy ${policySource} no longer has a PagerDuty routing key`,
        nonRetryable: true,
      });
    return key;
  }

  return {
    /**
     * PagerDuty Events API v2: `trigger` an incident for an escalated alert (the report in its
     * details), `resolve` it when an operator closes the escalation. The routing key is read from the
     * stored policy here, so it never enters the workflow's history.
     */
    async notifyPagerDuty(input: {
      workflowId: string;
      alertId: string;
      policySource: string;
      action: 'trigger' | 'resolve';
      severity?: PagerDutySeverity;
    }): Promise<{ dedupKey: string }> {
      return once(`${input.workflowId}:pagerduty:${input.action}`, async () => {
        const report = await loadReport(input.alertId, input.workflowId);
        // The incident is resolved with the key that triggered it, whatever the policy says by then.
        const keyRecord = `${input.workflowId}:pagerduty-routing-key`;
        const used = input.action === 'resolve' ? (await sent.get(keyRecord))?.routingKey : undefined;
        const routingKey = typeof used === 'string' ? used : await storedRoutingKey(input.policySource);
        const event = pagerDutyEvent({ routingKey, action: input.action, report, severity: input.severity });
        await postJson(
          'PagerDuty',
          `${deps.pagerDutyUrl ?? PAGERDUTY_URL}/v2/enqueue`,
          JSON.stringify(event),
          {},
          deps.outboundAllowHosts,
        );
        log.info({ alertId: input.alertId, action: input.action }, 'PagerDuty event sent');
        // Kept apart from the result the workflow sees (its history never holds the key).
        if (input.action === 'trigger') await sent.record(keyRecord, { routingKey });
        return { dedupKey: input.alertId };
      });
    },

    /** A signed JSON POST with the report: `escalated` at the escalation, `resolved` when an operator closes it. */
    async notifyWebhook(input: {
      workflowId: string;
      alertId: string;
      url: string;
      secret: string;
      event: 'escalated' | 'resolved';
    }): Promise<{ deliveryId: string }> {
      const secret = deps.webhookSecrets?.[input.secret];
      if (!secret)
        throw ApplicationFailure.create({
          type: 'WebhookSecretMissing',
          message: `VOUCH_WEBHOOK_SECRETS has no secret named "${input.secret}" (the policy's escalation.webhook.secret)`,
          nonRetryable: true,
        });
      const deliveryId = `${input.workflowId}:${input.event}`;
      return once(`${input.workflowId}:webhook:${input.event}`, async () => {
        const report = await loadReport(input.alertId, input.workflowId);
        const body = webhookBody({
          event: input.event,
          deliveryId,
          alertId: input.alertId,
          workflowId: input.workflowId,
          sentAt: now(),
          report,
        });
        await postJson(
          'webhook',
          input.url,
          body,
          signedWebhookHeaders(secret, deliveryId, body, now()),
          deps.outboundAllowHosts,
        );
        log.info(
          { alertId: input.alertId, event: input.event, host: new URL(input.url).host },
          'webhook delivered',
        );
        return { deliveryId };
      });
    },
  };
}

function effectivePolicyOrNull(settings: Record<string, unknown>): Policy | null {
  const parsed = policySchema.safeParse(settings);
  return parsed.success ? parsed.data : null;
}
