import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import type { VerdictConfig } from '../lib/config';
import type { CloudEvent } from 'cloudevents';
import type { VerdictEventData } from '../report/verdict-event';
import { structuredVerdict } from '../report/verdict-event';

/** A receiver of verdicts as the workflow names it: no URL of the global config, never a secret. */
export interface PolicyVerdictReceiver {
  url: string;
  secretName: string;
}

/** Where one verdict goes: a Standard Webhooks endpoint or Splunk's HTTP Event Collector. */
export type VerdictReceiver =
  | { name: string; kind: 'webhook'; url: string; secretName: string }
  | { name: string; kind: 'splunk'; url: string };

export const SPLUNK_RECEIVER = 'splunk-hec';

/** The global receivers (VOUCH_VERDICT_WEBHOOKS, Splunk) and the policy's own, each with its name. */
export function verdictReceivers(
  config: VerdictConfig | undefined,
  fromPolicy: readonly PolicyVerdictReceiver[],
): VerdictReceiver[] {
  return [
    ...(config?.webhooks ?? []).map((w) => ({
      name: w.name,
      kind: 'webhook' as const,
      url: w.url,
      secretName: w.name,
    })),
    ...(config?.splunk ? [{ name: SPLUNK_RECEIVER, kind: 'splunk' as const, url: config.splunk.url }] : []),
    ...fromPolicy.map((p, i) => ({
      name: `policy-${i + 1}`,
      kind: 'webhook' as const,
      url: p.url,
      secretName: p.secretName,
    })),
  ];
}

/** A POST ready to send: URL, body, headers (with the signature or the token). */
export interface VerdictRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * The request for one receiver. A webhook gets the CloudEvent in structured JSON mode, signed per
 * Standard Webhooks (`webhook-id` = the event id, so a receiver dedupes on it; `webhook-timestamp`
 * of this attempt; `webhook-signature` `v1,<base64>`). Splunk gets it as a HEC event.
 */
export function verdictRequest(
  receiver: VerdictReceiver,
  event: CloudEvent<VerdictEventData>,
  config: VerdictConfig | undefined,
  now: Date,
): VerdictRequest {
  if (receiver.kind === 'splunk') {
    const splunk = config?.splunk;
    if (!splunk) throw notConfigured('VOUCH_SPLUNK_HEC_URL and VOUCH_SPLUNK_HEC_TOKEN are unset');
    return {
      url: `${receiver.url}/services/collector/event`,
      body: JSON.stringify(splunkHecEvent(event)),
      headers: { authorization: `Splunk ${splunk.token}` },
    };
  }
  const secret = config?.secrets[receiver.secretName];
  if (!secret)
    throw notConfigured(
      `VOUCH_VERDICT_SECRETS has no secret named "${receiver.secretName}" (the ${receiver.name} receiver's)`,
    );
  const { body, contentType } = structuredVerdict(event);
  return {
    url: receiver.url,
    body,
    headers: {
      'content-type': contentType,
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(event.id, now, body),
    },
  };
}

/**
 * Splunk HTTP Event Collector's event format: `time` in epoch seconds (the verdict's), `source` and
 * `sourcetype` to search by, the CloudEvent as `event`.
 */
export function splunkHecEvent(event: CloudEvent<VerdictEventData>): Record<string, unknown> {
  return {
    time: Date.parse(event.time ?? '') / 1000 || undefined,
    source: 'vouch',
    sourcetype: 'vouch:verdict',
    event: event.toJSON(),
  };
}

function notConfigured(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'VerdictReceiverNotConfigured', message, nonRetryable: true });
}
