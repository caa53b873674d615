import { SLACK_USER_ID } from '../directory-entry';
import type { EventFields, EventOf, EventKind, InterviewEvent } from './events';
import type { AnswerChannel } from '../messages';

/**
 * The one place that turns events into text for people (Slack, the CLI, reports). Nothing parses
 * this text: code that needs a fact reads the event's fields.
 */

export interface RenderOptions {
  /** How a person (a Slack user id) is written: a Slack mention by default; the CLI writes name and email. */
  person?: (slackUserId: string) => string;
}

const mention = (slackUserId: string) => `<@${slackUserId}>`;

/** A Slack user id as a mention (`<@U…>`); anything else (vouch, cli:ana) as it is. */
export function renderActor(actor: string): string {
  return SLACK_USER_ID.test(actor) ? mention(actor) : actor;
}

/**
 * How the renderer writes the two kinds of value an event holds, so each surface decides once:
 * `person` for an id of someone (a Slack user or group, `vouch`, an operator's signature) and
 * `content` for text from outside (alert data, what people wrote, an error message). Slack's own
 * format (slack-blocks/record-format.ts) mentions ids and makes content inert.
 */
export interface RecordFormat {
  person(id: string): string;
  content(text: string): string;
}

/** Plain text: Slack user ids as `<@U…>`, content as it is (the CLI, reports, logs). */
export const PLAIN_FORMAT: RecordFormat = { person: renderActor, content: (text) => text };

type Renderers = {
  [K in EventKind]: (e: EventOf<K> & EventFields[K], f: RecordFormat) => string;
};

const RENDER: Renderers = {
  alert_received: (e, f) =>
    `${f.content(e.title)} (${f.content(e.severity)}, from ${f.content(e.alertSource)})`,
  disabled_by_policy: (e, f) =>
    `interviews are off for ${f.content(e.alertType)} (${f.content(e.policySource)})`,
  // The alert's own reference: no Slack user was found for it, so it is content, never a mention.
  unknown_employee: (e, f) =>
    `no Slack user found for ${f.content(e.employee.email ?? (e.employee.slackUserId ? `<@${e.employee.slackUserId}>` : `user ${e.employee.username ?? '?'}`))}`,
  policy: (e, f) =>
    `policy ${f.content(e.policySource)}; employee ${e.employee.slackUserId ? f.person(e.employee.slackUserId) : f.content(e.employee.email ?? '?')}`,
  suppressed: (e, f) => `matches a verified confirmation from alert ${f.content(e.createdByAlertId)}`,

  approval_requested: (e, f) =>
    `approval requested in ${f.content(e.channel)}${e.approvers.length ? ` from ${e.approvers.map((a) => f.person(a)).join(', ')}` : ''}`,
  approval_refused: (e, f) =>
    `${f.person(e.operator)} is not an approver of ${f.content(e.alertType)}: ${e.action} ignored`,
  approval_timeout: (e, f) => `no operator decided within ${f.content(e.timeout)}: ${e.onTimeout}`,
  approval_decided: (e, f) =>
    e.decision === 'timeout' ? 'approval timed out' : `${e.decision} by ${f.person(e.by ?? '?')}`,

  dm_sent: () => 'asked the employee in a direct message',
  email_sent: (e) =>
    e.fallback === 'no_answer_by_first_reminder'
      ? 'no answer in Slack by the first reminder: asked the employee by email too, with a one-time link to the answer page'
      : 'asked the employee by email, with a one-time link to the answer page',
  teams_sent: () => 'asked the employee in Microsoft Teams, in their chat with the Vouch bot',
  channel_skipped: (e, f) =>
    e.reason === 'not_reachable'
      ? `not asked in ${f.content(e.channel)}: the employee cannot be reached there`
      : `asking in ${f.content(e.channel)} failed for good (${f.content(e.errorType ?? 'error')}); trying the next channel`,
  reminder: (e) => `reminder ${e.n} sent`,
  deadline: (e) =>
    e.waitingFor === 'answer'
      ? 'no answer before the deadline'
      : 'no valid second-factor code before the deadline',
  employee_answer: (e, f) =>
    (e.answer === 'confirmed'
      ? `Yes, that was me${quoted(e.justification, f)}`
      : e.answer === 'coerced'
        ? `Someone asked me to do this (possible social engineering)${quoted(e.justification, f)}`
        : `No, it wasn't me${quoted(e.justification, f)}`) + onPage(e.via),
  unauthorized_response: (e) =>
    `tried to answer "${e.answer}"${onPage(e.via)} but is not the interviewed employee; ignored`,
  late_response: (e) => `answered "${e.answer}"${onPage(e.via)} after the interview had moved on; ignored`,
  ladder_step: (e) =>
    e.step === 'ask_manager' ? `no answer: step ${e.n}, asking the manager` : `step ${e.n}: escalating`,
  manager_asked: (e, f) => `asked the manager, ${f.person(e.manager)}, until ${f.content(e.waitUntil)}`,
  manager_skipped: (e) =>
    e.reason === 'no_manager'
      ? 'the manager was not asked: the directory names no manager for the employee'
      : e.reason === 'manager_not_found'
        ? 'the manager was not asked: the directory names one who cannot be found in Slack'
        : 'the manager was not asked: they are the subject of the alert',
  manager_answer: (e) =>
    e.answer === 'knows'
      ? 'manager: "I know about this" (a statement, not a verification)'
      : e.answer === 'does_not_know'
        ? `manager: "I don't know about this"`
        : `manager: "I can't tell"`,
  manager_no_answer: (e) => `the manager did not answer within ${e.wait}`,
  unauthorized_manager_response: (e) =>
    `tried to answer "${e.answer}" for the manager but is not the manager asked; ignored`,

  second_factor_not_required: () => 'not required by the policy',
  second_factor_attempt: (e, f) =>
    `attempt ${e.attempt}/${e.limit}${onPage(e.via)}: ${e.result}${e.lockedUntil ? ` (locked until ${f.content(e.lockedUntil)})` : ''}`,
  not_enrolled: (e) => `no active second factor; policy says ${e.whenNotEnrolled}`,
  suppression_created: (e, f) => `similar alerts suppressed until ${f.content(e.expiresAt)}`,

  snooze_offered: (e, f) =>
    `offered to keep similar alerts quiet for up to ${f.content(e.max)}${e.approval ? " (with an operator's approval)" : ''}, until ${f.content(e.until)}`,
  snooze_requested: (e, f) =>
    `asked to keep similar alerts quiet for ${f.content(e.duration)}${quoted(e.reason, f)}${e.approval ? '; waiting for an operator' : ''}`,
  snooze_refused: (e, f) =>
    `snooze${e.duration ? ` of ${f.content(e.duration)}` : ''} refused: ${SNOOZE_REFUSAL[e.reason]}`,
  snooze_approval_requested: (e, f) => `snooze approval requested in ${f.content(e.channel)}`,
  snooze_decided: (e, f) =>
    e.decision === 'timeout'
      ? 'no operator decided the snooze in time: no snooze'
      : `snooze ${e.decision === 'approve' ? 'approved' : 'refused'} by ${f.person(e.by ?? '?')}`,
  snooze_decision_refused: (e, f) =>
    `${f.person(e.operator)} is not an approver of ${f.content(e.alertType)}: snooze ${e.decision} ignored`,
  snooze_created: (e, f) =>
    `snooze asked by ${f.person(e.requestedBy)}: similar alerts quiet for ${f.content(e.duration)}, until ${f.content(e.expiresAt)}${e.approvedBy ? ` (approved by ${f.person(e.approvedBy)})` : ''}`,
  snooze_announced: (e, f) => `snooze announced in ${f.content(e.channel)}`,

  operator_action: (e, f) => `${e.action}${e.note ? `: ${f.content(e.note)}` : ''}`,
  self_action_refused: (e, f) =>
    `${f.person(e.operator)} is the subject of this alert: ${f.content(e.action)} refused`,
  rollup_queued: (e) =>
    `waiting for a free interview: ${e.open} of at most ${e.limit} are open for this employee`,
  rollup_joined: (e, f) =>
    `joined the open interview of alert ${f.content(e.leaderAlertId)}: its answer decides this alert too`,
  rollup_decided_by_leader: (e, f) =>
    `decided by the interview of alert ${f.content(e.leaderAlertId)}: ${e.outcome}${e.secondFactorVerified ? ' (second factor verified there)' : ''}${e.escalationChannel ? `; escalated with its post in ${f.content(e.escalationChannel)}` : ''}`,
  rollup_released: (e, f) =>
    `the interview of alert ${f.content(e.leaderAlertId)} ended ${e.leaderOutcome}, which decides only that alert: this one goes its own way`,
  rollup_fallback: (e) => `asked on its own: ${ROLLUP_FALLBACK[e.reason]}`,
  rollup_led: (e) =>
    e.covers > 1
      ? `this answer decides ${e.covers} alerts: this one and ${e.covers - 1} that joined its interview`
      : 'no other alert joined this interview',

  stale_operator_action: (e, f) => `${e.action} by ${f.person(e.operator)} ignored: ${staleReason(e, f)}`,

  outcome: (e) => e.outcome,
  escalation_posted: (e, f) =>
    `escalation posted in ${f.content(e.channel)}${e.awaitsClose ? '; open until an operator closes it' : ''}`,
  awaiting_close: () => 'open until an operator closes it (vouch close <alert id>)',
  delivery: (e, f) => {
    const name = e.target === 'pagerduty' ? 'PagerDuty' : 'webhook';
    if (e.status === 'failed') return `${name}: ${e.error ? f.content(e.error) : 'failed'}`;
    return e.target === 'pagerduty'
      ? `incident ${e.event === 'escalated' ? 'triggered' : 'resolved'} (dedup key ${f.content(e.dedupKey ?? '?')})`
      : `escalation.${e.event} delivered`;
  },
  verdict_delivery: (e, f) =>
    `verdict${e.event === 'resolved' ? ' (resolved)' : ''} to ${f.content(e.receiver)}, attempt ${e.attempt}: ${e.status}${e.error ? ` (${f.content(e.error)})` : ''}`,
  verdict_undelivered: (e, f) =>
    `verdict${e.event === 'resolved' ? ' (resolved)' : ''} not delivered to every receiver: retries ran out (${f.content(e.errorType)}); the outcome stands`,
  resolution_timeout: (e, f) => `no operator closed the escalation within ${f.content(e.waited)}`,
  resolved: (e, f) => `escalation closed by ${f.person(e.closedBy)}`,
  cancelled: (e) =>
    e.afterOutcome
      ? `cancelled in Temporal after the outcome (${e.afterOutcome}), which stands`
      : 'the workflow was cancelled in Temporal (Web UI or CLI)',
  failed_closed: (e, f) => `${f.content(e.step)}: ${f.content(e.errorType)}`,
  failure_after_outcome: (e, f) => `${f.content(e.step)}: ${f.content(e.errorType)}`,

  follow_ups_proposed: (e) => `${e.count} follow-up question(s) shown for approval`,
  follow_up_guard: (e, f) => f.content(e.note),
  follow_up_question: (e, f) => f.content(e.question),
  follow_up_answer: (e, f) => f.content(e.answer),
  employee_message: (e, f) => f.content(e.message),
  employee_messages_unrecorded: (e) =>
    `${e.unrecorded} more thread message(s) counted, not recorded (the first ${e.recordedLimit} are)`,
  unauthorized_reply: () => 'wrote in the interview thread but is not the interviewed employee; ignored',
  follow_ups_stopped: (e, f) => `stopped by ${f.person(e.by)}; no more questions`,
  follow_up_timeout: (e, f) => `no answer within ${f.content(e.timeout)}; no more questions`,
  follow_up_enough: () => 'the model has enough context: no more questions',
  follow_ups_failed: (e, f) => `follow-ups stopped: ${f.content(e.error)}`,
  summary: (e, f) =>
    e.stored
      ? `machine-written summary stored${e.model ? ` (model ${f.content(e.model)})` : ''}${e.defanged ? `; ${e.defanged} link(s), mention(s) or markup removed` : ''}`
      : `no summary: ${f.content(e.reason)}`,

  unauthorized_click: (e, f) =>
    `pressed "${f.content(e.button)}" but is not the interviewed employee; refused`,
  unauthorized_operator_action: (e, f) =>
    `pressed "${f.content(e.button)}" but is not a configured operator; refused`,
  answer_link_bound: (e, f) =>
    `answered on the answer page: its links now work only in this browser (${f.content(e.userAgent)})`,
  answer_link_refused: (e) =>
    e.reason === 'other_browser'
      ? 'tried to answer with a link already bound to another browser; refused'
      : 'sent the answer page a forged or out-of-date form; refused',
  model_call: (e, f) =>
    `${e.purpose} (attempt ${e.attempt}): ${f.content(e.result)}${e.detail ? ` (${f.content(e.detail)})` : ''} in ${e.latencyMs} ms`,
  suppression_revoked: (e, f) =>
    `revoked the suppression ${f.content(e.suppressionId)}${e.note ? `: ${f.content(e.note)}` : ''}`,

  legacy_note: (e, f) => f.content(e.text),
};

/** Where an answer was given, when not in Slack. */
const onPage = (via: AnswerChannel | undefined) => (via === 'web' ? ' (on the answer page)' : '');

const ROLLUP_FALLBACK: Record<EventFields['rollup_fallback']['reason'], string> = {
  coordinator_unavailable: "the employee's coordinator could not be reached",
  no_answer: "the employee's coordinator did not answer in time",
  queue_timeout: 'no interview slot freed in time',
  leader_timeout: 'the interview it joined did not decide in time',
  too_many_rounds: 'the interviews it joined kept ending without deciding it',
  group_not_shown: 'the interview it joined asked by email, which showed only its own alert',
};

const SNOOZE_REFUSAL: Record<EventFields['snooze_refused']['reason'], string> = {
  not_the_employee: 'only the interviewed employee can ask',
  second_factor_not_verified: 'the second factor was not verified in this interview',
  not_offered: "the policy allows no snooze, or this interview's outcome offers none",
  offer_expired: 'the offer had expired',
  already_requested: 'a snooze was already asked for in this interview',
  longer_than_max: "longer than the policy's snooze.max",
};

function quoted(text: string | undefined, f: RecordFormat): string {
  return text ? `: "${f.content(text)}"` : '';
}

function staleReason(e: EventOf<'stale_operator_action'>, f: RecordFormat): string {
  switch (e.reason) {
    case 'interview_ended':
      return `the interview already ended ${e.outcome ?? ''}`.trim();
    case 'already_decided':
      return `already decided (${e.decision ?? '?'} by ${f.person(e.decidedBy ?? '?')})`;
    case 'not_awaiting_approval':
      return `the interview is not waiting for approval (${f.content(e.phase ?? '?')})`;
    case 'too_late':
      return 'too late';
  }
}

/** The event as one line of plain text for people (without its actor and time). */
export function renderEvent(e: InterviewEvent): string {
  return renderEventWith(e, PLAIN_FORMAT);
}

/**
 * The event as one line in a surface's own format (Slack: slack-blocks/record-format.ts). A separate
 * function, not an optional argument, so `events.map(renderEvent)` never passes an index as a format.
 */
export function renderEventWith(e: InterviewEvent, format: RecordFormat): string {
  const render = RENDER[e.kind] as ((e: InterviewEvent, f: RecordFormat) => string) | undefined;
  return render ? render(e, format) : `(${format.content(String((e as { kind?: unknown }).kind))})`;
}

/** The event as a plain transcript line: `<actor>: <text>`. */
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
  const write = opts.person ?? mention;
  const actor = (id: string) => (SLACK_USER_ID.test(id) ? write(id) : id);
  const format: RecordFormat = { person: actor, content: (text) => text };
  const event = (e: InterviewEvent) => renderEventWith(e, format);
  return { event, line: (e) => `${actor(e.actor)}: ${event(e)}`, actor };
}
