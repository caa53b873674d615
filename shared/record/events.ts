import type { Outcome } from '../constants';
import type { AnswerChannel, AnswerLinkSource, EmployeeAnswer, ManagerAnswer } from '../messages';

/**
 * The interview record: typed events, one union. Every fact anyone needs (reports, stats, the bot,
 * webhooks, PagerDuty, the CLI) is a field here; text for people is rendered from the fields by
 * `renderEvent` (./render.ts) and never read back.
 *
 * `actor` is who did it: `vouch`, a Slack user id (`U…`/`W…`), or an operator as they signed the
 * action (`cli:ana`, a Web UI identity). Free text that people wrote (a justification, a follow-up
 * answer, an operator's note) is kept as content in its own field, never parsed.
 */
export interface EventBase {
  /** ISO 8601 time the event happened (workflow time for the workflow's events). */
  at: string;
  actor: string;
  /** Set on content a language model wrote (follow-up questions): shown as machine-written everywhere. */
  machineWritten?: boolean;
}

/** The employee as the alert names them (before or without resolution). */
export interface EmployeeRef {
  email?: string;
  slackUserId?: string;
  username?: string;
}

/** The employee Vouch resolved and asks. */
export interface ResolvedEmployee {
  /** Absent for someone the directory lists but Slack does not know, asked through another channel. */
  slackUserId?: string;
  email?: string;
  name?: string;
}

export type OperatorActionName = 'approve' | 'skip' | 'escalate' | 'close' | 'cancel';
export type SecondFactorCheck =
  'accepted' | 'rejected' | 'replayed' | 'locked' | 'not_enrolled' | 'unavailable';
/** Which verdict event: the outcome, or the close of an escalation that waited for one. */
export type VerdictEventName = 'verdict' | 'resolved';
/** Why an operator's action was not applied. */
export type StaleReason = 'interview_ended' | 'already_decided' | 'not_awaiting_approval' | 'too_late';

/** Why an employee's snooze request was not taken. */
export type SnoozeRefusal =
  | 'not_the_employee'
  | 'second_factor_not_verified'
  | 'not_offered'
  | 'offer_expired'
  | 'already_requested'
  | 'longer_than_max';
/** An operator's answer to a snooze request, or nobody's in time. */
export type SnoozeDecision = 'approve' | 'refuse' | 'timeout';

/** A kind that carries no fields besides the common ones. */
export type NoFields = { readonly _?: never };

/** An event without its time (stamped by whoever stores it). */
export type UntimedEvent = InterviewEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'at'>
    : never
  : never;

/** Each kind with its fields. The key is the event's `kind`. */
export interface EventFields {
  // ---- intake and preparation
  alert_received: { title: string; severity: string; alertSource: string; alertType: string };
  disabled_by_policy: { alertType: string; policySource: string };
  unknown_employee: { employee: EmployeeRef };
  /** The policy applied and the employee resolved. */
  policy: { policySource: string; employee: ResolvedEmployee };
  /** A live suppression from an earlier verified confirmation matched: nobody is asked. */
  suppressed: { suppressionId: string; createdByAlertId: string };

  // ---- approval
  approval_requested: { channel: string; ts: string; approvers: string[] };
  approval_refused: { operator: string; action: OperatorActionName; alertType: string };
  approval_timeout: { timeout: string; onTimeout: 'interview' | 'skip' };
  approval_decided: { decision: OperatorActionName | 'timeout'; by?: string };

  // ---- asking
  dm_sent: { channel?: string; ts?: string };
  /** The question went by email, a one-time link to the answer page (`messageId` starts the thread). */
  email_sent: { messageId: string; fallback?: 'no_answer_by_first_reminder' };
  /** The question went to the employee's 1:1 chat with the Teams bot, as an Adaptive Card. */
  teams_sent: { conversationId: string };
  /** A channel of the policy's list was passed over: it cannot reach the employee, or its question failed for good. */
  channel_skipped: { channel: string; reason: 'not_reachable' | 'failed'; errorType?: string };
  reminder: { n: number };
  deadline: { waitingFor: 'answer' | 'second_factor' };
  /**
   * `via: 'web'`: given on the answer page of an emailed link, or with `link: 'slack_modal'` /
   * `'teams_dialog'` of the link the Slack modal or the Teams code dialog made for a passkey; absent: in
   * the chat (Slack, or Teams when the actor is `aad:<object id>` or the interview asked in Teams).
   */
  employee_answer: {
    answer: EmployeeAnswer;
    justification?: string;
    via?: AnswerChannel;
    link?: AnswerLinkSource;
  };
  unauthorized_response: { answer: EmployeeAnswer; via?: AnswerChannel; link?: AnswerLinkSource };
  late_response: { answer: EmployeeAnswer; via?: AnswerChannel; link?: AnswerLinkSource };
  /** The ladder's step `n` (1-based) begins: asking the manager, or escalating. */
  ladder_step: { n: number; step: 'ask_manager' | 'escalate' };
  /** The employee's manager was asked in a DM; `manager` is their Slack id. */
  manager_asked: { manager: string; waitUntil: string };
  /** The ladder could not ask the manager, and went on to its next step. */
  manager_skipped: { reason: 'no_manager' | 'manager_not_found' | 'manager_is_subject' };
  /** The manager's statement (the actor); never a verification. */
  manager_answer: { answer: ManagerAnswer };
  manager_no_answer: { wait: string };
  /** Someone other than the manager asked tried to answer for them; ignored. */
  unauthorized_manager_response: { answer: ManagerAnswer };

  // ---- second factor
  second_factor_not_required: NoFields;
  second_factor_attempt: {
    attempt: number;
    limit: number;
    result: SecondFactorCheck;
    lockedUntil?: string;
    via?: AnswerChannel;
  };
  not_enrolled: { whenNotEnrolled: 'escalate' | 'accept' };
  suppression_created: { suppressionId: string; expiresAt: string };

  // ---- a snooze the employee asks for (policy `snooze`), after a verified "yes"
  /** The DM's outcome note offers to keep the same alerts quiet, until `until`, for at most `max`. */
  snooze_offered: { max: string; until: string; approval: boolean; choices: string[] };
  /** The employee asked; with `approval`, an operator decides before the snooze exists. */
  snooze_requested: { duration: string; reason?: string; approval: boolean };
  snooze_refused: { reason: SnoozeRefusal; duration?: string };
  snooze_approval_requested: { channel: string; ts: string };
  snooze_decided: { decision: SnoozeDecision; by?: string };
  /** An operator the policy's `approval.approvers` do not name pressed Approve or Refuse: ignored. */
  snooze_decision_refused: { operator: string; decision: 'approve' | 'refuse'; alertType: string };
  /** The suppression of this alert's scope, as the employee's snooze. */
  snooze_created: {
    suppressionId: string;
    expiresAt: string;
    duration: string;
    requestedBy: string;
    approvedBy?: string;
  };
  snooze_announced: { channel: string; ts: string };

  // ---- alert storms (policy `rollup`)
  /** Waits for one of the employee's open interviews to end (at most `limit` are open at once). */
  rollup_queued: { open: number; limit: number };
  /** Joined another alert's open interview: its answer decides this alert too. */
  rollup_joined: { leaderAlertId: string; leaderWorkflowId: string };
  /** The leading interview's outcome, taken as this alert's own; an escalation references the leader's post. */
  rollup_decided_by_leader: {
    leaderAlertId: string;
    leaderWorkflowId: string;
    outcome: Outcome;
    secondFactorVerified: boolean;
    escalationChannel?: string;
    escalationTs?: string;
  };
  /** The leading interview ended in a way that decides only itself: this alert goes its own way. */
  rollup_released: { leaderAlertId: string; leaderOutcome: Outcome };
  /** No grouping for this alert: it has its own interview. */
  rollup_fallback: {
    reason:
      | 'coordinator_unavailable'
      | 'no_answer'
      | 'queue_timeout'
      | 'leader_timeout'
      | 'too_many_rounds'
      | 'group_not_shown';
  };
  /** The leading interview's answer decided this many alerts (this one included). */
  rollup_led: { covers: number };

  // ---- operators
  operator_action: { action: OperatorActionName; note?: string };
  self_action_refused: { operator: string; action: string };
  stale_operator_action: {
    operator: string;
    action: OperatorActionName;
    reason: StaleReason;
    /** interview_ended: the outcome it had; not_awaiting_approval: the phase it was in. */
    outcome?: Outcome;
    phase?: string;
    /** already_decided: the decision and who made it. */
    decision?: OperatorActionName;
    decidedBy?: string;
  };

  // ---- outcome and escalation
  outcome: { outcome: Outcome };
  escalation_posted: { channel: string; ts: string; awaitsClose: boolean };
  awaiting_close: NoFields;
  delivery: {
    target: 'pagerduty' | 'webhook';
    event: 'escalated' | 'resolved';
    status: 'delivered' | 'failed';
    /** PagerDuty's deduplication key (the alert id). */
    dedupKey?: string;
    /** Why the delivery failed (an error message from the target or the network). */
    error?: string;
  };
  /** One attempt to send the verdict to one receiver (recorded by the activity, in the audit trail). */
  verdict_delivery: {
    /** The receiver's name: a VOUCH_VERDICT_WEBHOOKS name, `splunk-hec`, or `policy-<n>` (the policy's nth). */
    receiver: string;
    event: VerdictEventName;
    attempt: number;
    /** failed: retried later; refused: the receiver or the configuration refuses it, not retried. */
    status: 'delivered' | 'failed' | 'refused';
    /** Why it failed (the target's HTTP status or the network's error, never the answer's body). */
    error?: string;
  };
  /** The verdict's retries ran out: some receiver never took it (the outcome stands). */
  verdict_undelivered: { event: VerdictEventName; errorType: string };
  resolution_timeout: { waited: string };
  resolved: { closedBy: string };
  cancelled: { afterOutcome?: Outcome };
  failed_closed: { step: string; errorType: string };
  failure_after_outcome: { step: string; errorType: string };

  // ---- follow-up conversation
  follow_ups_proposed: { count: number };
  follow_up_guard: { note: string };
  follow_up_question: { n?: number; question: string };
  follow_up_answer: { answer: string };
  employee_message: { message: string };
  employee_messages_unrecorded: { unrecorded: number; recordedLimit: number };
  unauthorized_reply: NoFields;
  follow_ups_stopped: { by: string };
  follow_up_timeout: { timeout: string };
  follow_up_enough: NoFields;
  follow_ups_failed: { error: string };
  summary: { stored: true; model?: string; defanged?: number } | { stored: false; reason: string };

  // ---- recorded from outside the workflow (the `audit` collection)
  unauthorized_click: { button: string };
  unauthorized_operator_action: { button: string };
  /** The first answer on the answer page bound the interview's links to this browser. */
  answer_link_bound: { userAgent: string };
  /** An answer page request that changed nothing: another browser holds the links, or its form was forged or stale. */
  answer_link_refused: { reason: 'other_browser' | 'bad_form' };
  model_call: {
    purpose: 'plan_questions' | 'next_question' | 'summary';
    /** ok, or the failure: timeout, network, http, rejected, malformed. */
    result: string;
    latencyMs: number;
    attempt: number;
    model?: string;
    detail?: string;
  };
  suppression_revoked: { suppressionId: string; note?: string };

  /**
   * An entry of a record stored before events were typed, kept as it was written: its text is shown
   * to people and its facts are not read (see ./legacy.ts).
   */
  legacy_note: { legacyKind: string; text: string };
}

export type EventKind = keyof EventFields;

/** One event of the record. */
export type InterviewEvent = {
  [K in EventKind]: EventBase & { kind: K } & EventFields[K];
}[EventKind];

export type EventOf<K extends EventKind> = Extract<InterviewEvent, { kind: K }>;

/** An event as MongoDB holds it: its position key and its link in the hash chain. */
export type StoredEvent = InterviewEvent & {
  /** The workflow's numbering (1, 2, …) for the transcript; a unique key for audit entries. */
  key: string;
  /** SHA-256 over the previous event's hash and this event (store/event-chain.ts). */
  hash?: string;
};

/** Builds an event (the workflow's `note`): the kind's fields are checked at compile time. */
export function event<K extends EventKind>(
  kind: K,
  actor: string,
  at: string,
  fields: EventFields[K],
  extra: Pick<EventBase, 'machineWritten'> = {},
): EventOf<K> {
  return { at, actor, kind, ...fields, ...extra } as unknown as EventOf<K>;
}

/** Narrows an event to one kind. */
export function isKind<K extends EventKind>(e: InterviewEvent, kind: K): e is EventOf<K> {
  return e.kind === kind;
}

/** The events of one kind, in order. */
/**
 * An escalation after the manager said they know about it: lower priority (the employee still proved
 * nothing, so it is not closed unless the policy says so).
 */
export function managerVouched(events: readonly InterviewEvent[]): boolean {
  return eventsOfKind(events, 'manager_answer').some((e) => e.answer === 'knows');
}

export function eventsOfKind<K extends EventKind>(events: readonly InterviewEvent[], kind: K): EventOf<K>[] {
  return events.filter((e): e is EventOf<K> => e.kind === kind);
}

/** Records an event (the workflow's `note`); the time is the workflow's. */
export type Note = <K extends EventKind>(
  kind: K,
  actor: string,
  fields: EventFields[K],
  extra?: Pick<EventBase, 'machineWritten'>,
) => void;
