import type { AlertInput } from '../shared/alert';
import { type Outcome, isEscalation } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import { type EventOf, eventsOfKind } from '../shared/record/events';
import { renderEvent } from '../shared/record/render';
import type { AlertDoc } from '../store/collections';

/**
 * The investigation report of one alert, built from its stored document alone: what the CLI prints
 * (`vouch report`), and what every escalation carries (Slack, PagerDuty, webhook). Pure.
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
  policy?: string;
  createdAt: string;
  closedAt?: string;
  /** The milestones of the interview, with their time and the time since the alert arrived. */
  timeline: { at: string; sinceStartMs: number; kind: string; text: string }[];
  /** Every entry: the workflow's transcript and the audit trail, in time order. */
  transcript: (TranscriptEntry & { source: 'transcript' | 'audit'; text: string })[];
  secondFactor: {
    result: 'verified' | 'failed' | 'not_enrolled' | 'not_required' | 'not_reached';
    attempts: { at: string; attempt: number; result: string; text: string }[];
  };
  /** Everyone but Vouch who acted, with what they did. */
  actors: { actor: string; actions: string[] }[];
  timeToFirstAnswerMs: number | null;
  timeToOutcomeMs: number | null;
  summary?: { text: string; machineWritten: true; model?: string; at: string };
}

const MILESTONES = new Set([
  'alert_received',
  'disabled_by_policy',
  'unknown_employee',
  'suppressed',
  'approval_timeout',
  'approval_refused',
  'dm_sent',
  'reminder',
  'employee_answer',
  'not_enrolled',
  'second_factor_attempt',
  'second_factor_not_required',
  'deadline',
  'suppression_created',
  'operator_action',
  'outcome',
  'escalation_posted',
  'delivery',
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
  const entries = [
    ...doc.transcript.map((t) => ({ ...strip(t), source: 'transcript' as const })),
    ...(doc.audit ?? []).map((t) => ({ ...strip(t), source: 'audit' as const })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const start = Date.parse(doc.transcript[0]?.at ?? doc.createdAt.toISOString());
  const times = interviewTimes(doc.transcript);
  const attempts = eventsOfKind(doc.transcript, 'second_factor_attempt');
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
    employeeSlackId: doc.employeeSlackId,
    policy: eventsOfKind(doc.transcript, 'policy')[0]?.policySource,
    createdAt: doc.createdAt.toISOString(),
    closedAt: doc.closedAt?.toISOString(),
    timeline: entries
      .filter((t) => MILESTONES.has(t.kind))
      .map((t) => ({ at: t.at, sinceStartMs: Date.parse(t.at) - start, kind: t.kind, text: renderEvent(t) })),
    transcript: entries.map((t) => ({ ...t, text: renderEvent(t) })),
    secondFactor: {
      result: secondFactorResult(doc, attempts),
      attempts: attempts.map((t) => ({
        at: t.at,
        attempt: t.attempt,
        result: t.result,
        text: renderEvent(t),
      })),
    },
    actors: actorsOf(entries),
    timeToFirstAnswerMs: times.toFirstAnswerMs,
    timeToOutcomeMs: times.toOutcomeMs,
    summary: doc.summary && { ...doc.summary, at: doc.summary.at.toISOString() },
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

function actorsOf(entries: TranscriptEntry[]): InvestigationReport['actors'] {
  const byActor = new Map<string, string[]>();
  for (const t of entries) {
    if (t.actor === 'vouch') continue;
    byActor.set(t.actor, [...(byActor.get(t.actor) ?? []), `${t.kind}: ${renderEvent(t)}`]);
  }
  return [...byActor].map(([actor, actions]) => ({ actor, actions }));
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
