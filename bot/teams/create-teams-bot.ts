import type http from 'node:http';
import type { Db } from 'mongodb';
import type { TeamsConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { teamsConnector } from '../../lib/teams-connector';
import { collections } from '../../store/collections';
import { alertStore } from '../../store/alerts';
import { directoryStore } from '../../store/directory';
import { teamsFollowUpStore } from '../../store/teams-follow-ups';
import { auditTrail } from '../create-bot';
import type { InterviewGateway } from '../interviews';
import { teamsAnswers } from './answers';
import { isPersonalText, teamsMessages } from './messages';
import { createTeamsServer } from './server';
import { botFrameworkTokenCheck } from './token-check';

/** The Teams endpoint with its dependencies, from the config and the bot's connections. */
export function createTeamsBot(
  teams: TeamsConfig,
  config: { encryptionKey?: Buffer },
  logger: Logger,
  interviews: InterviewGateway,
  db: Db,
): http.Server {
  const c = collections(db);
  const connector = teamsConnector(teams);
  const messages = teamsMessages({
    interviews,
    directory: directoryStore(c),
    alerts: alertStore(c),
    followUps: teamsFollowUpStore(c),
    collections: c,
    logger,
    audit: auditTrail(db),
    connector,
  });
  const answers = teamsAnswers({
    interviews,
    directory: directoryStore(c),
    alerts: alertStore(c),
    encryptionKey: config.encryptionKey,
    logger,
    audit: auditTrail(db),
    connector,
    operatorsConversation: teams.operatorsConversation,
    operators: teams.operators,
  });
  return createTeamsServer({
    check: botFrameworkTokenCheck(teams),
    // Text written in the 1:1 chat (answers to follow-ups, `status`, `help`); everything else is the card's.
    handle: (activity) => (isPersonalText(activity) ? messages(activity) : answers(activity)),
    logger,
  });
}
