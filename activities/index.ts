import { ApplicationFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import type { Db } from 'mongodb';
import type { AlertInput } from '../shared/alert';
import { type Outcome, isEscalation, workflowUiLink } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import { type Policy, type SuppressionScope, policySchema } from '../shared/policy';
import { sealedCodeContext } from '../shared/sealed-code';
import { addWorkingTime } from '../shared/working-hours';
import type { LlmConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import { SecretBoxError, open } from '../lib/secret-box';
import { alertStore } from '../store/alerts';
import { sentStore } from '../store/sent';
import { policySettings, policyStore } from '../store/policies';
import { type InvestigationReport, buildReport } from '../report/investigation';
import { postJson } from './http-delivery';
import { type PagerDutySeverity, pagerDutyEvent } from './pagerduty';
import { signedWebhookHeaders } from './webhook';
import { type AlertDoc, type Collections, collections } from '../store/collections';
import { alertFingerprint, fingerprintScope } from './fingerprint';
import { type FollowUpQuestion, createInterviewerActivities } from './interviewer';
import { verifyTotp, type VerifyOutcome } from '../store/totp-verification';
import { createEmployeeResolver, slackNotConnected, type EmployeeInfo } from './employees';
import { slackCall, slackErrorCode } from './slack-client';
import { secondFactors } from '../store/second-factors';
import { createApprovalPostActivities } from './approval-post';
import { createFailClosedActivities } from './fail-closed';
import { approvalRequest } from '../slack-blocks/approval';
import { escalationReport } from '../slack-blocks/escalation';
import { interviewMessage, reminderMessage } from '../slack-blocks/interview';
import { outcomeForEmployee } from '../slack-blocks/outcome';
import { employeeOf } from '../slack-blocks/record-format';

/** Dependencies of the activities, given by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  logger: Logger;
  slack?: WebClient;
  securityChannel?: string;
  encryptionKey?: Buffer;
  temporalUiUrl?: string;
  namespace?: string;
  /** PagerDuty Events API base URL (VOUCH_PAGERDUTY_URL). */
  pagerDutyUrl?: string;
  /** Webhook signing secrets by name (VOUCH_WEBHOOK_SECRETS). */
  webhookSecrets?: Readonly<Record<string, string>>;
  /** Hosts PagerDuty and webhook calls may reach at internal addresses (VOUCH_OUTBOUND_ALLOW_HOSTS). */
  outboundAllowHosts?: readonly string[];
  /** Hosts whose https URLs an alert's link may point to in Slack (VOUCH_LINK_HOSTS); others are defanged. */
  linkHosts?: readonly string[];
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

/** The escalation's post in the security channel. */
export type EscalationPost = {
  channel: string;
  ts: string;
  /** The post has a Close button: the escalation stays open until an operator closes it. */
  awaitsClose: boolean;
};

/**
 * All activities. Each is idempotent: a side effect (a Slack message) is recorded in `sent` under
 * `<workflowId>:<step>` and a retry returns the recorded result instead of sending again.
 */
export function createActivities(deps: ActivityDeps) {
  const c = collections(deps.db);
  const alerts = alertStore(c, deps.now);
  const sent = sentStore(c, deps.now);
  const policies = policyStore(c, deps.now);
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  const slackMissing = slackNotConnected(log);
  const resolveEmployee = createEmployeeResolver(c, deps.slack, slackMissing);

  const slack = (): WebClient => {
    if (!deps.slack) throw slackMissing('message anyone until it is (retrying)');
    return deps.slack;
  };
  const uiLink = (workflowId: string) =>
    workflowUiLink(deps.temporalUiUrl ?? 'http://localhost:8233', deps.namespace ?? 'default', workflowId);

  async function once<T extends Record<string, unknown>>(key: string, send: () => Promise<T>): Promise<T> {
    const done = await sent.get(key);
    if (done) return done as T;
    return (await sent.record(key, await send())) as T;
  }

  async function loadAlertDoc(alertId: string, opts: { withAudit?: boolean } = {}): Promise<AlertDoc> {
    const doc = await alerts.get(alertId, opts);
    if (!doc)
      throw ApplicationFailure.create({
        type: 'AlertNotFound',
        message: `alert ${alertId} is not stored`,
        nonRetryable: true,
      });
    return doc;
  }

  async function loadAlert(alertId: string): Promise<AlertInput> {
    return (await loadAlertDoc(alertId)).input;
  }

  /**
   * An invalid stored policy fails the interview closed (an operator is told) rather than falling back
   * to a laxer one: the operator may have meant approval mode, or a stricter deadline.
   */
  async function loadPolicy(alertType: string) {
    const invalid: string[] = [];
    const resolved = await policies.resolve(alertType, (id, issues) => {
      log.warn({ policy: id, issues }, 'stored policy is invalid: fix it with vouch policy set');
      invalid.push(id);
    });
    if (invalid.length)
      throw ApplicationFailure.create({
        type: 'InvalidStoredPolicy',
        message: `stored policy ${invalid.join(', ')} is invalid: fix it with vouch policy set`,
        nonRetryable: true,
      });
    return resolved;
  }

  async function loadReport(alertId: string, workflowId: string): Promise<InvestigationReport> {
    return buildReport(await loadAlertDoc(alertId, { withAudit: true }), { link: uiLink(workflowId) });
  }

  async function userGroupMembers(usergroup: string): Promise<string[]> {
    try {
      return (await slack().usergroups.users.list({ usergroup })).users ?? [];
    } catch (err) {
      // A group deleted since the policy named it has no members; other failures are retried as usual.
      if (slackErrorCode(err) === 'no_such_subteam') return [];
      return slackCall('usergroups.users.list', () => Promise.reject(err));
    }
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
      if (!policy.enabled)
        return {
          employee: null,
          policy: withoutSecrets(policy),
          policySource: source,
          fingerprint: '',
          suppression: null,
        };
      const employee = await resolveEmployee(alert.employee, now());
      // Who is asked, by Slack id: the bot finds an employee's interviews by it (/vouch status, App Home).
      if (employee && stored.employeeSlackId !== employee.slackUserId)
        await alerts.setEmployee(alert.id, employee.slackUserId);
      const fingerprint = alertFingerprint(alert, policy.suppression);
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
      return { employee, policy: withoutSecrets(policy), policySource: source, fingerprint, suppression };
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
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      channel?: string;
      approvers?: string[];
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
      const doc = await loadAlertDoc(input.alertId);
      return once(`${input.workflowId}:approval`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...approvalRequest(
              doc.input,
              employeeOf(doc),
              input.workflowId,
              uiLink(input.workflowId),
              input.proposedQuestions,
              input.approvers,
              deps.linkHosts,
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
      /** The policy's `messages.intro` template, and the name it may use. */
      intro?: string;
      employeeName?: string;
    }): Promise<MessageRef> {
      const alert = await loadAlert(input.alertId);
      const ref = await once(`${input.workflowId}:dm`, async () => {
        const channel = await openDm(input.slackUserId);
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...interviewMessage(alert, input.workflowId, {
              intro: input.intro,
              employeeName: input.employeeName,
              linkHosts: deps.linkHosts,
            }),
          }),
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
      template?: string;
    }): Promise<void> {
      const alert = await loadAlert(input.alertId);
      await once(`${input.workflowId}:reminder:${input.n}`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel: input.dm.channel,
            thread_ts: input.dm.ts,
            reply_broadcast: true,
            ...reminderMessage(alert, input.n, input.deadlineAt, input.template),
          }),
        );
        return { ts: res.ts ?? '' };
      });
    },

    /** Whether a Slack user is a member of one of the user groups (a policy's approvers). */
    async isInUserGroups(input: { slackUserId: string; groups: string[] }): Promise<boolean> {
      for (const usergroup of input.groups) {
        if ((await userGroupMembers(usergroup)).includes(input.slackUserId)) return true;
      }
      return false;
    },

    async isEnrolled(input: { slackUserId: string }): Promise<boolean> {
      return secondFactors(c, deps.encryptionKey).isActive(input.slackUserId);
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
            ...scopeOf(input.fingerprint),
            createdByAlertId: input.alertId,
            createdAt,
            expiresAt,
          },
          $unset: { revokedAt: '', revokedBy: '', revokeNote: '' },
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
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      dm: MessageRef | null;
      escalationChannel?: string;
      /** The escalation stays open until an operator closes it: the post gets a Close button. */
      awaitsClose?: boolean;
    }): Promise<{ reportPosted: boolean; escalation?: EscalationPost }> {
      const alert = await loadAlert(input.alertId);
      // A DM sent while the interview was cancelled or failed is known only to `sent`: it loses its buttons too.
      const dm = input.dm ?? ((await sent.get(`${input.workflowId}:dm`)) as MessageRef | null);
      if (dm?.channel && dm.ts) {
        await once(`${input.workflowId}:dm-outcome`, async () => {
          await slackCall('chat.update', () =>
            slack().chat.update({
              channel: dm.channel,
              ts: dm.ts,
              ...outcomeForEmployee(alert, input.outcome, deps.linkHosts),
            }),
          );
          return {};
        });
      }
      if (!isEscalation(input.outcome)) return { reportPosted: false };
      const channel = input.escalationChannel ?? deps.securityChannel;
      if (!channel)
        // Nobody would be told: the interview fails closed, and its notice waits, visibly, for a channel.
        throw ApplicationFailure.create({
          type: 'NoSecurityChannel',
          message: 'escalation not posted: VOUCH_SECURITY_CHANNEL is not set and the policy names no channel',
          nonRetryable: true,
        });
      const doc = await loadAlertDoc(input.alertId);
      const escalation = await once(`${input.workflowId}:escalation`, async (): Promise<EscalationPost> => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...escalationReport({
              linkHosts: deps.linkHosts,
              alert,
              outcome: input.outcome,
              transcript: doc.transcript,
              uiLink: uiLink(input.workflowId),
              facts: buildReport(doc),
              closeButtonFor: input.awaitsClose ? input.workflowId : undefined,
              employeeSlackId: doc.employeeSlackId,
            }),
          }),
        );
        // awaitsClose: a later update of this post (the AI interviewer's) keeps the Close button.
        return { channel, ts: res.ts ?? '', awaitsClose: Boolean(input.awaitsClose) };
      });
      return { reportPosted: true, escalation };
    },

    /** When an operator closes a waiting escalation, its post in the channel loses the Close button and says who. */
    async markEscalationClosed(input: {
      workflowId: string;
      alertId: string;
      outcome: Outcome;
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      closedBy: string;
    }): Promise<void> {
      const posted = (await sent.get(`${input.workflowId}:escalation`)) as {
        channel?: string;
        ts?: string;
      } | null;
      if (!posted?.channel || !posted.ts) return; // never posted (no security channel)
      const { channel, ts } = posted;
      const doc = await loadAlertDoc(input.alertId);
      const report = buildReport(doc, { link: uiLink(input.workflowId) });
      await once(`${input.workflowId}:escalation-closed`, async () => {
        await slackCall('chat.update', () =>
          slack().chat.update({
            channel,
            ts,
            ...escalationReport({
              linkHosts: deps.linkHosts,
              alert: doc.input,
              outcome: input.outcome,
              transcript: doc.transcript,
              uiLink: uiLink(input.workflowId),
              summary: doc.summary,
              facts: report,
              closedBy: input.closedBy,
              employeeSlackId: doc.employeeSlackId,
            }),
          }),
        );
        return {};
      });
    },

    /**
     * PagerDuty Events API v2: `trigger` an incident for an escalated alert (the report in its
     * details), `resolve` it when an operator closes the escalation. The routing key is read from the
     * stored policy here, so it never enters the workflow's history.
     */
    async notifyPagerDuty(input: {
      workflowId: string;
      alertId: string;
      policySource: string;
      action: 'trigger' | 'resolve';
      severity?: PagerDutySeverity;
    }): Promise<{ dedupKey: string }> {
      return once(`${input.workflowId}:pagerduty:${input.action}`, async () => {
        const report = await loadReport(input.alertId, input.workflowId);
        // The incident is resolved with the key that triggered it, whatever the policy says by then.
        const keyRecord = `${input.workflowId}:pagerduty-routing-key`;
        const used = input.action === 'resolve' ? (await sent.get(keyRecord))?.routingKey : undefined;
        const routingKey = typeof used === 'string' ? used : await storedRoutingKey(input.policySource);
        const event = pagerDutyEvent({ routingKey, action: input.action, report, severity: input.severity });
        await postJson(
          'PagerDuty',
          `${deps.pagerDutyUrl ?? PAGERDUTY_URL}/v2/enqueue`,
          JSON.stringify(event),
          {},
          deps.outboundAllowHosts,
        );
        log.info({ alertId: input.alertId, action: input.action }, 'PagerDuty event sent');
        // Kept apart from the result the workflow sees (its history never holds the key).
        if (input.action === 'trigger') await sent.record(keyRecord, { routingKey });
        return { dedupKey: input.alertId };
      });
    },

    /** A signed JSON POST with the report: `escalated` at the escalation, `resolved` when an operator closes it. */
    async notifyWebhook(input: {
      workflowId: string;
      alertId: string;
      url: string;
      secret: string;
      event: 'escalated' | 'resolved';
    }): Promise<{ deliveryId: string }> {
      const secret = deps.webhookSecrets?.[input.secret];
      if (!secret)
        throw ApplicationFailure.create({
          type: 'WebhookSecretMissing',
          message: `VOUCH_WEBHOOK_SECRETS has no secret named "${input.secret}" (the policy's escalation.webhook.secret)`,
          nonRetryable: true,
        });
      const deliveryId = `${input.workflowId}:${input.event}`;
      return once(`${input.workflowId}:webhook:${input.event}`, async () => {
        const report = await loadReport(input.alertId, input.workflowId);
        const body = JSON.stringify({
          event: `escalation.${input.event}`,
          deliveryId,
          alertId: input.alertId,
          workflowId: input.workflowId,
          outcome: report.outcome,
          sentAt: now().toISOString(),
          report,
        });
        await postJson(
          'webhook',
          input.url,
          body,
          signedWebhookHeaders(secret, deliveryId, body, now()),
          deps.outboundAllowHosts,
        );
        log.info(
          { alertId: input.alertId, event: input.event, host: new URL(input.url).host },
          'webhook delivered',
        );
        return { deliveryId };
      });
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
      linkHosts: deps.linkHosts,
    }),
    ...createApprovalPostActivities({
      loadAlertDoc,
      sentRecord: (key) => sent.get(key),
      once,
      slack,
      uiLink,
    }),
    ...createFailClosedActivities({
      c,
      logger: log,
      slack: deps.slack,
      securityChannel: deps.securityChannel,
      now,
    }),
  };

  async function storedRoutingKey(policySource: string): Promise<string> {
    const id = policySource.replace(/^policies\//, '');
    const doc = await policies.get(id);
    const key = doc && effectivePolicyOrNull(policySettings(doc))?.escalation.pagerDuty?.routingKey;
    if (!key)
      throw ApplicationFailure.create({
        type: 'PagerDutyNotConfigured',
        message: `the policy ${policySource} no longer has a PagerDuty routing key`,
        nonRetryable: true,
      });
    return key;
  }
}

const PAGERDUTY_URL = 'https://events.pagerduty.com';

function effectivePolicyOrNull(settings: Record<string, unknown>): Policy | null {
  const parsed = policySchema.safeParse(settings);
  return parsed.success ? parsed.data : null;
}

/**
 * The policy as the workflow keeps it, in its history: without the PagerDuty routing key (the
 * escalation activity reads it from the stored policy when it sends).
 */
function withoutSecrets(policy: Policy): Policy {
  const pd = policy.escalation.pagerDuty;
  return pd
    ? { ...policy, escalation: { ...policy.escalation, pagerDuty: { ...pd, routingKey: '' } } }
    : policy;
}

/** The scope a fingerprint was made with, recorded beside it for operators. */
function scopeOf(fingerprint: string): { scope?: SuppressionScope } {
  const scope = fingerprintScope(fingerprint);
  return scope === 'legacy' ? {} : { scope };
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
