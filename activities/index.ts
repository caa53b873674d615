import { ApplicationFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import type { Db } from 'mongodb';
import type { AlertInput } from '../shared/alert';
import { type Outcome, isEscalation } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import { DEFAULT_POLICY, type Policy, policySchema } from '../shared/policy';
import { sealedCodeContext } from '../shared/sealed-code';
import { addWorkingTime } from '../shared/working-hours';
import type { LlmConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import { SecretBoxError, open } from '../lib/secret-box';
import { alertStore } from '../store/alerts';
import { sentStore } from '../store/sent';
import { type Collections, collections } from '../store/collections';
import { alertFingerprint } from './fingerprint';
import { type FollowUpQuestion, createInterviewerActivities } from './interviewer';
import { verifyTotp, type VerifyOutcome } from './second-factor';
import { createEmployeeResolver, type EmployeeInfo } from './employees';
import { SlackNotConfiguredError, slackCall } from './slack-client';
import {
  approvalRequest,
  escalationReport,
  interviewMessage,
  outcomeForEmployee,
  reminderMessage,
} from './slack-messages';

/** Dependencies of the activities, given by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  logger: Logger;
  slack?: WebClient;
  securityChannel?: string;
  encryptionKey?: Buffer;
  temporalUiUrl?: string;
  namespace?: string;
  now?: () => Date;
  /** The AI interviewer's language model; without it follow-ups are scripted and no summary is written. */
  llm?: LlmConfig;
}

export interface PreparedInterview {
  employee: EmployeeInfo | null;
  policy: Policy;
  policySource: string;
  fingerprint: string;
  suppression: { id: string; createdByAlertId: string; expiresAt: string } | null;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * All activities. Each is idempotent: a side effect (a Slack message) is recorded in `sent` under
 * `<workflowId>:<step>` and a retry returns the recorded result instead of sending again.
 */
export function createActivities(deps: ActivityDeps) {
  const c = collections(deps.db);
  const alerts = alertStore(c, deps.now);
  const sent = sentStore(c, deps.now);
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  const resolveEmployee = createEmployeeResolver(c, deps.slack);

  const slack = (): WebClient => {
    if (!deps.slack)
      throw new SlackNotConfiguredError(
        'SLACK_BOT_TOKEN is not set: Vouch cannot message anyone until it is (retrying)',
      );
    return deps.slack;
  };
  const uiLink = (workflowId: string) =>
    `${deps.temporalUiUrl ?? 'http://localhost:8233'}/namespaces/${deps.namespace ?? 'default'}/workflows/${encodeURIComponent(workflowId)}`;

  async function once<T extends Record<string, unknown>>(key: string, send: () => Promise<T>): Promise<T> {
    const done = await sent.get(key);
    if (done) return done as T;
    return (await sent.record(key, await send())) as T;
  }

  async function loadAlert(alertId: string): Promise<AlertInput> {
    const doc = await alerts.get(alertId);
    if (!doc)
      throw ApplicationFailure.create({
        type: 'AlertNotFound',
        message: `alert ${alertId} is not stored`,
        nonRetryable: true,
      });
    return doc.input;
  }

  async function loadPolicy(alertType: string): Promise<{ policy: Policy; source: string }> {
    const docs = await c.policies.find({ _id: { $in: [alertType, 'default'] } }).toArray();
    for (const id of [alertType, 'default']) {
      const doc = docs.find((d) => d._id === id);
      if (!doc) continue;
      const { _id, updatedAt: _u, updatedBy: _b, ...settings } = doc;
      const parsed = policySchema.safeParse(settings);
      if (parsed.success) return { policy: parsed.data, source: `policies/${_id}` };
      log.warn({ policy: _id, issues: parsed.error.issues }, 'stored policy is invalid; falling back');
    }
    return { policy: DEFAULT_POLICY, source: 'built-in default' };
  }

  async function openDm(slackUserId: string): Promise<string> {
    const opened = await slackCall('conversations.open', () =>
      slack().conversations.open({ users: slackUserId }),
    );
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    return channel;
  }

  return {
    async noop(label: string): Promise<string> {
      return label;
    },

    /** Stores the alert, resolves the employee, loads the policy and looks for a live suppression. */
    async prepareInterview(input: { alert: AlertInput; workflowId: string }): Promise<PreparedInterview> {
      const { alert, workflowId } = input;
      const stored = await alerts.createOnce(alert, workflowId);
      const { policy, source } = await loadPolicy(alert.type);
      const employee = await resolveEmployee(alert.employee, now());
      // Who is asked, by Slack id: the bot finds an employee's interviews by it (/vouch status, App Home).
      if (employee && stored.employeeSlackId !== employee.slackUserId)
        await alerts.setEmployee(alert.id, employee.slackUserId);
      const fingerprint = alertFingerprint(alert, policy.suppression.keys);
      let suppression: PreparedInterview['suppression'] = null;
      if (employee && parseDuration(policy.suppression.window) > 0) {
        // One suppression per scope, found by _id (FerretDB scans the collection for any other filter).
        const found = await c.suppressions.findOne({
          _id: suppressionId(employee.slackUserId, alert.type, fingerprint),
        });
        if (found && found.expiresAt > now())
          suppression = {
            id: found._id,
            createdByAlertId: found.createdByAlertId,
            expiresAt: found.expiresAt.toISOString(),
          };
      }
      return { employee, policy, policySource: source, fingerprint, suppression };
    },

    /** Reminder times and deadline counted in the employee's working hours and time zone. */
    async planWorkingHoursSchedule(input: {
      startedAt: string;
      reminders: number[];
      deadline: number;
      workingHours: Policy['workingHours'];
      timeZone?: string;
    }): Promise<{ reminderAt: string[]; deadlineAt: string }> {
      const start = Date.parse(input.startedAt);
      const tz = input.timeZone ?? 'UTC';
      const at = (ms: number) => new Date(addWorkingTime(start, ms, input.workingHours, tz)).toISOString();
      return { reminderAt: input.reminders.map(at), deadlineAt: at(input.deadline) };
    },

    async postApprovalRequest(input: {
      workflowId: string;
      alertId: string;
      employeeLabel: string;
      channel?: string;
      /** Follow-up questions to approve with the interview (issue #7). */
      proposedQuestions?: FollowUpQuestion[];
    }): Promise<MessageRef> {
      const channel = input.channel ?? deps.securityChannel;
      if (!channel)
        throw ApplicationFailure.create({
          type: 'NoSecurityChannel',
          message: 'the policy requires approval but VOUCH_SECURITY_CHANNEL is not set',
          nonRetryable: true,
        });
      const alert = await loadAlert(input.alertId);
      return once(`${input.workflowId}:approval`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...approvalRequest(
              alert,
              input.employeeLabel,
              input.workflowId,
              uiLink(input.workflowId),
              input.proposedQuestions,
            ),
          }),
        );
        return { channel: res.channel ?? channel, ts: res.ts ?? '' };
      });
    },

    /** The interview DM with the two buttons. */
    async sendInterview(input: {
      workflowId: string;
      alertId: string;
      slackUserId: string;
    }): Promise<MessageRef> {
      const alert = await loadAlert(input.alertId);
      const ref = await once(`${input.workflowId}:dm`, async () => {
        const channel = await openDm(input.slackUserId);
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({ channel, ...interviewMessage(alert, input.workflowId) }),
        );
        return { channel: res.channel ?? channel, ts: res.ts ?? '' };
      });
      await c.alerts.updateOne({ _id: input.alertId }, { $set: { slack: ref, updatedAt: now() } });
      // The bot finds the interview behind a reply in this DM's thread by the thread's id.
      await c.threads.updateOne(
        { _id: `${ref.channel}:${ref.ts}` },
        { $set: { workflowId: input.workflowId, slackUserId: input.slackUserId, createdAt: now() } },
        { upsert: true },
      );
      return ref;
    },

    async sendReminder(input: {
      workflowId: string;
      alertId: string;
      dm: MessageRef;
      n: number;
      deadlineAt: string;
    }): Promise<void> {
      const alert = await loadAlert(input.alertId);
      await once(`${input.workflowId}:reminder:${input.n}`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel: input.dm.channel,
            thread_ts: input.dm.ts,
            reply_broadcast: true,
            ...reminderMessage(alert, input.n, input.deadlineAt),
          }),
        );
        return { ts: res.ts ?? '' };
      });
    },

    async isEnrolled(input: { slackUserId: string }): Promise<boolean> {
      const factor = await c.secondFactors.findOne({ _id: input.slackUserId });
      return Boolean(factor?.secondFactor?.active);
    },

    /** Opens the sealed code and checks it; the code never leaves this activity. */
    async verifySecondFactor(input: {
      alertId: string;
      workflowId: string;
      slackUserId: string;
      sealedCode: string;
    }): Promise<{ outcome: VerifyOutcome; lockedUntil?: string }> {
      let code: string;
      try {
        code = open(
          requireKey(deps.encryptionKey),
          input.sealedCode,
          sealedCodeContext(input.workflowId, input.slackUserId),
        );
      } catch (err) {
        log.warn(
          { workflowId: input.workflowId, err: (err as Error).message },
          'second-factor code could not be opened',
        );
        return { outcome: 'rejected' };
      }
      try {
        const result = await verifyTotp(c, deps.encryptionKey, input.slackUserId, code, now());
        return { outcome: result.outcome, lockedUntil: result.lockedUntil?.toISOString() };
      } catch (err) {
        // A secret this worker cannot decrypt (wrong or missing key) is an operator's problem to fix:
        // say so loudly, and fail closed (the attempt does not verify) instead of retrying forever.
        if (!(err instanceof SecretBoxError)) throw err;
        log.error(
          { workflowId: input.workflowId, slackUserId: input.slackUserId, err: err.message },
          'cannot decrypt the second factor: fix VOUCH_ENCRYPTION_KEY (or run vouch factor rotate-key)',
        );
        return { outcome: 'unavailable' };
      }
    },

    async createSuppression(input: {
      workflowId: string;
      alertId: string;
      slackUserId: string;
      alertType: string;
      fingerprint: string;
      windowMs: number;
    }): Promise<{ id: string; expiresAt: string }> {
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + input.windowMs);
      const id = suppressionId(input.slackUserId, input.alertType, input.fingerprint);
      // The newest verified confirmation of a scope replaces the previous one; a retry overwrites it again.
      await c.suppressions.updateOne(
        { _id: id },
        {
          $set: {
            slackUserId: input.slackUserId,
            alertType: input.alertType,
            fingerprint: input.fingerprint,
            createdByAlertId: input.alertId,
            createdAt,
            expiresAt,
          },
        },
        { upsert: true },
      );
      return { id, expiresAt: expiresAt.toISOString() };
    },

    /** Persists transcript entries (each once, by key) and the phase. */
    async recordProgress(input: {
      alertId: string;
      phase: InterviewPhase;
      outcome: Outcome | null;
      entries: (TranscriptEntry & { key: string })[];
      persistedBefore: number;
    }): Promise<void> {
      await alerts.recordProgress(input.alertId, input);
    },

    /** At the outcome: the DM loses its buttons and shows the outcome; escalations go to the security channel. */
    async finishInterview(input: {
      workflowId: string;
      alertId: string;
      outcome: Outcome;
      employeeLabel: string;
      dm: MessageRef | null;
      escalationChannel?: string;
    }): Promise<{ reportPosted: boolean }> {
      const alert = await loadAlert(input.alertId);
      if (input.dm) {
        const dm = input.dm;
        await once(`${input.workflowId}:dm-outcome`, async () => {
          await slackCall('chat.update', () =>
            slack().chat.update({
              channel: dm.channel,
              ts: dm.ts,
              ...outcomeForEmployee(alert, input.outcome),
            }),
          );
          return {};
        });
      }
      if (!isEscalation(input.outcome)) return { reportPosted: false };
      const channel = input.escalationChannel ?? deps.securityChannel;
      if (!channel) {
        log.error(
          { alertId: input.alertId, outcome: input.outcome },
          'escalation not posted: VOUCH_SECURITY_CHANNEL is not set',
        );
        return { reportPosted: false };
      }
      const doc = await alerts.get(input.alertId);
      await once(`${input.workflowId}:escalation`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...escalationReport({
              alert,
              outcome: input.outcome,
              employeeLabel: input.employeeLabel,
              transcript: doc?.transcript ?? [],
              uiLink: uiLink(input.workflowId),
            }),
          }),
        );
        return { channel, ts: res.ts ?? '' };
      });
      return { reportPosted: true };
    },

    ...createInterviewerActivities({
      c,
      alerts,
      llm: deps.llm,
      log,
      loadAlert,
      once,
      sentRecord: (key) => sent.get(key),
      slack,
      uiLink,
    }),
  };
}

function suppressionId(slackUserId: string, alertType: string, fingerprint: string): string {
  return `${slackUserId}:${alertType}:${fingerprint}`;
}

function requireKey(key: Buffer | undefined): Buffer {
  if (!key)
    throw ApplicationFailure.create({
      type: 'NoEncryptionKey',
      message: 'VOUCH_ENCRYPTION_KEY is not set: second-factor codes cannot be checked',
      nonRetryable: true,
    });
  return key;
}

export type Activities = ReturnType<typeof createActivities>;
export type { Collections, EmployeeInfo };
export type { ConversationInput, FollowUpExchange, FollowUpQuestion, Proposal } from './interviewer';
