import type { AlertInput } from '../shared/alert';
import { type Outcome, isEscalation } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import {
  type EventKind,
  type EventOf,
  type InterviewEvent,
  type ResolvedEmployee,
  eventsOfKind,
} from '../shared/record/events';
import { renderEvent } from '../shared/record/render';
import type { AlertDoc } from '../store/collections';

/** An event of the record with its text for people (rendered from its fields; never read back). */
export type ReportEvent<E extends InterviewEvent = InterviewEvent> = E & { text: string };

/**
 * The investigation report of one alert, built from its stored document alone: what the CLI prints
 * (`vouch report`), and what every escalation carries (Slack, PagerDuty, webhook). Pure. Every fact
 * is read from the events' fields; each event also carries its rendered `text` for people.
 */
export interface InvestigationReport {
  alert: Omit<AlertInput, 'details' | 'sensitiveKeys'> & {
    details: Record<string, string | number | boolean>;
    /** Detail keys whose values are withheld (the alert's `sensitiveKeys`). */
    hiddenDetails: string[];
  };
  workflowId: string;
  link?: string;
  phase: InterviewPhase;
  outcome: Outcome | null;
  escalated: boolean;
  /** The interviewed employee's Slack id, once resolved. */
  employeeSlackId?: string;
  /** The employee Vouch resolved and asked (the `policy` event's `employee`). */
  employee?: ResolvedEmployee;
  policy?: string;
  createdAt: string;
  closedAt?: string;
  /** When the outcome was recorded. */
  outcomeAt?: string;
  /** The employee's answer (the first `employee_answer` event), or null if none came. */
  answer: ReportEvent<EventOf<'employee_answer'>> | null;
  /** The escalation post in Slack (channel, ts, whether it waits for an operator to close it). */
  escalationPost: ReportEvent<EventOf<'escalation_posted'>> | null;
  /**
   * A member of an alert storm: the interview (leader alert) whose outcome it took, and that
   * interview's escalation post, which stands for this alert's too.
   */
  decidedBy: ReportEvent<EventOf<'rollup_decided_by_leader'>> | null;
  /** A storm's leading interview: how many alerts its answer decided (this one included). */
  covers?: number;
  /** Every delivery to PagerDuty or a webhook, delivered or failed. */
  deliveries: ReportEvent<EventOf<'delivery'>>[];
  /** Who closed an escalation that waited for an operator (the `resolved` event's `closedBy`). */
  closedBy?: string;
  /** The milestones of the interview: the events, with the time since the alert arrived. */
  timeline: (ReportEvent & { sinceStartMs: number })[];
  /** Every event: the workflow's transcript and the audit trail, in time order. */
  transcript: (ReportEvent & { source: 'transcript' | 'audit' })[];
  secondFactor: {
    result: 'verified' | 'failed' | 'not_enrolled' | 'not_required' | 'not_reached';
    attempts: ReportEvent<EventOf<'second_factor_attempt'>>[];
  };
  /** Everyone but Vouch who acted: the kinds of their events, and what they did in words. */
  actors: { actor: string; kinds: EventKind[]; actions: string[] }[];
  timeToFirstAnswerMs: number | null;
  timeToOutcomeMs: number | null;
  summary?: { text: string; machineWritten: true; model?: string; at: string };
  /**
   * The head of the record's hash chain when the report was built (`vouch report <id> --verify` checks
   * it): a SIEM that keeps it can later prove the stored record was not changed.
   */
  recordHead?: { hash: string; count: number };
}

const MILESTONES = new Set<EventKind>([
  'alert_received',
  'disabled_by_policy',
  'unknown_employee',
  'suppressed',
  'approval_timeout',
  'approval_refused',
  'rollup_queued',
  'rollup_joined',
  'rollup_released',
  'rollup_fallback',
  'rollup_decided_by_leader',
  'rollup_led',
  'dm_sent',
  'email_sent',
  'channel_skipped',
  'reminder',
  'employee_answer',
  'not_enrolled',
  'second_factor_attempt',
  'second_factor_not_required',
  'deadline',
  'ladder_step',
  'manager_asked',
  'manager_skipped',
  'manager_answer',
  'manager_no_answer',
  'suppression_created',
  'operator_action',
  'outcome',
  'escalation_posted',
  'delivery',
  'verdict_delivery',
  'verdict_undelivered',
  'awaiting_close',
  'resolved',
  'resolution_timeout',
  'follow_up_question',
  'follow_up_answer',
  'summary',
]);

/** Time from the DM to the employee's first answer, and from the alert to its outcome (ms), if known. */
export function interviewTimes(transcript: Pick<TranscriptEntry, 'kind' | 'at'>[]): {
  toFirstAnswerMs: number | null;
  toOutcomeMs: number | null;
  asked: boolean;
  answered: boolean;
} {
  const at = (kind: string) => {
    const entry = transcript.find((t) => t.kind === kind);
    return entry ? Date.parse(entry.at) : undefined;
  };
  const [received, asked, answered, outcome] = [
    at('alert_received'),
    at('dm_sent'),
    at('employee_answer'),
    at('outcome'),
  ];
  return {
    // The DM is noted once Slack confirmed it, so a quick click can be noted a moment earlier: clamp at 0.
    toFirstAnswerMs: asked !== undefined && answered !== undefined ? Math.max(0, answered - asked) : null,
    toOutcomeMs: received !== undefined && outcome !== undefined ? outcome - received : null,
    asked: asked !== undefined,
    answered: answered !== undefined,
  };
}

export function buildReport(doc: AlertDoc, opts: { link?: string } = {}): InvestigationReport {
  const { details, sensitiveKeys, ...alert } = doc.input;
  const hidden = new Set(sensitiveKeys);
  const recorded = doc.transcript.map(strip);
  const entries = [
    ...recorded.map((t) => ({ ...t, source: 'transcript' as const })),
    ...(doc.audit ?? []).map((t) => ({ ...strip(t), source: 'audit' as const })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const start = Date.parse(doc.transcript[0]?.at ?? doc.createdAt.toISOString());
  const times = interviewTimes(doc.transcript);
  const attempts = eventsOfKind(recorded, 'second_factor_attempt');
  const first = <K extends EventKind>(kind: K) => eventsOfKind(recorded, kind)[0];
  const policy = first('policy');
  const answer = first('employee_answer');
  const post = first('escalation_posted');
  const decidedBy = first('rollup_decided_by_leader');
  const led = first('rollup_led');
  return {
    alert: {
      ...alert,
      details: Object.fromEntries(Object.entries(details).filter(([k]) => !hidden.has(k))),
      hiddenDetails: Object.keys(details).filter((k) => hidden.has(k)),
    },
    workflowId: doc.workflowId,
    link: opts.link,
    phase: doc.phase,
    outcome: doc.outcome,
    escalated: doc.outcome !== null && isEscalation(doc.outcome),
    employeeSlackId: doc.employeeSlackId ?? policy?.employee.slackUserId,
    employee: policy?.employee,
    policy: policy?.policySource,
    createdAt: doc.createdAt.toISOString(),
    closedAt: doc.closedAt?.toISOString(),
    outcomeAt: first('outcome')?.at,
    answer: answer ? withText(answer) : null,
    escalationPost: post ? withText(post) : null,
    decidedBy: decidedBy ? withText(decidedBy) : null,
    ...(led ? { covers: led.covers } : {}),
    deliveries: eventsOfKind(recorded, 'delivery').map(withText),
    closedBy: first('resolved')?.closedBy,
    timeline: entries
      .filter((t) => MILESTONES.has(t.kind))
      .map((t) => ({ ...withText(t), sinceStartMs: Date.parse(t.at) - start })),
    transcript: entries.map(withText),
    secondFactor: {
      result: secondFactorResult(doc, attempts),
      attempts: attempts.map(withText),
    },
    actors: actorsOf(entries),
    timeToFirstAnswerMs: times.toFirstAnswerMs,
    timeToOutcomeMs: times.toOutcomeMs,
    summary: doc.summary && { ...doc.summary, at: doc.summary.at.toISOString() },
    ...(doc.head ? { recordHead: { hash: doc.head.hash, count: doc.head.count } } : {}),
  };
}

function secondFactorResult(
  doc: AlertDoc,
  attempts: EventOf<'second_factor_attempt'>[],
): InvestigationReport['secondFactor']['result'] {
  if (attempts.some((t) => t.result === 'accepted')) return 'verified';
  if (doc.transcript.some((t) => t.kind === 'second_factor_not_required')) return 'not_required';
  if (doc.transcript.some((t) => t.kind === 'not_enrolled')) return 'not_enrolled';
  if (attempts.length > 0 || doc.outcome === 'second_factor_failed') return 'failed';
  return 'not_reached';
}

/** The event with its text for people. */
export function withText<E extends InterviewEvent>(e: E): ReportEvent<E> {
  return { ...e, text: renderEvent(e) };
}

/** Everyone but Vouch who acted, each with their events in order. */
export function eventsByActor<E extends InterviewEvent>(events: readonly E[]): Map<string, E[]> {
  const byActor = new Map<string, E[]>();
  for (const e of events) if (e.actor !== 'vouch') byActor.set(e.actor, [...(byActor.get(e.actor) ?? []), e]);
  return byActor;
}

function actorsOf(entries: TranscriptEntry[]): InvestigationReport['actors'] {
  return [...eventsByActor(entries)].map(([actor, events]) => ({
    actor,
    kinds: events.map((e) => e.kind),
    actions: events.map((e) => `${e.kind}: ${renderEvent(e)}`),
  }));
}

/** The event without its storage fields (position key, hash). */
function strip(t: TranscriptEntry & { key?: string; hash?: string }): TranscriptEntry {
  const { key: _key, hash: _hash, ...event } = t;
  return event as TranscriptEntry;
}

/** "3m 20s", "2h 5m", "1d 4h": for people reading a report. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return parts.join(' ');
}
