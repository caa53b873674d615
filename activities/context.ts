import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import type { Db } from 'mongodb';
import type { AlertInput } from '../shared/alert';
import { workflowUiLink } from '../shared/constants';
import { BoundedCache } from '../lib/bounded-cache';
import type { LlmConfig, VerdictConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import { alertStore } from '../store/alerts';
import { alertUpdates } from '../store/alert-updates';
import { type AlertDoc, collections } from '../store/collections';
import { policyStore } from '../store/policies';
import { sentStore } from '../store/sent';
import { type InvestigationReport, buildReport } from '../report/investigation';
import type { MailDeps } from './channels/email';
import type { TeamsDeps } from './channels/teams';
import { slackNotConnected } from './employees';

/**
 * How long an attempt that claimed a message may still be sending it: past its 30-second start-to-close
 * timeout, with room for a worker that is slow to notice.
 */
const CLAIM_GRACE_MS = 60_000;
/** Alerts whose input this worker keeps: about the interviews it is asking at once, and then some. */
const ALERT_INPUT_CACHE = 1_000;

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
  /** Where every alert's verdict goes besides a policy's own receivers (VOUCH_VERDICT_*, Splunk HEC). */
  verdicts?: VerdictConfig;
  /** Hosts PagerDuty and webhook calls may reach at internal addresses (VOUCH_OUTBOUND_ALLOW_HOSTS). */
  outboundAllowHosts?: readonly string[];
  /** Hosts whose https URLs an alert's link may point to in Slack (VOUCH_LINK_HOSTS); others are defanged. */
  linkHosts?: readonly string[];
  now?: () => Date;
  /** The AI interviewer's language model; without it follow-ups are scripted and no summary is written. */
  llm?: LlmConfig;
  /** The email channel (VOUCH_SMTP_URL); without it, asking by email fails and the next channel is tried. */
  mail?: MailDeps;
  /** The Teams channel (VOUCH_TEAMS_APP_ID); without it, asking in Teams fails and the next channel is tried. */
  teams?: TeamsDeps;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * What every domain's activities share: the stores, the clock, Slack, and `once`, which makes a side
 * effect idempotent: it is recorded in `sent` under `<workflowId>:<step>`, and a retry returns the
 * recorded result instead of performing it again.
 */
export function activityContext(deps: ActivityDeps) {
  const c = collections(deps.db);
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  const alerts = alertStore(c, deps.now);
  const sent = sentStore(c, deps.now);
  const slackMissing = slackNotConnected(log);

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

  /**
   * Like `once`, for a message that must never reach a person twice: the step is claimed before it is
   * sent, so an attempt that finds an earlier attempt's claim without a result (that attempt timed out
   * or died between sending and recording) looks for the message in Slack (`findSent`) instead of
   * sending it again, waits while that attempt may still be sending, and sends only once it is gone
   * and nothing was found.
   */
  async function onceClaimed<T extends Record<string, unknown>>(
    key: string,
    send: () => Promise<T>,
    findSent: (since: Date) => Promise<T | undefined>,
    surelyNotSent: (err: unknown) => boolean,
  ): Promise<T> {
    // The claim is the lookup: a step already done answers it with its result, in one round trip.
    const claim = await sent.claim(key);
    if ('result' in claim) return claim.result as T;
    if ('heldSince' in claim) {
      const found = await findSent(claim.heldSince);
      if (found) return (await sent.record(key, found)) as T;
      const heldMs = now().getTime() - claim.heldSince.getTime();
      if (heldMs < CLAIM_GRACE_MS || !(await sent.takeOver(key, claim.heldSince)))
        throw ApplicationFailure.create({
          type: 'EarlierAttemptSending',
          message: `an earlier attempt of ${key} may still be sending; checking again shortly`,
          nextRetryDelay: `${Math.max(1, Math.ceil((CLAIM_GRACE_MS - heldMs) / 1000))}s`,
        });
    }
    let result: T;
    try {
      result = await send();
    } catch (err) {
      if (surelyNotSent(err)) await sent.release(key);
      throw err;
    }
    return (await sent.fill(key, result)) as T;
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

  // An alert's stored input never changes, so the messages of an interview read it once per worker.
  const alertInputs = new BoundedCache<string, AlertInput>(ALERT_INPUT_CACHE);

  async function loadAlert(alertId: string): Promise<AlertInput> {
    const known = alertInputs.get(alertId);
    if (known) return known;
    const { input } = await loadAlertDoc(alertId);
    alertInputs.set(alertId, input);
    return input;
  }

  /** The input of an alert just stored (or found stored): its messages need not read it back. */
  function rememberAlert(doc: Pick<AlertDoc, '_id' | 'input'>): void {
    alertInputs.set(doc._id, doc.input);
  }

  async function loadReport(alertId: string, workflowId: string): Promise<InvestigationReport> {
    return buildReport(await loadAlertDoc(alertId, { withAudit: true }), { link: uiLink(workflowId) });
  }

  return {
    deps,
    /** For building stores; reads and writes go through store/ functions. */
    c,
    now,
    log,
    alerts,
    alertUpdates: alertUpdates(c),
    sent,
    onceClaimed,
    policies: policyStore(c, deps.now),
    slackMissing,
    slack,
    uiLink,
    once,
    sentRecord: (key: string) => sent.get(key),
    loadAlertDoc,
    loadAlert,
    rememberAlert,
    loadReport,
  };
}

export type ActivityContext = ReturnType<typeof activityContext>;

/** Which attempt of the running activity this is (1 outside an activity, e.g. a test calling it directly). */
export function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}
