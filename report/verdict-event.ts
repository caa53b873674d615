import { CloudEvent, HTTP } from 'cloudevents';
import type { InterviewEvent, VerdictEventName } from '../shared/record/events';
import { eventsOfKind } from '../shared/record/events';
import type { InvestigationReport } from './investigation';
import { type Verdict, verdictOf } from './verdict';

/** The CloudEvents `type` of each verdict event. */
export const VERDICT_EVENT_TYPES: Record<VerdictEventName, string> = {
  verdict: 'com.vouch.alert.verdict',
  resolved: 'com.vouch.alert.verdict.resolved',
};

/**
 * What a verdict event carries (`data`): the verdict's fields (report/verdict.ts) with the employee's
 * own words, how the second factor was checked, the times, and the latest typed events of the record
 * as fields only (their text for people is left out: a SIEM reads facts, never prose).
 */
export interface VerdictEventData extends Omit<Verdict, 'events' | 'deliveries' | 'secondFactor'> {
  /** The employee's justification with a "Yes", as they wrote it (content, never parsed). */
  justification: string | null;
  secondFactor: Verdict['secondFactor'] & {
    verified: boolean;
    /** How it was checked: a TOTP code (the only factor Vouch asks for), or null if none was asked. */
    method: 'totp' | null;
  };
  /** When the interview started (the alert reached Vouch) and when its outcome was decided. */
  startedAt: string;
  decidedAt: string | null;
  /** The closing of an escalation that waited for an operator (the `resolved` event only). */
  resolvedAt: string | null;
  /** The interview in the Temporal Web UI. */
  reportLink: string | null;
  /** The alert in its source system, as the producer gave it. */
  alertUrl: string | null;
  /** The latest events (see `eventCount`), each with `source`: the workflow's `transcript` or the `audit` trail. */
  events: InterviewEvent[];
}

/**
 * The verdict as a CloudEvents 1.0 event: `id` `<workflowId>:<event>` (the same on every retry, so a
 * receiver dedupes on it), `subject` the alert id, `time` when the outcome (or the close) was recorded.
 */
export function verdictCloudEvent(opts: {
  event: VerdictEventName;
  namespace: string;
  report: InvestigationReport;
}): CloudEvent<VerdictEventData> {
  const { report, event } = opts;
  const data = verdictEventData(report);
  const time = (event === 'resolved' ? data.resolvedAt : data.decidedAt) ?? data.startedAt;
  return new CloudEvent<VerdictEventData>({
    specversion: '1.0',
    id: verdictEventId(report.workflowId, event),
    type: VERDICT_EVENT_TYPES[event],
    source: `/vouch/${opts.namespace}`,
    subject: report.alert.id,
    time,
    datacontenttype: 'application/json',
    data,
  });
}

export const verdictEventId = (workflowId: string, event: VerdictEventName) => `${workflowId}:${event}`;

/** The event in the CloudEvents structured JSON mode: its body and its content type. */
export function structuredVerdict(event: CloudEvent<VerdictEventData>): {
  body: string;
  contentType: string;
} {
  const message = HTTP.structured(event);
  return { body: String(message.body), contentType: String(message.headers['content-type']) };
}

export function verdictEventData(report: InvestigationReport): VerdictEventData {
  const { events, deliveries: _deliveries, secondFactor, ...verdict } = verdictOf(report);
  const resolved = eventsOfKind(report.transcript, 'resolved')[0];
  return {
    ...verdict,
    justification: report.answer?.justification ?? null,
    secondFactor: {
      ...secondFactor,
      verified: secondFactor.result === 'verified',
      method: secondFactor.attempts > 0 ? 'totp' : null,
    },
    startedAt: report.createdAt,
    decidedAt: report.outcomeAt ?? null,
    resolvedAt: resolved?.at ?? null,
    reportLink: report.link ?? null,
    alertUrl: report.alert.url ?? null,
    events: events.map(withoutText),
  };
}

/**
 * The event's fields, without the text rendered from them (dropped unread). A `legacy_note`'s `text`
 * is its own field, the entry as it was stored, and stays.
 */
function withoutText(e: Verdict['events'][number]): InterviewEvent {
  if (e.kind === 'legacy_note') return e;
  return Object.fromEntries(Object.entries(e).filter(([field]) => field !== 'text')) as InterviewEvent;
}
