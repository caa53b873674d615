import type http from 'node:http';
import type { Db } from 'mongodb';
import type { TeamsConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { teamsConnector } from '../../lib/teams-connector';
import { collections } from '../../store/collections';
import { alertStore } from '../../store/alerts';
import { employeeCache } from '../../store/employee-cache';
import { enrollmentLinks } from '../../store/enrollment-links';
import { heldAnswerStore } from '../../store/held-answers';
import { secondFactors } from '../../store/second-factors';
import { teamsDirectory } from '../../store/teams-directory';
import { teamsFollowUpStore } from '../../store/teams-follow-ups';
import { auditTrail } from '../create-bot';
import type { InterviewGateway } from '../interviews';
import { teamsAnswers } from './answers';
import { type HeldAnswers, heldAnswers } from '../held-answers';
import { teamsEnrollmentActions } from './enrollment-actions';
import { teamsLanguages } from './locale';
import { isPersonalText, teamsMessages } from './messages';
import { createTeamsServer } from './server';
import { botFrameworkTokenCheck } from './token-check';

/** The Teams endpoint with its dependencies, from the config and the bot's connections. */
export function createTeamsBot(
  teams: TeamsConfig,
  /** `publicUrl`: where the answer page is served (VOUCH_PUBLIC_URL); without it, the dialog offers no passkey. */
  config: {
    encryptionKey?: Buffer;
    publicUrl?: string;
    slack?: { botToken?: string; securityChannel?: string };
  },
  logger: Logger,
  interviews: InterviewGateway,
  db: Db,
  /** The process's held answers, delivered by the bot (bot/create-bot.ts); without it, the endpoint delivers its own. */
  shared?: HeldAnswers,
): http.Server {
  const c = collections(db);
  const locales = employeeCache(c);
  const languages = teamsLanguages(locales, logger);
  const connector = teamsConnector(teams);
  // Senders by Entra object id: the directory, then whom Microsoft Graph named for an interview.
  const directory = teamsDirectory(c);
  const held = shared ?? heldAnswers({ store: heldAnswerStore(c), interviews, logger });
  const messages = teamsMessages({
    interviews,
    directory,
    alerts: alertStore(c),
    followUps: teamsFollowUpStore(c),
    collections: c,
    logger,
    audit: auditTrail(db),
    connector,
    locales,
    held,
    ...(config.publicUrl
      ? {
          enrollment: {
            links: enrollmentLinks(c),
            factors: secondFactors(c, config.encryptionKey),
            publicUrl: config.publicUrl,
            operatorsConfigured: Boolean(
              teams.operatorsConversation || (config.slack?.botToken && config.slack.securityChannel),
            ),
          },
        }
      : {}),
  });
  const answers = teamsAnswers({
    interviews,
    directory,
    alerts: alertStore(c),
    encryptionKey: config.encryptionKey,
    logger,
    audit: auditTrail(db),
    connector,
    operatorsConversation: teams.operatorsConversation,
    operators: teams.operators,
    locales,
    held,
    ...(config.publicUrl
      ? {
          passkeys: {
            collections: c,
            publicUrl: config.publicUrl,
            factors: secondFactors(c, config.encryptionKey),
          },
        }
      : {}),
  });
  const enrollment = teamsEnrollmentActions({
    links: enrollmentLinks(c),
    directory,
    connector,
    logger,
    operatorsConversation: teams.operatorsConversation,
    operators: teams.operators,
  });
  const server = createTeamsServer({
    check: botFrameworkTokenCheck(teams),
    // Text written in the 1:1 chat (answers to follow-ups, `status`, `help`); everything else is the card's.
    handle: async (activity) => {
      // Every activity carries the user's locale: kept for the cards Vouch sends them unprompted.
      await languages.remember(activity);
      const enrollmentReply = await enrollment(activity);
      if (enrollmentReply) return enrollmentReply;
      return isPersonalText(activity) ? messages(activity) : answers(activity);
    },
    logger,
  });
  if (!shared) {
    // What an outage, a crash or a restart left held goes to the interviews now, and then as Temporal allows.
    const stopDelivering = held.start();
    server.on('close', stopDelivering);
  }
  return server;
}
