import type { Outcome, Severity } from '../shared/constants';
import type { EmployeeAnswer, InterviewPhase } from '../shared/messages';
import type { SecondFactorCheck } from '../shared/record/events';
import type { InvestigationReport, ReportEvent } from './investigation';

/** How many of the latest events a verdict carries (PagerDuty limits an event to 512 KB). */
export const VERDICT_EVENTS = 30;

/**
 * The verdict on one alert as fields, for a SIEM or SOAR (the webhook's and PagerDuty's `verdict`):
 * no prose to parse. `events` are the latest typed events, each with its rendered `text` for people.
 */
export interface Verdict {
  alertId: string;
  alertType: string;
  severity: Severity;
  source: string;
  workflowId: string;
  phase: InterviewPhase;
  outcome: Outcome | null;
  escalated: boolean;
  /** The employee: as the alert names them, and as Vouch resolved them (`slackUserId`, `name`). */
  employee: { slackUserId?: string; email?: string; username?: string; name?: string };
  /** The policy applied (the alert type's, `default` or `built-in`), once loaded. */
  policy: string | null;
  secondFactor: {
    result: InvestigationReport['secondFactor']['result'];
    attempts: number;
    /** The last attempt's check: accepted, rejected, replayed, locked, not_enrolled, unavailable. */
    lastCheck: SecondFactorCheck | null;
  };
  /** The employee's answer, or null if none came. */
  answer: EmployeeAnswer | null;
  occurredAt: string;
  /** When Vouch received the alert. */
  receivedAt: string;
  answeredAt: string | null;
  outcomeAt: string | null;
  closedAt: string | null;
  /** Who closed an escalation that waited for an operator. */
  closedBy: string | null;
  escalationPost: { channel: string; ts: string; awaitsClose: boolean } | null;
  /** An alert of a storm decided by another alert's interview: that alert, and its escalation post. */
  decidedBy: {
    alertId: string;
    workflowId: string;
    escalationPost: { channel: string; ts: string } | null;
  } | null;
  deliveries: { at: string; target: 'pagerduty' | 'webhook'; event: string; status: string }[];
  /** How many events the record holds (`events` has the last VERDICT_EVENTS of them). */
  eventCount: number;
  events: ReportEvent[];
  /** The head of the record's hash chain ({hash, count}), null for a record stored before hashing. */
  recordHead: { hash: string; count: number } | null;
}

export function verdictOf(r: InvestigationReport): Verdict {
  const attempts = r.secondFactor.attempts;
  const post = r.escalationPost;
  return {
    alertId: r.alert.id,
    alertType: r.alert.type,
    severity: r.alert.severity,
    source: r.alert.source,
    workflowId: r.workflowId,
    phase: r.phase,
    outcome: r.outcome,
    escalated: r.escalated,
    employee: {
      ...r.alert.employee,
      ...(r.employee ? { slackUserId: r.employee.slackUserId, name: r.employee.name } : {}),
    },
    policy: r.policy ?? null,
    secondFactor: {
      result: r.secondFactor.result,
      attempts: attempts.length,
      lastCheck: attempts.at(-1)?.result ?? null,
    },
    answer: r.answer?.answer ?? null,
    occurredAt: r.alert.occurredAt,
    receivedAt: r.createdAt,
    answeredAt: r.answer?.at ?? null,
    outcomeAt: r.outcomeAt ?? null,
    closedAt: r.closedAt ?? null,
    closedBy: r.closedBy ?? null,
    escalationPost: post ? { channel: post.channel, ts: post.ts, awaitsClose: post.awaitsClose } : null,
    decidedBy: r.decidedBy
      ? {
          alertId: r.decidedBy.leaderAlertId,
          workflowId: r.decidedBy.leaderWorkflowId,
          escalationPost:
            r.decidedBy.escalationChannel && r.decidedBy.escalationTs
              ? { channel: r.decidedBy.escalationChannel, ts: r.decidedBy.escalationTs }
              : null,
        }
      : null,
    deliveries: r.deliveries.map((d) => ({ at: d.at, target: d.target, event: d.event, status: d.status })),
    eventCount: r.transcript.length,
    events: r.transcript.slice(-VERDICT_EVENTS),
    recordHead: r.recordHead ?? null,
  };
}
