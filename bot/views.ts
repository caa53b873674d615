import type { View } from '@slack/types';
import { SLACK_LIMITS as L, cutText, plainText } from '../shared/slack-text';
import { ACTION_IDS, VIEW_IDS } from '../shared/slack-ids';

/** The modals of the bot. */
export const BLOCKS = {
  justification: 'vouch_justification',
  code: 'vouch_code',
} as const;

/** A modal with a submit button, that carries `metadata` back in its view_submission. */
function formModal(
  callbackId: string,
  metadata: string,
  title: string,
  submit: string,
  blocks: View['blocks'],
): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function secondFactorModal(workflowId: string, title: string): View {
  return formModal(VIEW_IDS.secondFactor, workflowId, 'Confirm it was you', 'Verify', [
    { type: 'section', text: { type: 'plain_text', text: plainText(title, L.sectionText) } },
    {
      type: 'input',
      block_id: BLOCKS.justification,
      optional: true,
      label: { type: 'plain_text', text: 'Why did you do this?' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 1000,
        placeholder: {
          type: 'plain_text',
          text: 'e.g. setting up the new billing account, ticket OPS-123',
        },
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.code,
      label: { type: 'plain_text', text: 'Code from your authenticator app' },
      hint: { type: 'plain_text', text: 'The 6 digits for Vouch. Never share this code with anyone.' },
      element: { type: 'plain_text_input', action_id: 'value', min_length: 6, max_length: 6 },
    },
  ]);
}

export function noticeModal(title: string, text: string): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: plainText(title, L.viewTitle) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: cutText(text, L.sectionText) } }],
  };
}

/** The security channel's request to approve a `/vouch enroll` link, after checking the pairing code. */
export function enrollmentApprovalRequest(linkId: string, slackUserId: string) {
  const text = `<@${slackUserId}> asked to set up a second factor for Vouch.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            `${text}\nBefore approving, reach them on a trusted channel (a call or a video meeting, not Slack) ` +
            'and ask for the pairing code shown on their enrollment page. Someone holding their Slack session ' +
            'can ask too: the pairing code is what tells them apart.',
        },
      },
      {
        type: 'actions',
        block_id: 'vouch_enroll',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.enrollApprove,
            style: 'primary',
            text: { type: 'plain_text', text: 'Enter pairing code…' },
            value: linkId,
          },
        ],
      },
    ],
  };
}

export const PAIRING_BLOCK = 'vouch_pairing';

export function pairingModal(linkId: string, slackUserId: string): View {
  return formModal(VIEW_IDS.enrollPairing, linkId, 'Approve enrollment', 'Approve', [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Approve the second-factor enrollment of <@${slackUserId}> only after you reached them on a trusted channel.`,
      },
    },
    {
      type: 'input',
      block_id: PAIRING_BLOCK,
      label: { type: 'plain_text', text: 'Pairing code they read to you' },
      element: { type: 'plain_text_input', action_id: 'value', min_length: 8, max_length: 12 },
    },
  ]);
}
