import { AdaptiveCard, type CardElement, RichTextBlock, TextBlock, TextRun } from '@microsoft/teams.cards';
import { type InterviewStatus, statusWords } from '../shared/interview-status';
import { type Language, t } from '../shared/i18n';
import { formatTime } from '../web/interview-mail';

/**
 * What the employee's Teams chat with Vouch answers besides the interview: their checks and whether
 * their second factor is set up (`status`, what Slack's `/vouch status` and App Home show), a link to
 * set one up (`enroll`) and what they can write (`help`), in the employee's language. The commands are the same words in every language (the app manifest lists them). Alert
 * titles go into TextRuns, shown literally.
 */

/** What the employee may write to the bot in their chat. */
export const TEAMS_COMMANDS = { status: 'status', enroll: 'enroll', help: 'help' } as const;
export type TeamsCommand = (typeof TEAMS_COMMANDS)[keyof typeof TEAMS_COMMANDS];

const heading = (text: string) => new TextBlock(text, { wrap: true, weight: 'Bolder' });

function statusLine(s: InterviewStatus, lang: Language): CardElement {
  return new RichTextBlock().withInlines(
    new TextRun(s.title, { weight: 'Bolder' }),
    new TextRun(` (${formatTime(s.createdAt)}): ${statusWords(s, lang)}`),
  );
}

/**
 * The employee's open checks, then their recent outcomes (newest first, as the data comes), then
 * whether their second factor is set up (`enrolled` undefined: Vouch does not know them by a key).
 */
export function statusCard(
  open: InterviewStatus[],
  recent: InterviewStatus[],
  lang: Language,
  enrolled?: boolean,
): AdaptiveCard {
  const line = (s: InterviewStatus) => statusLine(s, lang);
  const elements: CardElement[] = open.length
    ? [
        heading(t(lang, 'teams.status.open', { count: open.length })),
        ...open.map(line),
        new TextBlock(t(lang, 'teams.status.answerOnCards'), { wrap: true, isSubtle: true }),
      ]
    : [heading(t(lang, 'status.noneOpen'))];
  if (recent.length) elements.push(heading(t(lang, 'teams.status.recent')), ...recent.map(line));
  if (enrolled !== undefined)
    elements.push(
      new TextBlock(t(lang, enrolled ? 'teams.status.enrolled' : 'teams.status.notEnrolled'), { wrap: true }),
    );
  return new AdaptiveCard(...elements);
}

export function helpCard(lang: Language): AdaptiveCard {
  return new AdaptiveCard(
    new TextBlock(t(lang, 'teams.help.about'), { wrap: true }),
    new TextBlock(`**${TEAMS_COMMANDS.status}**: ${t(lang, 'teams.help.status')}`, { wrap: true }),
    new TextBlock(`**${TEAMS_COMMANDS.enroll}**: ${t(lang, 'teams.help.enroll')}`, { wrap: true }),
    new TextBlock(`**${TEAMS_COMMANDS.help}**: ${t(lang, 'teams.help.help')}`, { wrap: true }),
  );
}

/** The command a message names, if it is one: the word alone, in any case, with or without a slash. */
export function teamsCommandOf(text: string): TeamsCommand | undefined {
  const word = text.trim().toLowerCase().replace(/^\//, '');
  return Object.values(TEAMS_COMMANDS).find((c) => c === word);
}
