import type { View } from '@slack/types';
import { type Language, t } from '../shared/i18n';
import { SLACK_LIMITS as L, cutText, plainText } from '../shared/slack-text';

/** The bot's modals: a form that carries its metadata back, and a notice. */

/** A modal with a submit button, that carries `metadata` back in its view_submission. */
export function formModal(
  callbackId: string,
  metadata: string,
  title: string,
  submit: string,
  blocks: View['blocks'],
  lang: Language = 'en',
): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: t(lang, 'modal.cancel') },
    blocks,
  };
}

/** A modal that only says something; `text` must already be safe mrkdwn. */
export function noticeModal(title: string, text: string, lang: Language = 'en'): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: plainText(title, L.viewTitle) },
    close: { type: 'plain_text', text: t(lang, 'modal.close') },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: cutText(text, L.sectionText) } }],
  };
}
