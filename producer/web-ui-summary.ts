import type { AlertInput } from '../shared/alert';

/** Long enough to recognise an alert in the Web UI's list, short enough for one line of it. */
const TITLE_CHARS = 80;

/**
 * The one line the Temporal Web UI shows for an interview (its static summary). It names the alert's
 * severity, type and id; the title follows because user metadata is sealed by the payload codec, as
 * the memo that already carries the title is, so it is readable only through the codec server.
 */
export function interviewSummary(alert: AlertInput): string {
  return `[${alert.severity}] ${alert.type} · alert ${alert.id} · ${oneLine(alert.title, TITLE_CHARS)}`;
}

/** The Web UI's static details (markdown): where the alert came from and when it happened. */
export function interviewDetails(alert: AlertInput): string {
  return [
    `**Source:** ${oneLine(alert.source, 200)}`,
    `**Occurred at:** ${alert.occurredAt}`,
    `**Severity:** ${alert.severity}`,
  ].join('\n\n');
}

function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
