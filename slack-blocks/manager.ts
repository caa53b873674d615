import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import type { ManagerAnswer } from '../shared/messages';
import { ACTION_IDS } from '../shared/slack-ids';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { context, section, slackDate } from './parts';

/** The manager's DM when their report did not answer: the alert's non-sensitive facts and three answers. */

const ANSWER_TEXT: Record<ManagerAnswer, string> = {
  knows: 'I know about this',
  does_not_know: "I don't",
  cannot_tell: "I can't tell",
};

export const MANAGER_ACTION_IDS: Record<ManagerAnswer, string> = {
  knows: ACTION_IDS.managerKnows,
  does_not_know: ACTION_IDS.managerDoesNotKnow,
  cannot_tell: ACTION_IDS.managerCannotTell,
};

/** `employee` is Slack markup for the employee (a mention). */
export function managerQuestion(
  alert: AlertInput,
  workflowId: string,
  employee: string,
  waitUntil: string,
  linkHosts: readonly string[] = [],
) {
  return {
    text: `Security check: do you know about this activity of ${employee}? ${alertTitle(alert)}`,
    blocks: [
      section(
        `:wave: Hi! Our security monitoring saw the activity below on the account of ${employee}, who has not answered whether it was them. Do you know about it?`,
      ),
      ...alertSummaryBlocks(alert, linkHosts),
      {
        type: 'actions',
        block_id: 'vouch_manager_answer',
        elements: (['knows', 'does_not_know', 'cannot_tell'] as const).map((answer) => ({
          type: 'button',
          action_id: MANAGER_ACTION_IDS[answer],
          text: { type: 'plain_text', text: ANSWER_TEXT[answer] },
          ...(answer === 'does_not_know' ? { style: 'danger' } : {}),
          value: workflowId,
        })),
      },
      context(
        `Your answer is recorded as your statement; it does not verify anything. "I don't" alerts the security team at once. Please answer by ${slackDate(waitUntil, '{time} {date_short_pretty}')}.`,
      ),
    ] as KnownBlock[],
  };
}

/** The manager's DM once answered, or once the ladder moved on: no buttons. */
export function managerQuestionClosed(alert: AlertInput, answer: ManagerAnswer | undefined) {
  const said = answer
    ? `:white_check_mark: Thanks, recorded: "${ANSWER_TEXT[answer]}".`
    : ':hourglass: This question expired; the security team follows up.';
  return {
    text: `${alertTitle(alert)}: ${said}`,
    blocks: [...alertSummaryBlocks(alert, []), section(said)] as KnownBlock[],
  };
}
