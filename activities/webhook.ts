import { createHmac } from 'node:crypto';
import type { InvestigationReport } from '../report/investigation';
import { verdictOf } from '../report/verdict';

/**
 * Escalation webhooks: a JSON body signed with HMAC-SHA256 over `<timestamp>.<body>` under the
 * policy's named secret. Receivers check `X-Vouch-Signature` (`sha256=<hex>`), refuse an
 * `X-Vouch-Timestamp` older than a few minutes, and use `X-Vouch-Delivery` (the same on every retry)
 * to apply a delivery once.
 */
export const WEBHOOK_HEADERS = {
  signature: 'x-vouch-signature',
  timestamp: 'x-vouch-timestamp',
  delivery: 'x-vouch-delivery',
} as const;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedWebhookHeaders(
  secret: string,
  deliveryId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, body),
    [WEBHOOK_HEADERS.delivery]: deliveryId,
  };
}

/**
 * The webhook's JSON body: the verdict as fields (`verdict`, report/verdict.ts) beside the whole
 * investigation report (`report`).
 */
export function webhookBody(opts: {
  event: 'escalated' | 'resolved';
  deliveryId: string;
  alertId: string;
  workflowId: string;
  sentAt: Date;
  report: InvestigationReport;
}): string {
  const { report } = opts;
  return JSON.stringify({
    event: `escalation.${opts.event}`,
    deliveryId: opts.deliveryId,
    alertId: opts.alertId,
    workflowId: opts.workflowId,
    outcome: report.outcome,
    sentAt: opts.sentAt.toISOString(),
    verdict: verdictOf(report),
    report,
  });
}
