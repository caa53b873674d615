import type { View } from '@slack/types';
import { VIEW_IDS } from '../shared/slack-ids';

/** The modals of the bot. */
export const BLOCKS = {
  justification: 'vouch_justification',
  code: 'vouch_code',
} as const;

export function secondFactorModal(workflowId: string, title: string): View {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.secondFactor,
    private_metadata: workflowId,
    title: { type: 'plain_text', text: 'Confirm it was you' },
    submit: { type: 'plain_text', text: 'Verify' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: title.slice(0, 2900) } },
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
    ],
  };
}

export function noticeModal(title: string, text: string): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
