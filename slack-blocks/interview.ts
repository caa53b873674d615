import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import { type Language, t } from '../shared/i18n';
import { ACTION_IDS } from '../shared/slack-ids';
import { SLACK_LIMITS as L, cutText } from '../shared/slack-text';
import { type LocalizedTemplate, renderTemplate, templateIn } from '../shared/templates';
import { alertSummaryBlocks, alertTitle, templateValues } from './alert-summary';
import { confirmDialog, context, section, slackDate } from './parts';

/** The interview DM with its three buttons, and the reminders in its thread, in the employee's language. */

export interface InterviewCustom {
  /** The policy's `messages.intro`, and the name it may use. */
  intro?: LocalizedTemplate;
  employeeName?: string;
  linkHosts?: readonly string[];
  lang?: Language;
}

export function interviewMessage(alert: AlertInput, workflowId: string, custom: InterviewCustom = {}) {
  const lang = custom.lang ?? 'en';
  const template = templateIn(custom.intro, lang);
  const intro = template
    ? renderTemplate(template, templateValues(alert, { employee: custom.employeeName }))
    : t(lang, 'dm.intro');
  return {
    text: t(lang, 'dm.notification', { title: alertTitle(alert) }),
    blocks: [
      section(intro),
      ...alertSummaryBlocks(alert, custom.linkHosts ?? [], lang),
      {
        type: 'actions',
        block_id: 'vouch_answer',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.confirm,
            text: { type: 'plain_text', text: t(lang, 'dm.yes') },
            style: 'primary',
            value: workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.deny,
            text: { type: 'plain_text', text: t(lang, 'dm.no') },
            style: 'danger',
            value: workflowId,
            confirm: confirmDialog(
              t(lang, 'dm.noConfirmTitle'),
              t(lang, 'dm.noConfirmText'),
              t(lang, 'dm.noConfirmButton'),
              lang,
            ),
          },
          {
            type: 'button',
            action_id: ACTION_IDS.coerced,
            text: { type: 'plain_text', text: t(lang, 'dm.coerced') },
            value: workflowId,
            confirm: confirmDialog(
              t(lang, 'dm.coercedConfirmTitle'),
              t(lang, 'dm.coercedConfirmText'),
              t(lang, 'dm.coercedConfirmButton'),
              lang,
            ),
          },
        ],
      },
    ] as KnownBlock[],
  };
}

export function reminderMessage(
  alert: AlertInput,
  n: number,
  deadline: string,
  custom: { template?: LocalizedTemplate; lang?: Language } = {},
) {
  const lang = custom.lang ?? 'en';
  const template = templateIn(custom.template, lang);
  if (template)
    return { text: cutText(renderTemplate(template, templateValues(alert, { deadline })), L.messageText) };
  const values = {
    n,
    title: alertTitle(alert),
    deadline: slackDate(deadline, '{time} {date_short_pretty}'),
  };
  return { text: t(lang, n > 1 ? 'reminder.again' : 'reminder.first', values) };
}

/**
 * The interview DM once other alerts joined it: how many alerts the one answer covers, and the latest
 * of them; the buttons still answer the leading interview, which decides them all.
 */
export function rolledUpInterviewMessage(
  latest: AlertInput,
  leaderWorkflowId: string,
  covers: number,
  custom: InterviewCustom = {},
) {
  const lang = custom.lang ?? 'en';
  const message = interviewMessage(latest, leaderWorkflowId, custom);
  const [intro, ...rest] = message.blocks;
  return {
    text: t(lang, 'rollup.notification', { count: covers, title: alertTitle(latest) }),
    blocks: [intro!, context(t(lang, 'rollup.covers', { count: covers })), ...rest] as KnownBlock[],
  };
}
