import type { View } from '@slack/types';
import { type Language, t, tn } from '../shared/i18n';
import type { SecondFactorResult } from '../shared/messages';
import { ACTION_IDS, VIEW_IDS } from '../shared/slack-ids';
import { SLACK_LIMITS as L, plainText } from '../shared/slack-text';
import { formModal, noticeModal } from './modals';

/** The employee's "yes": the modal asking why and for the code, and what it shows after, in their language. */

/** The modal's input blocks, read back from its view_submission. */
export const BLOCKS = {
  justification: 'vouch_justification',
  code: 'vouch_code',
} as const;

/**
 * "Yes": the justification and the TOTP code. With `passkeyUrl` (the employee has a passkey) a link
 * button opens the interview's answer page, where the passkey answers instead; someone with a passkey
 * but no TOTP factor gets only that button (and the way out), nothing to submit.
 */
export function secondFactorModal(
  workflowId: string,
  title: string,
  lang: Language = 'en',
  opts: { passkeyUrl?: string; totp?: boolean } = {},
): View {
  const summary = {
    type: 'section',
    text: { type: 'plain_text', text: plainText(title, L.sectionText) },
  } as const;
  // A coached employee may press "Yes" first: the way out stays one click away.
  const wayOut = {
    type: 'actions',
    block_id: 'vouch_coerced',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.coerced,
        text: { type: 'plain_text', text: t(lang, 'secondFactor.coerced') },
        style: 'danger',
        value: workflowId,
      },
    ],
  } as const;
  if (opts.passkeyUrl && opts.totp === false)
    return {
      type: 'modal',
      callback_id: VIEW_IDS.secondFactor,
      private_metadata: workflowId,
      title: { type: 'plain_text', text: t(lang, 'secondFactor.title') },
      close: { type: 'plain_text', text: t(lang, 'modal.close') },
      blocks: [summary, ...passkeyBlocks(opts.passkeyUrl, 'secondFactor.passkey', lang), wayOut],
    };
  return formModal(
    VIEW_IDS.secondFactor,
    workflowId,
    t(lang, 'secondFactor.title'),
    t(lang, 'secondFactor.submit'),
    [
      summary,
      {
        type: 'input',
        block_id: BLOCKS.justification,
        optional: true,
        label: { type: 'plain_text', text: t(lang, 'secondFactor.why') },
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: true,
          max_length: 1000,
          placeholder: { type: 'plain_text', text: t(lang, 'secondFactor.whyExample') },
        },
      },
      {
        type: 'input',
        block_id: BLOCKS.code,
        label: { type: 'plain_text', text: t(lang, 'secondFactor.code') },
        hint: { type: 'plain_text', text: t(lang, 'secondFactor.codeHint') },
        element: { type: 'plain_text_input', action_id: 'value', min_length: 6, max_length: 6 },
      },
      ...(opts.passkeyUrl ? passkeyBlocks(opts.passkeyUrl, 'secondFactor.passkeyInstead', lang) : []),
      wayOut,
    ],
    lang,
  );
}

/** The link button to the answer page, and what it does. */
function passkeyBlocks(
  url: string,
  label: 'secondFactor.passkey' | 'secondFactor.passkeyInstead',
  lang: Language,
): View['blocks'] {
  return [
    {
      type: 'actions',
      block_id: 'vouch_passkey',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.passkeyInstead,
          text: { type: 'plain_text', text: t(lang, label) },
          url,
        },
      ],
    },
    { type: 'context', elements: [{ type: 'plain_text', text: t(lang, 'secondFactor.passkeyHint') }] },
  ];
}

export const codeFormatError = (lang: Language = 'en') => t(lang, 'secondFactor.codeFormat');

/** The bot cannot seal codes (no encryption key): the employee is told, the security team follows up. */
export const notAvailableModal = (lang: Language = 'en') =>
  noticeModal(t(lang, 'secondFactor.notAvailableTitle'), t(lang, 'secondFactor.notAvailable'), lang);

/** After "someone is asking me to do this" in the modal: what to do now. */
export const coercionReportedModal = (lang: Language = 'en') =>
  noticeModal(t(lang, 'coercion.modalTitle'), t(lang, 'coercion.modal'), lang);

/** The same, while Temporal is unreachable: the answer is kept and the security team alerted later. */
export const coercionHeldModal = (lang: Language = 'en') =>
  noticeModal(t(lang, 'coercion.modalTitle'), t(lang, 'reply.heldCoerced'), lang);

/** Shown while a code is still being checked past Slack's 3 s. */
export const verifyingModal = (lang: Language = 'en') =>
  noticeModal(t(lang, 'secondFactor.verifyingTitle'), t(lang, 'secondFactor.verifying'), lang);

/** A wrong code with attempts left, shown inline under the code field. */
export function wrongCodeError(attemptsLeft: number, lang: Language = 'en'): string {
  return tn(lang, 'secondFactor.wrongCode', attemptsLeft);
}

/**
 * The modal once the code was checked: `result` is the workflow's answer, or a sentence (our own,
 * never outside text) saying why nothing was recorded. `late` when it replaces "Verifying…", which
 * can no longer show an inline error.
 */
export function secondFactorOutcomeModal(
  result: SecondFactorResult | string,
  late = false,
  lang: Language = 'en',
): View {
  const notice = (title: string, text: string) => noticeModal(title, text, lang);
  if (typeof result === 'string') return notice(t(lang, 'modal.notRecordedTitle'), `:warning: ${result}`);
  if (result.accepted) return notice(t(lang, 'secondFactor.verifiedTitle'), t(lang, 'secondFactor.verified'));
  if (late && result.attemptsLeft > 0)
    return notice(
      t(lang, 'secondFactor.tryAgainTitle'),
      tn(lang, 'secondFactor.tryAgain', result.attemptsLeft, { yes: t(lang, 'dm.yes') }),
    );
  return notice(t(lang, 'secondFactor.notVerifiedTitle'), t(lang, 'secondFactor.notVerified'));
}
