import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Outcome } from './constants';
import type { InterviewEvent } from './record/events';
import type { SnoozeDecisionSignal, SnoozeRequest, SnoozeRequestResult } from './snooze';

/**
 * Messages of `alertInterview`, defined once: the workflow, the bot and the CLI import these.
 * Every signal carries an id so a redelivered message is applied once.
 */
/**
 * The employee's answer: it was them, it wasn't, or someone asked them to do it (a possible social-
 * engineering attack in progress; it may follow a "confirmed" while the code is still due).
 */
export type EmployeeAnswer = 'confirmed' | 'denied' | 'coerced';

export interface EmployeeResponse {
  responseId: string;
  slackUserId: string;
  answer: EmployeeAnswer;
  justification?: string;
  /**
   * `web`: given on the answer page of an emailed link, which the bot checked (and bound to the browser
   * that answered); `slackUserId` is then the interviewed employee's Slack id, or '' for one Slack
   * does not know. Absent: a click in Slack by `slackUserId`.
   */
  via?: AnswerChannel;
  /**
   * With `via: 'web'`, the link answered on when it was not the interview's email: `slack_modal` or
   * `teams_dialog`, made by that chat's "Verify with a passkey instead" for the employee who pressed
   * "Yes" there.
   */
  link?: AnswerLinkSource;
}

/** Where an answer or a code was given, besides Slack. */
export type AnswerChannel = 'web';
/** Where an answer link came from, when not from the interview's email. */
export type AnswerLinkSource = 'slack_modal' | 'teams_dialog';

/** The manager's answer when the ladder asks them about their report's alert. */
export const MANAGER_ANSWERS = ['knows', 'does_not_know', 'cannot_tell'] as const;
export type ManagerAnswer = (typeof MANAGER_ANSWERS)[number];

export interface ManagerResponse {
  responseId: string;
  slackUserId: string;
  answer: ManagerAnswer;
}

export const OPERATOR_ACTIONS = ['approve', 'skip', 'escalate', 'close', 'cancel'] as const;
export type OperatorActionKind = (typeof OPERATOR_ACTIONS)[number];

export interface OperatorAction {
  actionId: string;
  operator: string;
  action: OperatorActionKind;
  note?: string;
}

export interface SecondFactorSubmission {
  responseId: string;
  slackUserId: string;
  code: string;
  /** `web`: entered on the answer page (see EmployeeResponse). */
  via?: AnswerChannel;
}

export interface SecondFactorResult {
  accepted: boolean;
  attemptsLeft: number;
}

export type InterviewPhase =
  | 'starting'
  | 'queued'
  | 'awaiting_approval'
  | 'awaiting_response'
  | 'awaiting_leader'
  | 'awaiting_second_factor'
  | 'awaiting_manager'
  | 'closed'
  | 'escalated';

/** One event of the interview's record (typed: see shared/record/events.ts). */
export type TranscriptEntry = InterviewEvent;

/** A message the interviewed employee wrote in the interview's DM thread (an answer to a follow-up question). */
export interface EmployeeReply {
  /** `<channel>:<message ts>` of the Slack message: a redelivered event is applied once. */
  replyId: string;
  slackUserId: string;
  text: string;
}

export interface InterviewState {
  phase: InterviewPhase;
  /** Slack user id of the interviewed employee, once resolved: the only person who may answer. */
  employee: string | null;
  outcome: Outcome | null;
  deadlines: { approval?: string; response?: string; manager?: string };
  transcript: TranscriptEntry[];
  /** Slack user id of the manager the ladder is asking now: the only person who may answer that. */
  managerAsked?: string;
}

export const employeeResponse = defineSignal<[EmployeeResponse]>('employeeResponse');
export const operatorAction = defineSignal<[OperatorAction]>('operatorAction');
export const employeeReply = defineSignal<[EmployeeReply]>('employeeReply');
export const managerResponse = defineSignal<[ManagerResponse]>('managerResponse');
export const submitSecondFactor = defineUpdate<SecondFactorResult, [SecondFactorSubmission]>(
  'submitSecondFactor',
);
export const interviewState = defineQuery<InterviewState>('interviewState');

/** After a verified "yes": the employee asks to keep similar alerts quiet (taken or refused, recorded either way). */
export const requestSnooze = defineUpdate<SnoozeRequestResult, [SnoozeRequest]>('requestSnooze');
/** An operator approves or refuses an employee's snooze request. */
export const snoozeDecision = defineSignal<[SnoozeDecisionSignal]>('snoozeDecision');
