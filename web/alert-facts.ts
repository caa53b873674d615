import type { AlertInput } from '../shared/alert';

/** How many details an email or the answer page shows; the report has them all. */
const SHOWN_DETAILS = 20;

/** The alert's facts an employee may see outside Slack: never its sensitive details. */
export interface AlertFacts {
  title: string;
  description: string;
  occurredAt: string;
  source: string;
  severity: string;
  details: [string, string][];
}

export function alertFacts(alert: AlertInput): AlertFacts {
  const hidden = new Set(alert.sensitiveKeys);
  return {
    title: alert.title,
    description: alert.description,
    occurredAt: alert.occurredAt,
    source: alert.source,
    severity: alert.severity,
    details: Object.entries(alert.details)
      .filter(([k]) => !hidden.has(k))
      .slice(0, SHOWN_DETAILS)
      .map(([k, v]) => [k, String(v)]),
  };
}
