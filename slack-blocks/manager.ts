import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import { type Language, t } from '../shared/i18n';
import type { ManagerAnswer } from '../shared/messages';
import { ACTION_IDS } from '../shared/slack-ids';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { context, section, slackDate } from './parts';

/**
 * The manager's DM when their report did not answer: the alert's non-sensitive facts and three answers,
 * in the manager's own language.
 */

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
  lang: Language = 'en',
) {
  return {
    text: t(lang, 'manager.notification', { employee, title: alertTitle(alert) }),
    blocks: [
      section(t(lang, 'manager.intro', { employee })),
      ...alertSummaryBlocks(alert, linkHosts, lang),
      {
        type: 'actions',
        block_id: 'vouch_manager_answer',
        elements: (['knows', 'does_not_know', 'cannot_tell'] as const).map((answer) => ({
          type: 'button',
          action_id: MANAGER_ACTION_IDS[answer],
          text: { type: 'plain_text', text: t(lang, `manager.${answer}`) },
          ...(answer === 'does_not_know' ? { style: 'danger' } : {}),
          value: workflowId,
        })),
      },
      context(
        t(lang, 'manager.footer', {
          doesNotKnow: t(lang, 'manager.does_not_know'),
          deadline: slackDate(waitUntil, '{time} {date_short_pretty}'),
        }),
      ),
    ] as KnownBlock[],
  };
}

/** The manager's DM once answered, or once the ladder moved on: no buttons. */
export function managerQuestionClosed(
  alert: AlertInput,
  answer: ManagerAnswer | undefined,
  lang: Language = 'en',
) {
  const said = answer
    ? t(lang, 'manager.recorded', { answer: t(lang, `manager.${answer}`) })
    : t(lang, 'manager.expired');
  return {
    text: `${alertTitle(alert)}: ${said}`,
    blocks: [...alertSummaryBlocks(alert, [], lang), section(said)] as KnownBlock[],
  };
}
