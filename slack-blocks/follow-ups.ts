import type { KnownBlock } from '@slack/types';
import { SLACK_LIMITS as L, plainText, slackText } from '../shared/slack-text';
import { context } from './parts';

/** The AI interviewer's questions in the DM thread after the outcome, and its closing thanks. */

export function followUpQuestionMessage(question: string, machineWritten: boolean) {
  return {
    text: slackText(question, L.messageText),
    blocks: [
      {
        type: 'section',
        text: { type: 'plain_text', text: plainText(question, L.sectionText), emoji: false },
      },
      context(
        `${machineWritten ? ':robot_face: Machine-written question (an AI assistant of the security team). ' : ''}Optional: reply in this thread to help the security team. Never share passwords or codes.`,
      ),
    ] as KnownBlock[],
  };
}

export function followUpThanksMessage() {
  return { text: 'Thanks, your answers went to the security team. Nothing else to do.' };
}
