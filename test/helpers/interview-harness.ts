import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SlackRateLimiter } from '../../activities/slack-rate-limiter';
import { createSlackQueueWorker } from '../../worker/slack-queue-worker';
import { createRollupQueueWorker } from '../../worker/rollup-queue-worker';
import { attemptClock } from '../../activities/attempt-clock';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type Activities, type ActivityDeps } from '../../activities';
import { createSlackClient } from '../../activities/slack-client';
import type { LlmConfig } from '../../lib/config';
import { createLogger, type Logger } from '../../lib/logger';
import { seal } from '../../lib/secret-box';
import { codeAt, generateSecret } from '../../lib/totp';
import { startInterview } from '../../producer';
import type { AlertInputDraft } from '../../shared/alert';
import { SEARCH_ATTRIBUTES } from '../../shared/constants';
import {
  type EmployeeAnswer,
  employeeResponse,
  interviewState,
  operatorAction,
  submitSecondFactor,
} from '../../shared/messages';
import type { Policy } from '../../shared/policy';
import { sealedCodeContext } from '../../shared/sealed-code';
import { collections, ensureIndexes } from '../../store/collections';
import { SlackStandIn } from './slack-stand-in';
import { devServerConnections, isolatedMongo, testServers, uniqueName } from './servers';
import type { InterviewResult } from '../../workflows/alert-interview';

/**
 * Everything an interview test needs, all real: a Temporal server (time-skipping, or the suite's dev
 * server), a worker running the real workflows and activities on its own task queue, its own database
 * on FerretDB, and the Slack stand-in.
 */
export const SECURITY_CHANNEL = 'CSECURITY';
export const ANA = { id: 'UANA0001', email: 'ana@example.com', name: 'Ana Lima', tz: 'Europe/Lisbon' };
export const BOB = { id: 'UBOB0002', email: 'bob@example.com', name: 'Bob Stone', tz: 'America/New_York' };

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return bundlePromise;
}

export interface Harness {
  client: Client;
  slack: SlackStandIn;
  mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  key: Buffer;
  taskQueue: string;
  activities: Activities;
  /**
   * Activities to run instead of the real ones, by name (set and cleared by a test): how a test forces
   * a failure in one step while everything else stays real. Only with `overridable: true`.
   */
  overrides: Partial<Activities>;
  env?: TestWorkflowEnvironment;
  worker: Worker;
  /** Runs the worker in the background until `teardown`. */
  running: Promise<void>;
  /** The worker of the Slack task queue (DMs, reminders, posts), running beside it until `teardown`. */
  slackWorker: Worker;
  /** The worker of the rollup task queue (the employees' coordinators), likewise. */
  rollupWorker: Worker;
  /** Policies this harness stores get `rollup.enabled: false` unless they say otherwise. */
  rollupOff: boolean;
  teardown(): Promise<void>;
}

/** A harness on the suite's Temporal dev server, with connections of its own that its teardown closes. */
export async function createDevServerHarness(
  opts: Omit<Parameters<typeof createHarness>[0], 'timeSkipping' | 'client' | 'nativeConnection'> = {},
): Promise<Harness> {
  const conns = await devServerConnections();
  try {
    const harness = await createHarness({
      ...opts,
      timeSkipping: false,
      client: conns.client,
      nativeConnection: conns.nativeConnection,
    });
    const teardown = harness.teardown;
    harness.teardown = async () => {
      await teardown();
      await conns.close();
    };
    return harness;
  } catch (err) {
    await conns.close();
    throw err;
  }
}

export async function createHarness(opts: {
  timeSkipping: boolean;
  client?: Client;
  nativeConnection?: Worker['options']['connection'];
  /** The AI interviewer's model (a stand-in); without it, follow-ups are scripted. */
  llm?: LlmConfig;
  /** The activities' logger (default: silent). */
  logger?: Logger;
  /** More activity dependencies, e.g. escalation targets pointed at local stand-ins. */
  activityDeps?: Partial<ActivityDeps>;
  /** The worker's data converter, e.g. Vouch's payload encryption. */
  dataConverter?: DataConverter;
  /** Lets a test replace single activities through `harness.overrides`. */
  overridable?: boolean;
  /** The Slack client's rate limiter (default: Slack's budgets, as in production). */
  slackRateLimiter?: SlackRateLimiter;
  /**
   * Group alert storms as production does (policy `rollup` on by default). Off by default here: each
   * test file's alerts for Ana and Bob are separate interviews, as their assertions expect; the storm
   * tests turn it on.
   */
  rollup?: boolean;
}): Promise<Harness> {
  const slack = await new SlackStandIn().addUser(ANA).addUser(BOB).start();
  const mongo = await isolatedMongo();
  await ensureIndexes(mongo.db);
  const key = randomBytes(32);
  const taskQueue = uniqueName('iv');
  const env = opts.timeSkipping
    ? await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServers.timeSkippingServer } },
      })
    : undefined;
  const client = env ? env.client : opts.client!;
  if (env)
    // The time-skipping server starts with no custom search attributes: register Vouch's (Keyword = 2).
    await env.client.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((name) => [name, 2])),
    });
  const activities = createActivities({
    db: mongo.db,
    logger: opts.logger ?? createLogger('test', 'silent'),
    slack: createSlackClient('xoxb-test-token', slack.url, opts.slackRateLimiter),
    securityChannel: SECURITY_CHANNEL,
    encryptionKey: key,
    llm: opts.llm,
    ...opts.activityDeps,
  });
  const overrides: Partial<Activities> = {};
  const workerActivities = opts.overridable ? overridable(activities, overrides) : activities;
  const connection = env ? env.nativeConnection : opts.nativeConnection!;
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: workerActivities,
    interceptors: { activity: [attemptClock] },
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
  const slackWorker = await createSlackQueueWorker({
    connection,
    taskQueue,
    activities: workerActivities,
    activitiesPerSecond: 50,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
  const rollupWorker = await createRollupQueueWorker({
    connection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
  const slackRunning = slackWorker.run();
  const rollupRunning = rollupWorker.run();
  const harness: Harness = {
    rollupOff: !opts.rollup,
    client,
    slack,
    mongo,
    key,
    taskQueue,
    activities,
    overrides,
    env,
    worker,
    running: worker.run(),
    slackWorker,
    rollupWorker,
    async teardown() {
      if (harness.worker.getState() === 'RUNNING') harness.worker.shutdown();
      for (const w of [slackWorker, rollupWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all([
        harness.running.catch(() => {}),
        slackRunning.catch(() => {}),
        rollupRunning.catch(() => {}),
      ]);
      await env?.teardown();
      await slack.stop();
      await mongo.drop();
    },
  };
  if (harness.rollupOff) await setPolicy(harness, 'default', {});
  return harness;
}

function overridable(real: Activities, overrides: Partial<Activities>): Activities {
  type Fn = (...args: unknown[]) => unknown;
  const byName = real as unknown as Record<string, Fn>;
  const over = overrides as Record<string, Fn | undefined>;
  const wrapped = Object.keys(real).map((name) => [
    name,
    (...args: unknown[]) => (over[name] ?? byName[name]!)(...args),
  ]);
  return Object.fromEntries(wrapped) as unknown as Activities;
}

export function alertFor(employee: { email: string }, over: Partial<AlertInputDraft> = {}): AlertInputDraft {
  return {
    id: uniqueName('alert'),
    type: 'aws.admin_added',
    title: 'New admin added to the AWS account',
    description: 'IAM user was added to Administrators.',
    severity: 'high',
    occurredAt: '2026-11-21T10:15:00Z',
    source: 'cloudtrail',
    employee: { email: employee.email },
    details: { sourceIp: '203.0.113.7', account: '123456789012' },
    sensitiveKeys: ['account'],
    ...over,
  };
}

export async function start(h: Harness, alert: AlertInputDraft) {
  const started = await startInterview(h.client, alert, { taskQueue: h.taskQueue });
  return started.handle;
}

export async function setPolicy(
  h: Harness,
  alertType: string,
  policy: Partial<Record<keyof Policy, unknown>>,
) {
  await whileBusy(() =>
    collections(h.mongo.db).policies.updateOne(
      { _id: alertType },
      {
        $set: {
          ...(h.rollupOff && !('rollup' in policy) ? { rollup: { enabled: false } } : {}),
          ...policy,
          updatedAt: new Date(),
          updatedBy: 'test',
        },
      },
      { upsert: true },
    ),
  );
}

/**
 * Enrolls an employee with an active TOTP secret (sealed as the enrollment flow stores it); `sealWith`
 * seals it under another key than the worker's, as after a botched rotation.
 */
export async function enroll(h: Harness, slackUserId: string, sealWith = h.key): Promise<string> {
  const secret = generateSecret();
  await whileBusy(() =>
    collections(h.mongo.db).secondFactors.updateOne(
      { _id: slackUserId },
      {
        $set: {
          updatedAt: new Date(),
          secondFactor: {
            box: seal(sealWith, secret, slackUserId),
            active: true,
            enrolledAt: new Date(),
            enrolledBy: 'test',
            lastStep: -1,
            failures: 0,
            lockouts: 0,
          },
        },
      },
      { upsert: true },
    ),
  );
  return secret;
}

/**
 * A test's own write, retried while FerretDB's SQLite answers "database is locked" (SQLITE_BUSY): under a
 * full suite many interviews write at once, and the activities retry such errors through Temporal.
 */
export async function whileBusy<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= 20 || !/SQLITE_BUSY|database is locked/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

type Handle = Awaited<ReturnType<typeof start>>;

export const answer = (h: Handle, slackUserId: string, a: EmployeeAnswer, justification?: string) =>
  h.signal(employeeResponse, { responseId: randomUUID(), slackUserId, answer: a, justification });

export const act = (
  h: Handle,
  action: 'approve' | 'skip' | 'escalate' | 'close' | 'cancel',
  operator = 'UOPS0001',
  note?: string,
) => h.signal(operatorAction, { actionId: randomUUID(), operator, action, note });

export function sealedCode(harness: Harness, handle: Handle, slackUserId: string, code: string): string {
  return seal(harness.key, code, sealedCodeContext(handle.workflowId, slackUserId));
}

export const submitCode = (harness: Harness, handle: Handle, slackUserId: string, code: string) =>
  handle.executeUpdate(submitSecondFactor, {
    args: [{ responseId: randomUUID(), slackUserId, code: sealedCode(harness, handle, slackUserId, code) }],
  });

export const validCode = (secret: string) => codeAt(secret, Date.now());

export const state = (h: Handle) => h.query(interviewState);

/** Waits until the interview DM reached the stand-in. */
export async function dmSent(h: Harness, handle: Handle) {
  return h.slack.waitForCall(
    'chat.postMessage',
    (c) =>
      String(c.args.channel).startsWith('D') &&
      JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
  );
}

export type { InterviewResult };

/**
 * The run's result; a run still open after `ms` fails with its history's last events, so a hang
 * says where it waits instead of only running into the test's timeout.
 */
export async function resultWithin(handle: Handle, ms = 40_000): Promise<InterviewResult> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      handle.fetchHistory().then(
        (history) => {
          const tail = (history.events ?? []).slice(-15).map((e) => {
            const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
            return `${String(e.eventId)} ${String(e.eventType)}${activity ? ` ${activity}` : ''}`;
          });
          reject(
            new Error(`${handle.workflowId} still open after ${ms} ms; last events:\n${tail.join('\n')}`),
          );
        },
        (err: Error) => reject(new Error(`${handle.workflowId} still open after ${ms} ms (${err.message})`)),
      );
    }, ms);
  });
  try {
    return await Promise.race([handle.result(), hung]);
  } finally {
    clearTimeout(timer);
  }
}
