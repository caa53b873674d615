import type { KnownBlock, View } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import { type Language, t } from '../shared/i18n';
import type { SnoozeDecision } from '../shared/record/events';
import { ACTION_IDS, VIEW_IDS } from '../shared/slack-ids';
import { type SnoozeRequestResult, snoozeLabel } from '../shared/snooze';
import { SLACK_LIMITS as L, plainText, slackText } from '../shared/slack-text';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { formModal, noticeModal } from './modals';
import { section, temporalLink } from './parts';
import { type EmployeeView, employeeMarkup, slackPerson } from './record-format';

/** The snooze an employee asks for after a verified "yes": the offer, the modal, and the channel's posts. */

/** The modal's input blocks, read back from its view_submission. */
export const SNOOZE_BLOCKS = { duration: 'vouch_snooze_duration', reason: 'vouch_snooze_reason' } as const;

/** The outcome note's offer, under the verified "yes". */
export function snoozeOfferBlocks(
  workflowId: string,
  approval: boolean,
  lang: Language = 'en',
): KnownBlock[] {
  return [
    section(t(lang, approval ? 'snooze.offerWithApproval' : 'snooze.offer')),
    {
      type: 'actions',
      block_id: 'vouch_snooze',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.snooze,
          text: { type: 'plain_text', text: t(lang, 'snooze.button') },
          value: workflowId,
        },
      ],
    },
  ];
}

export function snoozeModal(
  workflowId: string,
  title: string,
  choices: string[],
  lang: Language = 'en',
): View {
  const option = (d: string) => ({
    text: { type: 'plain_text' as const, text: snoozeLabel(d, lang) },
    value: d,
  });
  return formModal(
    VIEW_IDS.snooze,
    workflowId,
    t(lang, 'snooze.title'),
    t(lang, 'snooze.submit'),
    [
      { type: 'section', text: { type: 'plain_text', text: plainText(title, L.sectionText) } },
      {
        type: 'input',
        block_id: SNOOZE_BLOCKS.duration,
        label: { type: 'plain_text', text: t(lang, 'snooze.howLong') },
        element: { type: 'static_select', action_id: 'value', options: choices.map(option) },
      },
      {
        type: 'input',
        block_id: SNOOZE_BLOCKS.reason,
        optional: true,
        label: { type: 'plain_text', text: t(lang, 'snooze.why') },
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          max_length: 300,
          placeholder: { type: 'plain_text', text: t(lang, 'snooze.whyExample') },
        },
      },
    ],
    lang,
  );
}

/** What the employee sees once the workflow answered the request (or a sentence of ours saying why not). */
export function snoozeResultModal(result: SnoozeRequestResult | string, lang: Language = 'en'): View {
  if (typeof result === 'string')
    return noticeModal(t(lang, 'modal.notRecordedTitle'), `:warning: ${result}`, lang);
  if (!result.accepted)
    return noticeModal(t(lang, 'snooze.notPossibleTitle'), t(lang, 'snooze.notPossible'), lang);
  return result.approval
    ? noticeModal(t(lang, 'snooze.askedTitle'), t(lang, 'snooze.asked'), lang)
    : noticeModal(t(lang, 'snooze.doneTitle'), t(lang, 'snooze.done'), lang);
}

/** Shown at once when the modal is sent: the interview's answer follows. */
export const snoozeAskingModal = (lang: Language = 'en') =>
  noticeModal(t(lang, 'snooze.askingTitle'), t(lang, 'snooze.asking'), lang);

interface SnoozeAsked {
  alert: AlertInput;
  employee: EmployeeView;
  duration: string;
  reason?: string;
  uiLink: string;
}

/** The security channel's request to approve a snooze: Approve or Refuse, for operators only. */
export function snoozeApprovalRequest(a: SnoozeAsked & { workflowId: string }) {
  const text = `Snooze asked: ${employeeMarkup(a.employee)} asks to keep alerts like "${alertTitle(a.alert)}" quiet for ${snoozeLabel(a.duration)}`;
  return {
    text,
    blocks: [
      section(
        `:zzz: *Snooze asked*: ${employeeMarkup(a.employee)} verified this alert with their second factor and asks to keep alerts like it quiet for *${snoozeLabel(a.duration)}*.${reasonLine(a.reason)}`,
      ),
      ...alertSummaryBlocks(a.alert, []),
      {
        type: 'actions',
        block_id: 'vouch_snooze_approval',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.snoozeApprove,
            text: { type: 'plain_text', text: 'Approve snooze' },
            style: 'primary',
            value: a.workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.snoozeRefuse,
            text: { type: 'plain_text', text: 'Refuse' },
            value: a.workflowId,
          },
        ],
      },
      temporalLink(a.uiLink),
    ] as KnownBlock[],
  };
}

/** The request once decided: no buttons left, and who decided. */
export function snoozeDecidedPost(a: SnoozeAsked & { decision: SnoozeDecision; by?: string }) {
  const what =
    a.decision === 'timeout'
      ? ':hourglass: No operator decided in time: no snooze'
      : a.decision === 'approve'
        ? `:white_check_mark: Snooze approved by ${slackPerson(a.by ?? '?')}`
        : `:heavy_multiplication_x: Snooze refused by ${slackPerson(a.by ?? '?')}`;
  const text = `${what}: ${employeeMarkup(a.employee)}, alerts like "${alertTitle(a.alert)}", ${snoozeLabel(a.duration)}`;
  return { text, blocks: [section(text), temporalLink(a.uiLink)] };
}

/** Announced when a snooze exists: who asked, for how long and why, and how to end it. */
export function snoozeAnnouncement(
  a: SnoozeAsked & { suppressionId: string; expiresAt: string; approvedBy?: string },
) {
  const text = `Snooze: alerts like "${alertTitle(a.alert)}" for ${employeeMarkup(a.employee)} stay quiet until ${a.expiresAt}`;
  return {
    text,
    blocks: [
      section(
        `:zzz: *Snooze*: alerts like this one for ${employeeMarkup(a.employee)} stay quiet for *${snoozeLabel(a.duration)}* (until ${a.expiresAt}), asked after a verified "yes"${a.approvedBy ? `, approved by ${slackPerson(a.approvedBy)}` : ''}.${reasonLine(a.reason)}\nEnd it: \`vouch suppressions revoke ${slackText(a.suppressionId, 300)}\``,
      ),
      ...alertSummaryBlocks(a.alert, []),
      temporalLink(a.uiLink),
    ] as KnownBlock[],
  };
}

function reasonLine(reason: string | undefined): string {
  return reason ? `\nThey said: "${slackText(reason, 300)}"` : '';
}
