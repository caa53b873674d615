import type http from 'node:http';
import type { Db } from 'mongodb';
import type { TeamsConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { teamsConnector } from '../../lib/teams-connector';
import { collections } from '../../store/collections';
import { alertStore } from '../../store/alerts';
import { directoryStore } from '../../store/directory';
import { employeeCache } from '../../store/employee-cache';
import { secondFactors } from '../../store/second-factors';
import { auditTrail } from '../create-bot';
import type { InterviewGateway } from '../interviews';
import { teamsAnswers } from './answers';
import { createTeamsServer } from './server';
import { botFrameworkTokenCheck } from './token-check';

/** The Teams endpoint with its dependencies, from the config and the bot's connections. */
export function createTeamsBot(
  teams: TeamsConfig,
  /** `publicUrl`: where the answer page is served (VOUCH_PUBLIC_URL); without it, the dialog offers no passkey. */
  config: { encryptionKey?: Buffer; publicUrl?: string },
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
      locales: employeeCache(c),
      ...(config.publicUrl
        ? {
            passkeys: {
              collections: c,
              publicUrl: config.publicUrl,
              factors: secondFactors(c, config.encryptionKey),
            },
          }
        : {}),
    }),
    logger,
  });
}
