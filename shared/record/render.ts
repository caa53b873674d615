import type { EventFields, EventOf, EventKind, InterviewEvent } from './events';

/**
 * The one place that turns events into text for people (Slack, the CLI, reports). Nothing parses
 * this text: code that needs a fact reads the event's fields.
 */

const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;

export interface RenderOptions {
  /** How a person (a Slack user id) is written: a Slack mention by default; the CLI writes name and email. */
  person?: (slackUserId: string) => string;
}

// Rendering is synchronous: `rendererFor` sets the caller's choice for the duration of one call.
let person = (slackUserId: string) => `<@${slackUserId}>`;

/** A Slack user id as a person (a mention by default); anything else (vouch, cli:ana) as it is. */
export function renderActor(actor: string): string {
  return SLACK_ID.test(actor) ? person(actor) : actor;
}

const quoted = (s?: string) => (s ? `: "${s}"` : '');

type Renderers = { [K in EventKind]: (e: EventOf<K> & EventFields[K]) => string };

const RENDER: Renderers = {
  alert_received: (e) => `${e.title} (${e.severity}, from ${e.alertSource})`,
  disabled_by_policy: (e) => `interviews are off for ${e.alertType} (${e.policySource})`,
  unknown_employee: (e) =>
    `no Slack user found for ${e.employee.email ?? (e.employee.slackUserId ? person(e.employee.slackUserId) : `user ${e.employee.username ?? '?'}`)}`,
  policy: (e) => `policy ${e.policySource}; employee ${person(e.employee.slackUserId)}`,
  suppressed: (e) => `matches a verified confirmation from alert ${e.createdByAlertId}`,

  approval_requested: (e) =>
    `approval requested in ${e.channel}${e.approvers.length ? ` from ${e.approvers.map(renderActor).join(', ')}` : ''}`,
  approval_refused: (e) =>
    `${renderActor(e.operator)} is not an approver of ${e.alertType}: ${e.action} ignored`,
  approval_timeout: (e) => `no operator decided within ${e.timeout}: ${e.onTimeout}`,
  approval_decided: (e) =>
    e.decision === 'timeout' ? 'approval timed out' : `${e.decision} by ${renderActor(e.by ?? '?')}`,

  dm_sent: () => 'asked the employee in a direct message',
  reminder: (e) => `reminder ${e.n} sent`,
  deadline: (e) =>
    e.waitingFor === 'answer'
      ? 'no answer before the deadline'
      : 'no valid second-factor code before the deadline',
  employee_answer: (e) =>
    e.answer === 'confirmed'
      ? `Yes, that was me${quoted(e.justification)}`
      : `No, it wasn't me${quoted(e.justification)}`,
  unauthorized_response: (e) => `tried to answer "${e.answer}" but is not the interviewed employee; ignored`,
  late_response: (e) => `answered "${e.answer}" after the interview had moved on; ignored`,

  second_factor_not_required: () => 'not required by the policy',
  second_factor_attempt: (e) =>
    `attempt ${e.attempt}/${e.limit}: ${e.result}${e.lockedUntil ? ` (locked until ${e.lockedUntil})` : ''}`,
  not_enrolled: (e) => `no active second factor; policy says ${e.whenNotEnrolled}`,
  suppression_created: (e) => `similar alerts suppressed until ${e.expiresAt}`,

  operator_action: (e) => `${e.action}${e.note ? `: ${e.note}` : ''}`,
  self_action_refused: (e) => `${renderActor(e.operator)} is the subject of this alert: ${e.action} refused`,
  stale_operator_action: (e) => `${e.action} by ${renderActor(e.operator)} ignored: ${staleReason(e)}`,

  outcome: (e) => e.outcome,
  escalation_posted: (e) =>
    `escalation posted in ${e.channel}${e.awaitsClose ? '; open until an operator closes it' : ''}`,
  awaiting_close: () => 'open until an operator closes it (vouch close <alert id>)',
  delivery: (e) => {
    const name = e.target === 'pagerduty' ? 'PagerDuty' : 'webhook';
    if (e.status === 'failed') return `${name}: ${e.error ?? 'failed'}`;
    return e.target === 'pagerduty'
      ? `incident ${e.event === 'escalated' ? 'triggered' : 'resolved'} (dedup key ${e.dedupKey ?? '?'})`
      : `escalation.${e.event} delivered`;
  },
  resolution_timeout: (e) => `no operator closed the escalation within ${e.waited}`,
  resolved: (e) => `escalation closed by ${renderActor(e.closedBy)}`,
  cancelled: (e) =>
    e.afterOutcome
      ? `cancelled in Temporal after the outcome (${e.afterOutcome}), which stands`
      : 'the workflow was cancelled in Temporal (Web UI or CLI)',
  failed_closed: (e) => `${e.step}: ${e.errorType}`,
  failure_after_outcome: (e) => `${e.step}: ${e.errorType}`,

  follow_ups_proposed: (e) => `${e.count} follow-up question(s) shown for approval`,
  follow_up_guard: (e) => e.note,
  follow_up_question: (e) => e.question,
  follow_up_answer: (e) => e.answer,
  employee_message: (e) => e.message,
  employee_messages_unrecorded: (e) =>
    `${e.unrecorded} more thread message(s) counted, not recorded (the first ${e.recordedLimit} are)`,
  unauthorized_reply: () => 'wrote in the interview thread but is not the interviewed employee; ignored',
  follow_ups_stopped: (e) => `stopped by ${renderActor(e.by)}; no more questions`,
  follow_up_timeout: (e) => `no answer within ${e.timeout}; no more questions`,
  follow_up_enough: () => 'the model has enough context: no more questions',
  follow_ups_failed: (e) => `follow-ups stopped: ${e.error}`,
  summary: (e) =>
    e.stored
      ? `machine-written summary stored${e.model ? ` (model ${e.model})` : ''}${e.defanged ? `; ${e.defanged} link(s), mention(s) or markup removed` : ''}`
      : `no summary: ${e.reason}`,

  unauthorized_click: (e) => `pressed "${e.button}" but is not the interviewed employee; refused`,
  unauthorized_operator_action: (e) => `pressed "${e.button}" but is not a configured operator; refused`,
  model_call: (e) =>
    `${e.purpose} (attempt ${e.attempt}): ${e.result}${e.detail ? ` (${e.detail})` : ''} in ${e.latencyMs} ms`,
  suppression_revoked: (e) => `revoked the suppression ${e.suppressionId}${e.note ? `: ${e.note}` : ''}`,

  legacy_note: (e) => e.text,
};

function staleReason(e: EventOf<'stale_operator_action'>): string {
  switch (e.reason) {
    case 'interview_ended':
      return `the interview already ended ${e.outcome ?? ''}`.trim();
    case 'already_decided':
      return `already decided (${e.decision ?? '?'} by ${renderActor(e.decidedBy ?? '?')})`;
    case 'not_awaiting_approval':
      return `the interview is not waiting for approval (${e.phase ?? '?'})`;
    case 'too_late':
      return 'too late';
  }
}

/** The event as one line of text for people (without its actor and time). */
export function renderEvent(e: InterviewEvent): string {
  const render = RENDER[e.kind] as (e: InterviewEvent) => string;
  return render ? render(e) : `(${String((e as { kind?: unknown }).kind)})`;
}

/** The event as a transcript line: `<actor>: <text>`. */
export function renderLine(e: InterviewEvent): string {
  return `${renderActor(e.actor)}: ${renderEvent(e)}`;
}

/** The renderer's three functions, writing people one way. */
export interface Renderer {
  event(e: InterviewEvent): string;
  line(e: InterviewEvent): string;
  actor(actor: string): string;
}

/** `renderEvent`, `renderLine` and `renderActor` writing people as `opts.person` says. */
export function rendererFor(opts: RenderOptions): Renderer {
  const as =
    <A>(render: (a: A) => string) =>
    (a: A): string => {
      const outer = person;
      person = opts.person ?? outer;
      try {
        return render(a);
      } finally {
        person = outer;
      }
    };
  return { event: as(renderEvent), line: as(renderLine), actor: as(renderActor) };
}
