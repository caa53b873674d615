import type http from 'node:http';
import type { Db } from 'mongodb';
import type { TeamsConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { teamsConnector } from '../../lib/teams-connector';
import { collections } from '../../store/collections';
import { alertStore } from '../../store/alerts';
import { directoryStore } from '../../store/directory';
import { auditTrail } from '../create-bot';
import type { InterviewGateway } from '../interviews';
import { teamsAnswers } from './answers';
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
  return createTeamsServer({
    check: botFrameworkTokenCheck(teams),
    handle: teamsAnswers({
      interviews,
      directory: directoryStore(c),
      alerts: alertStore(c),
      encryptionKey: config.encryptionKey,
      logger,
      audit: auditTrail(db),
      connector: teamsConnector(teams),
      operatorsConversation: teams.operatorsConversation,
      operators: teams.operators,
    }),
    logger,
  });
}
