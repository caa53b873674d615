/**
 * What the security channel hears when an interview fails closed: ids and error types, never alert
 * content. The last line of defence, so deliberately independent of the other builders and of
 * shared/slack-text.ts: plain ASCII `text`, no blocks, no markup, short, posted with mrkdwn off.
 */
/** The facts the notice names (the fail-closed activity's input has them). */
export interface FailedClosedFacts {
  workflowId: string;
  alertId: string;
  /** The employee as the alert names them (email, Slack id or username). */
  employee: string;
  /** The step that failed. */
  step: string;
  /** The error's class or type. */
  errorType: string;
}

/** A few hundred characters: far below any Slack limit, whatever went into it. */
export const FAILED_CLOSED_TEXT_MAX = 500;
const FIELD_MAX = 120;

/**
 * Printable ASCII only: control characters, non-ASCII and Slack's markup characters (`<`, `>`, `&`)
 * become `?`, so no value can mention anyone, build a link, or make Slack refuse the message.
 */
export function asciiSafe(value: unknown, max = FIELD_MAX): string {
  const s = (typeof value === 'string' ? value : String(value)).replace(/[^\x20-\x7e]|[<>&]/g, '?');
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

export function failedClosedText(n: FailedClosedFacts): string {
  const text =
    `Vouch FAILED CLOSED: alert ${asciiSafe(n.alertId)} (employee ${asciiSafe(n.employee)}) ` +
    `could not be finished: ${asciiSafe(n.errorType)} at ${asciiSafe(n.step)}. ` +
    `Nobody verified it: handle it by hand. Workflow ${asciiSafe(n.workflowId)}; details in the worker's log.`;
  return text.slice(0, FAILED_CLOSED_TEXT_MAX);
}
