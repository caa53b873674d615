import type { LocalizedTemplate } from '../../shared/templates';
import type { Outcome } from '../../shared/constants';
import type { ChannelName } from '../../shared/channels';
import type { MessageRef } from '../context';

/**
 * One way of asking the employee: the question, its reminders, and how it ended. Each channel keeps
 * its own reference to what it sent (a Slack DM, an email thread), which the workflow hands back
 * unread. Every method is idempotent per interview and step, like every activity.
 */
export interface EmployeeChannel {
  ask(input: AskInput): Promise<ChannelRef>;
  remind(input: RemindInput): Promise<void>;
  /** The outcome, told where the question was asked; the question can no longer be answered there. */
  tellOutcome(input: TellOutcomeInput): Promise<void>;
}

export type ChannelRef =
  | { channel: 'slack'; dm: MessageRef }
  | { channel: 'email'; messageId: string; to: string }
  /** The card in the employee's 1:1 chat with the bot: replies and the update at the outcome go to it. */
  | { channel: 'teams'; conversationId: string; activityId: string };

export interface AskInput {
  channel: ChannelName;
  workflowId: string;
  alertId: string;
  slackUserId?: string;
  email?: string;
  /** The policy's `messages.intro` template, and the name it may use. */
  intro?: LocalizedTemplate;
  employeeName?: string;
  /** When the answer is due: the email's link works until then (and closes earlier with the outcome). */
  answerDueAt: string;
  /** The latest the link may be used for a second factor after a "Yes". */
  linkExpiresAt: string;
}

export interface RemindInput {
  workflowId: string;
  alertId: string;
  ref: ChannelRef;
  n: number;
  deadlineAt: string;
  template?: LocalizedTemplate;
  linkExpiresAt: string;
}

export interface TellOutcomeInput {
  workflowId: string;
  alertId: string;
  ref: ChannelRef;
  outcome: Outcome;
  snoozeOffer?: { approval: boolean };
}
