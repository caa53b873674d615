/** Names that producers, operators, the worker and the bot all rely on (the external contract). */

export const WORKFLOW_TYPE = 'alertInterview';
export const DEFAULT_TASK_QUEUE = 'vouch-interviews';
export const DEFAULT_NAMESPACE = 'default';

/** One open interview per alert id. */
export function workflowIdForAlert(alertId: string): string {
  return `alert-${alertId}`;
}

/** The interview's page in the Temporal Web UI (links in reports, escalations and the CLI). */
export function workflowUiLink(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Keyword search attributes registered on the Temporal server so operators can filter in the Web UI. */
export const SEARCH_ATTRIBUTES = [
  'VouchAlertType',
  'VouchEmployee',
  'VouchPhase',
  'VouchOutcome',
  'VouchSeverity',
] as const;

/**
 * `VouchPhase` while even the fail-closed notice cannot be delivered (Slack down or refusing, no
 * security channel): the workflow keeps retrying it, and the Web UI can list these.
 */
export const UNDELIVERED_PHASE = 'fail_closed_undelivered';
export type VouchSearchAttribute = (typeof SEARCH_ATTRIBUTES)[number];

export const OUTCOMES = [
  'confirmed_verified',
  'denied',
  'no_response',
  'second_factor_failed',
  'not_enrolled',
  'unknown_employee',
  'suppressed',
  'skipped_by_operator',
  'closed_by_operator',
  'escalated_by_operator',
  'disabled_by_policy',
  /** Something failed that retrying could not fix (or the interview ran out of time): a person was told. */
  'failed_closed',
  /**
   * Cancelled in Temporal (Web UI or CLI) before an outcome. Whoever cancelled was never checked (it may
   * be the subject of the alert), so it escalates: the security team hears of it.
   */
  'cancelled',
  /**
   * The employee said someone asked them to do this: possibly social engineering in progress. Escalated
   * at once with priority; never suppresses anything.
   */
  'coercion_reported',
  /**
   * No answer from the employee, and their manager said they know about it, with the policy's ladder
   * closing on that (`onManagerConfirms: close`). Not verified: nothing was proved.
   */
  'manager_confirmed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that go to the security team; the others close the alert. */
export const ESCALATING_OUTCOMES: readonly Outcome[] = [
  'denied',
  'no_response',
  'second_factor_failed',
  'not_enrolled',
  'unknown_employee',
  'escalated_by_operator',
  'failed_closed',
  'cancelled',
  'coercion_reported',
];

export function isEscalation(outcome: Outcome): boolean {
  return ESCALATING_OUTCOMES.includes(outcome);
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The task queue of the steps that message people (DMs, reminders, posts, updates): its rate is held
 * by Temporal across all workers, under Slack's limits.
 */
export const slackTaskQueue = (taskQueue: string): string => `${taskQueue}-slack`;

/**
 * The task queue of the per-employee rollup coordinators: a worker of their own answers "lead, join or
 * wait" within seconds even while thousands of a storm's alerts wait on the interview queue, so the
 * storm's members join one interview instead of each giving up on the coordinator and asking alone.
 */
export const rollupTaskQueue = (taskQueue: string): string => `${taskQueue}-rollup`;
