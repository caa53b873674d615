import { Client } from '@temporalio/client';
import { ClosableConnection } from '../lib/temporal-connection';
import type { App } from '@slack/bolt';
import type { Db } from 'mongodb';
import type { BotDeps } from './deps';
import { type Config, missingForSlack } from '../lib/config';
import type { Logger } from '../lib/logger';
import { alertStore } from '../store/alerts';
import { collections } from '../store/collections';
import { connectMongo } from '../store/mongo';
import { createBotApp } from './app';
import { createInterviewGateway } from './interviews';
import { heldAnswers } from './held-answers';
import { heldAnswerStore } from '../store/held-answers';
import { operatorCheck } from './operators';
import { enrollmentLinks } from '../store/enrollment-links';
import { answerLinks } from '../store/answer-links';
import { secondFactors } from '../store/second-factors';
import { passkeyCeremonies, relyingParty } from '../store/passkey-ceremonies';
import { passkeyProofs } from '../store/passkey-proofs';
import { passkeyStore } from '../store/passkeys';
import { payloadKeys, vouchDataConverter } from '../lib/payload-codec';
import type { InterviewEvent } from '../shared/record/events';

/** The bot's audit trail: entries appended to the alert behind a workflow id, once per key. */
export function auditTrail(db: Db): BotDeps['audit'] {
  const alerts = alertStore(collections(db));
  return async (workflowId, key, entry) => {
    await alerts.appendAudit(workflowId.replace(/^alert-/, ''), key, {
      ...entry,
      at: new Date().toISOString(),
    } as InterviewEvent);
  };
}

/** Everything the listeners need, from the config and the two connections. */
export function botDeps(config: Config, logger: Logger, client: Client, db: Db): BotDeps {
  const c = collections(db);
  const interviews = createInterviewGateway(client);
  return {
    interviews,
    logger,
    held: heldAnswers({ store: heldAnswerStore(c), interviews, logger }),
    encryptionKey: config.encryptionKey,
    isOperator: operatorCheck(config.slack.operators),
    audit: auditTrail(db),
    threadOwner: async (channel, threadTs) => {
      const thread = await collections(db).threads.findOne({ _id: `${channel}:${threadTs}` });
      return thread && { workflowId: thread.workflowId, slackUserId: thread.slackUserId };
    },
    alerts: alertStore(c),
    collections: c,
    factors: secondFactors(c, config.encryptionKey),
    links: enrollmentLinks(c),
    answerLinks: answerLinks(c),
    passkeys: passkeyCeremonies(c, relyingParty(config.publicUrl)),
    passkeyProofs: passkeyProofs(c),
    passkeyStore: passkeyStore(c),
    publicUrl: config.publicUrl,
    securityChannel: config.slack.securityChannel,
  };
}

/** The bot with its connections: Temporal (lazy, so an outage does not stop the bot) and MongoDB; Slack's app when configured. */
export async function createBot(
  config: Config,
  logger: Logger,
): Promise<{
  app?: App;
  close: () => Promise<void>;
  interviews: BotDeps['interviews'];
  db: Db;
  deps: BotDeps;
}> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db);
  const temporal = ClosableConnection.lazy({ address: config.temporal.address });
  const client = new Client({
    connection: temporal.connection,
    namespace: config.temporal.namespace,
    dataConverter: vouchDataConverter(payloadKeys(config)),
  });
  const deps = botDeps(config, logger, client, mongo.db);
  // An organisation on Teams alone has no Slack app to start.
  const app = missingForSlack(config).length === 0 ? createBotApp(config, logger, deps) : undefined;
  // What an outage, a crash or a restart left held goes to the interviews now, and then as Temporal
  // allows: one loop for the process, Slack's answers and Teams'.
  const stopDelivering = deps.held.start();
  return {
    app,
    deps,
    interviews: deps.interviews,
    db: mongo.db,
    close: async () => {
      stopDelivering();
      await temporal.close();
      await mongo.close();
    },
  };
}
