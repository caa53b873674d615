import { AdaptiveCard, type CardElement, RichTextBlock, TextBlock, TextRun } from '@microsoft/teams.cards';
import { type InterviewStatus, statusWords } from '../shared/interview-status';
import { t } from '../shared/i18n';
import { formatTime } from '../web/interview-mail';

/**
 * What the employee's Teams chat with Vouch answers besides the interview: their checks (`status`,
 * from the same data as Slack's `/vouch status`) and what they can write (`help`). Alert titles go into
 * TextRuns, shown literally.
 */

const lang = 'en' as const;

/** What the employee may write to the bot in their chat. */
export const TEAMS_COMMANDS = { status: 'status', help: 'help' } as const;
export type TeamsCommand = (typeof TEAMS_COMMANDS)[keyof typeof TEAMS_COMMANDS];

const heading = (text: string) => new TextBlock(text, { wrap: true, weight: 'Bolder' });

function statusLine(s: InterviewStatus): CardElement {
  return new RichTextBlock().withInlines(
    new TextRun(s.title, { weight: 'Bolder' }),
    new TextRun(` (${formatTime(s.createdAt)}): ${statusWords(s, lang)}`),
  );
}

/** The employee's open checks, then their recent outcomes (newest first, as the data comes). */
export function statusCard(open: InterviewStatus[], recent: InterviewStatus[]): AdaptiveCard {
  const elements: CardElement[] = open.length
    ? [
        heading(`Open checks (${open.length})`),
        ...open.map(statusLine),
        new TextBlock('Answer them on their cards in this chat.', { wrap: true, isSubtle: true }),
      ]
    : [heading(t(lang, 'status.noneOpen'))];
  if (recent.length) elements.push(heading('Recent'), ...recent.map(statusLine));
  return new AdaptiveCard(...elements);
}

export function helpCard(): AdaptiveCard {
  return new AdaptiveCard(
    new TextBlock(
      'Vouch asks you here to confirm security alerts about your account, on a card with Yes and No.',
      { wrap: true },
    ),
    new TextBlock(`**${TEAMS_COMMANDS.status}**: your open checks and recent outcomes`, { wrap: true }),
    new TextBlock(`**${TEAMS_COMMANDS.help}**: this message`, { wrap: true }),
  );
}

/** The command a message names, if it is one: the word alone, in any case, with or without a slash. */
export function teamsCommandOf(text: string): TeamsCommand | undefined {
  const word = text.trim().toLowerCase().replace(/^\//, '');
  return Object.values(TEAMS_COMMANDS).find((c) => c === word);
}
