import { AdaptiveCard, RichTextBlock, TextBlock, TextRun } from '@microsoft/teams.cards';
import { t } from '../shared/i18n';

/**
 * The AI interviewer's questions in the employee's Teams chat, after the outcome, and its closing
 * thanks. The question (perhaps machine-written) and the alert's title go into TextRuns, which Teams
 * shows literally: neither can bring links or formatting into the card.
 */

const lang = 'en' as const;

export function followUpQuestionCard(question: string, machineWritten: boolean, title: string): AdaptiveCard {
  const note = [
    machineWritten ? 'Machine-written question (an AI assistant of the security team).' : '',
    'Optional: write your answer as your next message in this chat to help the security team.',
    'Never share passwords or codes.',
  ]
    .filter(Boolean)
    .join(' ');
  return new AdaptiveCard(
    new RichTextBlock().withInlines(new TextRun(`A question about "${title}"`, { isSubtle: true })),
    new RichTextBlock().withInlines(new TextRun(question, { weight: 'Bolder' })),
    new TextBlock(note, { wrap: true, size: 'Small', isSubtle: true }),
  );
}

export function followUpThanksText(): string {
  return t(lang, 'followUp.thanks');
}
