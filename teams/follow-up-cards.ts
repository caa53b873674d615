import { AdaptiveCard, RichTextBlock, TextBlock, TextRun } from '@microsoft/teams.cards';
import { type Language, t } from '../shared/i18n';

/**
 * The AI interviewer's questions in the employee's Teams chat, after the outcome, and its closing
 * thanks, in the employee's language. The question (perhaps machine-written) and the alert's title go
 * into TextRuns, which Teams shows literally: neither can bring links or formatting into the card.
 */

export function followUpQuestionCard(
  question: string,
  machineWritten: boolean,
  title: string,
  lang: Language,
): AdaptiveCard {
  const note = [
    machineWritten ? t(lang, 'teams.followUp.machineWritten') : '',
    t(lang, 'teams.followUp.note'),
  ]
    .filter(Boolean)
    .join(' ');
  return new AdaptiveCard(
    new RichTextBlock().withInlines(
      new TextRun(t(lang, 'teams.followUp.about', { title }), { isSubtle: true }),
    ),
    new RichTextBlock().withInlines(new TextRun(question, { weight: 'Bolder' })),
    new TextBlock(note, { wrap: true, size: 'Small', isSubtle: true }),
  );
}

export function followUpThanksText(lang: Language): string {
  return t(lang, 'followUp.thanks');
}
