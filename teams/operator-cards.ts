import { AdaptiveCard, RichTextBlock, SubmitAction, TextBlock, TextRun } from '@microsoft/teams.cards';
import { MANAGER_ANSWERS, type ManagerAnswer } from '../shared/messages';
import { t } from '../shared/i18n';
import type { AlertFacts } from '../web/alert-facts';

/**
 * The Adaptive Cards Vouch sends in Teams to people other than the interviewed employee: the ladder's
 * question to the employee's manager. Alert text goes into TextRuns, which Teams shows literally.
 */

/** What the manager's buttons send back (`value` of the message activity). */
export const MANAGER_TEAMS_ACTION = 'manager_answer';
export interface ManagerAnswerData {
  vouch: typeof MANAGER_TEAMS_ACTION;
  workflowId: string;
  answer: ManagerAnswer;
}

/** The card data of a manager's button, if that is what `value` is. */
export function managerAnswerData(value: unknown): ManagerAnswerData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.vouch !== MANAGER_TEAMS_ACTION || typeof v.workflowId !== 'string') return undefined;
  if (!(MANAGER_ANSWERS as readonly unknown[]).includes(v.answer)) return undefined;
  return v as unknown as ManagerAnswerData;
}

const literal = (text: string) => new RichTextBlock().withInlines(new TextRun(text));
const withoutShortcodes = (text: string) => text.replace(/:[a-z_]+:\s*/g, '');

function alertLines(f: AlertFacts) {
  return [
    new RichTextBlock().withInlines(new TextRun(f.title, { weight: 'Bolder', size: 'Medium' })),
    literal(f.description),
    literal(`When: ${f.occurredAt} · Source: ${f.source} · Severity: ${f.severity}`),
    ...f.details.map(([k, v]) =>
      new RichTextBlock().withInlines(new TextRun(`${k}: `, { weight: 'Bolder' }), new TextRun(v)),
    ),
  ];
}

/** The question to the manager: what happened to whom, and the three answers until they answer. */
export function managerQuestionCard(
  f: AlertFacts,
  workflowId: string,
  employee: string,
  answerBy: string,
): AdaptiveCard {
  const button = (answer: ManagerAnswer) =>
    new SubmitAction()
      .withTitle(t('en', `manager.${answer}`))
      .withData({ vouch: MANAGER_TEAMS_ACTION, workflowId, answer } satisfies ManagerAnswerData);
  return new AdaptiveCard(
    new TextBlock(withoutShortcodes(t('en', 'manager.intro', { employee })), { wrap: true }),
    ...alertLines(f),
    literal(t('en', 'manager.footer', { doesNotKnow: t('en', 'manager.does_not_know'), deadline: answerBy })),
  ).withActions(...MANAGER_ANSWERS.map(button));
}

/** The same card once answered (what they said) or expired: no buttons left. */
export function managerQuestionClosedCard(f: AlertFacts, answer?: ManagerAnswer): AdaptiveCard {
  const said = answer
    ? t('en', 'manager.recorded', { answer: t('en', `manager.${answer}`) })
    : t('en', 'manager.expired');
  return new AdaptiveCard(
    new TextBlock(withoutShortcodes(said), { wrap: true, weight: 'Bolder' }),
    ...alertLines(f),
  );
}
