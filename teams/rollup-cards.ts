import { RichTextBlock, TextRun } from '@microsoft/teams.cards';
import type { AlertFacts } from '../web/alert-facts';
import { interviewCard } from './cards';

/**
 * The interview card once other alerts joined it: the alerts the one answer covers (`covers` in all,
 * the first of them `listed` by name), under the question, then the leading alert's facts. Its Yes/No
 * still answer the leading interview, which decides them all.
 */
export function rolledUpInterviewCard(
  leader: AlertFacts,
  listed: Pick<AlertFacts, 'title' | 'occurredAt'>[],
  covers: number,
  workflowId: string,
  answerBy: string,
  name?: string,
) {
  const card = interviewCard(leader, workflowId, answerBy, name);
  const more = covers - listed.length;
  const group = [
    new RichTextBlock().withInlines(
      new TextRun(`This question covers ${covers} alerts; your answer decides all of them:`, {
        weight: 'Bolder',
      }),
    ),
    ...listed.map((a) => new RichTextBlock().withInlines(new TextRun(`• ${a.title} (${a.occurredAt})`))),
    ...(more > 0 ? [new RichTextBlock().withInlines(new TextRun(`• and ${more} more`))] : []),
  ];
  // After the greeting, before the leading alert's facts.
  card.body.splice(1, 0, ...group);
  return card;
}
