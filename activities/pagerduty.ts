import type { Severity } from '../shared/constants';
import type { InvestigationReport } from '../report/investigation';
import { formatDuration } from '../report/investigation';
import { verdictOf } from '../report/verdict';
import { renderEvent } from '../shared/record/render';
import { managerVouched } from '../shared/record/events';

/**
 * PagerDuty Events API v2 (POST /v2/enqueue): one incident per escalated alert, its `dedup_key` the
 * alert id, so a retried trigger is one incident and `resolve` closes exactly that one.
 */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const FROM_ALERT: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

export function pagerDutyEvent(opts: {
  routingKey: string;
  action: 'trigger' | 'resolve';
  report: InvestigationReport;
  severity?: PagerDutySeverity;
}): Record<string, unknown> {
  const { report: r, routingKey, action } = opts;
  const base = { routing_key: routingKey, event_action: action, dedup_key: r.alert.id };
  if (action === 'resolve') return base;
  return {
    ...base,
    payload: {
      summary: `Vouch: ${r.outcome ?? 'escalated'}: ${r.alert.title}`.slice(0, 1024),
      source: r.alert.source,
      // Someone may be talking the employee through an attack right now: page at the highest severity.
      // The manager vouched for it: the lowest severity, so it does not page like a real "No".
      severity:
        r.outcome === 'coercion_reported'
          ? 'critical'
          : managerVouched(r.transcript)
            ? 'info'
            : (opts.severity ?? FROM_ALERT[r.alert.severity]),
      timestamp: r.alert.occurredAt,
      component: r.alert.type,
      group: 'vouch',
      class: r.outcome ?? 'escalation',
      custom_details: {
        outcome: r.outcome,
        alert_id: r.alert.id,
        alert_type: r.alert.type,
        employee: r.alert.employee,
        employee_slack_id: r.employeeSlackId,
        second_factor: r.secondFactor.result,
        time_to_first_answer: formatDuration(r.timeToFirstAnswerMs),
        time_to_outcome: formatDuration(r.timeToOutcomeMs),
        details: r.alert.details,
        ...(r.summary ? { machine_written_summary: r.summary.text } : {}),
        timeline: r.timeline.slice(-30).map((t) => `${t.at} ${t.kind}: ${renderEvent(t)}`),
        // The same facts as fields, for whatever reads the incident by machine (a SIEM, a SOAR).
        verdict: verdictOf(r),
      },
    },
    client: 'Vouch',
    links: [
      ...(r.link ? [{ href: r.link, text: 'Interview in Temporal' }] : []),
      ...(r.alert.url ? [{ href: r.alert.url, text: 'Alert in the source system' }] : []),
    ],
  };
}
