import type { View } from '@slack/types';
import type { SecondFactorResult } from '../shared/messages';
import { ACTION_IDS, VIEW_IDS } from '../shared/slack-ids';
import { SLACK_LIMITS as L, plainText } from '../shared/slack-text';
import { formModal, noticeModal } from './modals';

/** The employee's "yes": the modal asking why and for the code, and what it shows after. */

/** The modal's input blocks, read back from its view_submission. */
export const BLOCKS = {
  justification: 'vouch_justification',
  code: 'vouch_code',
} as const;

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
    // A coached employee may press "Yes" first: the way out stays one click away.
    {
      type: 'actions',
      block_id: 'vouch_coerced',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.coerced,
          text: { type: 'plain_text', text: 'Someone is asking me to do this right now' },
          style: 'danger',
          value: workflowId,
        },
      ],
    },
  ]);
}

export const CODE_FORMAT_ERROR = 'Enter the 6 digits your authenticator app shows for Vouch.';

/** The bot cannot seal codes (no encryption key): the employee is told, the security team follows up. */
export const notAvailableModal = () =>
  noticeModal('Not available', 'Vouch is misconfigured; the security team will follow up.');

/** After "someone is asking me to do this" in the modal: what to do now. */
export const coercionReportedModal = () =>
  noticeModal(
    'Security alerted',
    ':rotating_light: Thank you for telling us. End the call or chat with whoever asked you, share no codes and approve no login prompts. The security team will contact you here in Slack shortly.',
  );

/** Shown while a code is still being checked past Slack's 3 s. */
export const verifyingModal = () => noticeModal('Verifying…', ':hourglass: Checking your code…');

/** A wrong code with attempts left, shown inline under the code field. */
export function wrongCodeError(attemptsLeft: number): string {
  return `That code didn't work. ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left.`;
}

/**
 * The modal once the code was checked: `result` is the workflow's answer, or a sentence (our own,
 * never outside text) saying why nothing was recorded. `late` when it replaces "Verifying…", which
 * can no longer show an inline error.
 */
export function secondFactorOutcomeModal(result: SecondFactorResult | string, late = false): View {
  if (typeof result === 'string') return noticeModal('Not recorded', `:warning: ${result}`);
  if (result.accepted)
    return noticeModal('Verified', ':white_check_mark: Verified. Thanks, there is nothing else to do.');
  if (late && result.attemptsLeft > 0)
    return noticeModal(
      'Try again',
      `That code didn't work (${result.attemptsLeft} attempts left). Press "Yes, that was me" again.`,
    );
  return noticeModal(
    'Not verified',
    ':x: The code could not be verified, so the security team will follow up with you.',
  );
}
