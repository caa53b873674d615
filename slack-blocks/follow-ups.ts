import type { KnownBlock } from '@slack/types';
import { type Language, t } from '../shared/i18n';
import { SLACK_LIMITS as L, plainText, slackText } from '../shared/slack-text';
import { context } from './parts';

/** The AI interviewer's questions in the DM thread after the outcome, and its closing thanks. */

export function followUpQuestionMessage(question: string, machineWritten: boolean, lang: Language = 'en') {
  return {
    text: slackText(question, L.messageText),
    blocks: [
      {
        type: 'section',
        text: { type: 'plain_text', text: plainText(question, L.sectionText), emoji: false },
      },
      context(t(lang, machineWritten ? 'followUp.noteMachineWritten' : 'followUp.note')),
    ] as KnownBlock[],
  };
}

export function followUpThanksMessage(lang: Language = 'en') {
  return { text: t(lang, 'followUp.thanks') };
}
