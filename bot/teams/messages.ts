import type { Logger } from '../../lib/logger';
import type { TeamsConnector } from '../../lib/teams-connector';
import { type Language, t } from '../../shared/i18n';
import { interviewStatusOf } from '../../shared/interview-status';
import type { UntimedEvent } from '../../shared/record/events';
import { withoutCodes } from '../../shared/sealed-code';
import type { AlertStore } from '../../store/alerts';
import type { Collections } from '../../store/collections';
import type { directoryStore } from '../../store/directory';
import { LINK_TTL_MS, type enrollmentLinks } from '../../store/enrollment-links';
import type { secondFactors } from '../../store/second-factors';
import type { TeamsFollowUpStore } from '../../store/teams-follow-ups';
import { cardActivity } from '../../teams/card-message';
import { TEAMS_COMMANDS, helpCard, statusCard, teamsCommandOf } from '../../teams/status-card';
import { type InterviewGateway, InterviewNotFoundError } from '../interviews';
import { MAX_REPLY, withinReplyLimits } from '../reply-limits';
import type { TeamsActivity, TeamsReply } from './answers';
import { chatReplier, teamsSenderOf, withoutShortcodes } from './chat';
import type { Delivery, HeldAnswers } from '../held-answers';
import { type TeamsLocales, teamsLanguages } from './locale';

/** What the chat's text messages need, given by create-teams-bot.ts (and by tests). */
export interface TeamsMessageDeps {
  interviews: Pick<InterviewGateway, 'reply'>;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  alerts: Pick<AlertStore, 'ofEmployee'>;
  followUps: Pick<TeamsFollowUpStore, 'waitingIn' | 'answered'>;
  collections: Pick<Collections, 'claims'>;
  logger: Logger;
  /** Appends to an alert's audit trail, once per key. */
  audit(workflowId: string, key: string, entry: UntimedEvent): Promise<void>;
  /** Replies in the chat; absent, nothing is replied. */
  connector?: TeamsConnector;
  /** Where the locale Teams gives each person is kept (bot/teams/locale.ts). */
  locales?: TeamsLocales;
  /** Delivers an answer, or keeps it while Temporal is unreachable (bot/held-answers.ts). */
  held: Pick<HeldAnswers, 'deliverOrHold'>;
  /** `enroll`: single-use enrollment links on the answer page's host; absent, `enroll` says to ask the security team. */
  enrollment?: {
    links: Pick<ReturnType<typeof enrollmentLinks>, 'create'>;
    factors: Pick<ReturnType<typeof secondFactors>, 'isActive'>;
    publicUrl: string;
    /** Whether an operator's channel (Slack's security channel or the Teams one) can approve a pairing code. */
    operatorsConfigured: boolean;
  };
  now?: () => Date;
}

/** A message someone wrote, as far as this module reads it. */
export type TeamsTextActivity = TeamsActivity & {
  text?: string;
  conversation?: { id?: string; conversationType?: string };
};

/** How many of the employee's interviews `status` shows, open and recent each, as Slack's `/vouch status`. */
const STATUS_LIMIT = 5;

/** Text someone wrote to the bot in their 1:1 chat with it (not a card's button, not a channel post). */
export function isPersonalText(activity: TeamsTextActivity): boolean {
  return (
    activity.type === 'message' &&
    activity.value === undefined &&
    typeof activity.text === 'string' &&
    activity.conversation?.conversationType === 'personal'
  );
}

/**
 * The employee's own words in their Teams chat with Vouch: `status` (their checks, from the same data
 * as Slack's `/vouch status`, and whether their second factor is set up), `enroll`, `help`, and otherwise the answer to the follow-up question that waits
 * in this chat (an `employeeReply` signal, applied once per Teams message). Only the interviewed
 * employee answers: the person is the Entra object id Teams puts on the activity, named as the
 * directory knows them; anyone else is told so and recorded in the alert's audit trail. Any other
 * message gets the help. Anything shaped like a second-factor code is cut out before it goes on. An
 * answer Temporal cannot take now is kept and delivered later (bot/held-answers.ts), and the
 * employee told so. Everything is said in the language of the activity's locale.
 */
export function teamsMessages(deps: TeamsMessageDeps) {
  const now = deps.now ?? (() => new Date());
  const { languageOf } = teamsLanguages(deps.locales, deps.logger);

  /** The person behind an activity, as the interview's signals name them. */
  const principalOf = async (activity: TeamsActivity): Promise<string | undefined> =>
    (await teamsSenderOf(deps.directory, activity)).principal;

  const reply = chatReplier(deps);
  const say = (activity: TeamsActivity, text: string) =>
    reply(activity, { type: 'message', textFormat: 'plain', text: withoutShortcodes(text) });
  const sender = (activity: TeamsActivity, principal: string | undefined) =>
    principal ?? `teams:${activity.from?.id ?? '?'}`;

  async function status(activity: TeamsActivity, lang: Language): Promise<void> {
    const who = await teamsSenderOf(deps.directory, activity);
    const { open, closed } = who.principal
      ? await deps.alerts.ofEmployee(who.principal, STATUS_LIMIT)
      : { open: [], closed: [] };
    const enrolled =
      deps.enrollment && who.factorKey ? await deps.enrollment.factors.isActive(who.factorKey) : undefined;
    await reply(
      activity,
      cardActivity(statusCard(open.map(interviewStatusOf), closed.map(interviewStatusOf), lang, enrolled)),
    );
  }

  /**
   * A single-use enrollment link for the person writing, as Slack's `/vouch enroll` gives: kept under their
   * factor key, approved by an operator's pairing code unless they prove a factor they already have.
   */
  async function enroll(activity: TeamsActivity, lang: Language): Promise<void> {
    const { factorKey } = await teamsSenderOf(deps.directory, activity);
    const e = deps.enrollment;
    if (!e) return say(activity, t(lang, 'teams.enroll.needsOperator'));
    if (!factorKey) return say(activity, t(lang, 'teams.enroll.unknown'));
    if (!e.operatorsConfigured && !(await e.factors.isActive(factorKey)))
      return say(activity, t(lang, 'teams.enroll.needsOperator'));
    const { token } = await e.links.create(factorKey, now());
    await say(
      activity,
      t(lang, 'enroll.link', { url: `${e.publicUrl}/enroll/${token}`, minutes: LINK_TTL_MS / 60_000 }),
    );
  }

  async function answer(
    activity: TeamsActivity,
    text: string,
    waiting: { workflowId: string; n: number; employee: string; conversationId: string },
    principal: string | undefined,
    lang: Language,
  ): Promise<void> {
    const isEmployee = principal === waiting.employee;
    if (!(await withinReplyLimits(deps, waiting.workflowId, sender(activity, principal), isEmployee))) return;
    if (principal === undefined || !isEmployee) {
      await deps.audit(waiting.workflowId, `teams-reply:${activity.id ?? ''}`, {
        actor: sender(activity, principal),
        kind: 'unauthorized_reply',
      });
      return say(activity, t(lang, 'reply.notYourAlert'));
    }
    const cleaned = withoutCodes(text).slice(0, MAX_REPLY).trim();
    if (!cleaned) return;
    let delivery: Delivery;
    try {
      delivery = await deps.held.deliverOrHold(waiting.workflowId, {
        signal: 'employeeReply',
        // Teams redelivers an activity with the same id: the same reply id, applied once.
        payload: {
          replyId: `teams:${waiting.conversationId}:${activity.id ?? ''}`,
          slackUserId: principal,
          text: cleaned,
        },
      });
    } catch (err) {
      if (!(err instanceof InterviewNotFoundError)) throw err;
      await deps.followUps.answered(waiting.workflowId, waiting.n); // the interview is over
      return reply(activity, cardActivity(helpCard(lang)));
    }
    if (delivery === 'lost') return say(activity, t(lang, 'reply.notSaved'));
    await deps.followUps.answered(waiting.workflowId, waiting.n);
    if (delivery === 'held') await say(activity, t(lang, 'reply.held'));
  }

  return async function handleText(activity: TeamsTextActivity): Promise<TeamsReply> {
    const text = withoutMentions(activity.text ?? '');
    const conversationId = activity.conversation?.id?.split(';')[0];
    if (!conversationId) return { status: 200 };
    const principal = await principalOf(activity);
    const lang = await languageOf(activity);
    const command = teamsCommandOf(text);
    // A command is one word, never an answer: the employee can look at their checks while a question waits.
    const waiting = command ? undefined : await deps.followUps.waitingIn(conversationId, now());
    if (waiting) {
      await answer(activity, text, { ...waiting, workflowId: waiting._id }, principal, lang);
      return { status: 200 };
    }
    if (!(await withinReplyLimits(deps, 'teams-chat', sender(activity, principal), false)))
      return { status: 200 };
    if (command === TEAMS_COMMANDS.status) await status(activity, lang);
    else if (command === TEAMS_COMMANDS.enroll) await enroll(activity, lang);
    else await reply(activity, cardActivity(helpCard(lang)));
    return { status: 200 };
  };
}

/** Teams puts an @mention of the bot into the text as `<at>Vouch</at>`. */
function withoutMentions(text: string): string {
  return text.replace(/<at>[^<]*<\/at>/g, '').trim();
}
