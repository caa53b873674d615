import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import { ACTION_IDS } from '../shared/slack-ids';
import { SLACK_LIMITS as L, cutText } from '../shared/slack-text';
import { renderTemplate } from '../shared/templates';
import { alertSummaryBlocks, alertTitle, templateValues } from './alert-summary';
import { confirmDialog, context, section, slackDate } from './parts';

/** The interview DM with its three buttons, and the reminders in its thread. */

const DEFAULT_INTRO =
  ':wave: Hi! Our security monitoring saw the activity below on your account. Was it you?';

export function interviewMessage(
  alert: AlertInput,
  workflowId: string,
  custom: { intro?: string; employeeName?: string; linkHosts?: readonly string[] } = {},
) {
  const intro = custom.intro
    ? renderTemplate(custom.intro, templateValues(alert, { employee: custom.employeeName }))
    : DEFAULT_INTRO;
  return {
    text: `Security check: did you do this? ${alertTitle(alert)}`,
    blocks: [
      section(intro),
      ...alertSummaryBlocks(alert, custom.linkHosts ?? []),
      {
        type: 'actions',
        block_id: 'vouch_answer',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.confirm,
            text: { type: 'plain_text', text: 'Yes, that was me' },
            style: 'primary',
            value: workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.deny,
            text: { type: 'plain_text', text: "No, it wasn't me" },
            style: 'danger',
            value: workflowId,
            confirm: confirmDialog(
              'Report this as not you?',
              'The security team will be alerted right away.',
              "It wasn't me",
            ),
          },
          {
            type: 'button',
            action_id: ACTION_IDS.coerced,
            text: { type: 'plain_text', text: 'Someone asked me to do this' },
            value: workflowId,
            confirm: confirmDialog(
              'Someone asked you to do this?',
              'The security team will be alerted right away and will contact you. You are not in trouble.',
              'Tell security',
            ),
          },
        ],
      },
    ] as KnownBlock[],
  };
}

export function reminderMessage(alert: AlertInput, n: number, deadline: string, template?: string) {
  if (template)
    return { text: cutText(renderTemplate(template, templateValues(alert, { deadline })), L.messageText) };
  return {
    text: `Reminder${n > 1 ? ` (${n})` : ''}: please answer the security check about "${alertTitle(alert)}" above, before ${slackDate(deadline, '{time} {date_short_pretty}')}.`,
  };
}

/**
 * The interview DM once other alerts joined it: how many alerts the one answer covers, and the latest
 * of them; the buttons still answer the leading interview, which decides them all.
 */
export function rolledUpInterviewMessage(
  latest: AlertInput,
  leaderWorkflowId: string,
  covers: number,
  custom: { intro?: string; employeeName?: string; linkHosts?: readonly string[] } = {},
) {
  const message = interviewMessage(latest, leaderWorkflowId, custom);
  const [intro, ...rest] = message.blocks;
  return {
    text: `Security check: ${covers} similar alerts, one answer. Latest: ${alertTitle(latest)}`,
    blocks: [
      intro!,
      context(
        `:repeat: This question now covers *${covers} alerts* like this one; your answer decides all of them. The latest:`,
      ),
      ...rest,
    ] as KnownBlock[],
  };
}
