import type { Collection, Db } from 'mongodb';
import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';

/** The documents Vouch keeps, one interface per collection, and the indexes they rely on. */

export interface AlertDoc {
  _id: string; // the alert id
  workflowId: string;
  input: AlertInput;
  phase: InterviewPhase;
  outcome: Outcome | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt?: Date;
  slack?: { channel?: string; ts?: string };
  /** Written only by the workflow (through recordProgress). */
  transcript: (TranscriptEntry & { key: string })[];
  /** Entries from outside the workflow, e.g. the bot recording an answer attempt by someone else. */
  audit?: (TranscriptEntry & { key: string; modelCall?: ModelCallRecord })[];
  /** The AI interviewer's analyst summary (issue #7): written by a language model, labelled as such. */
  summary?: { text: string; machineWritten: true; model?: string; at: Date };
}

/** One call to the language model, as recorded in the audit trail (never the API key). */
export interface ModelCallRecord {
  purpose: 'plan_questions' | 'next_question' | 'summary';
  /** ok, or the failure: timeout, network, http, rejected, malformed. */
  outcome: string;
  latencyMs: number;
  attempt: number;
  model?: string;
}

/** The interview DM of each alert, found by the Slack thread a reply is in (`<channel>:<ts>`). */
export interface InterviewThreadDoc {
  _id: string;
  workflowId: string;
  slackUserId: string;
  createdAt: Date;
}

export interface SecondFactorEnrollment {
  box: string; // the TOTP secret, sealed with VOUCH_ENCRYPTION_KEY (lib/secret-box.ts)
  active: boolean; // false until a first valid code confirms the enrollment
  enrolledAt: Date;
  enrolledBy: string;
  lastStep: number; // last accepted TOTP time step: a code of this step or older is refused
  failures: number; // consecutive failures
  lockouts: number; // lockouts so far (each one lasts longer)
  lockedUntil?: Date;
}

export interface EmployeeDoc {
  _id: string; // Slack user id
  email?: string;
  username?: string;
  name?: string;
  timeZone?: string;
  /** When the Slack profile was last fetched (the lookup cache). */
  resolvedAt?: Date;
  updatedAt: Date;
  secondFactor?: SecondFactorEnrollment;
}

export interface PolicyDoc {
  _id: string; // alert type, or "default"
  updatedAt: Date;
  updatedBy: string;
  [setting: string]: unknown;
}

export interface SuppressionDoc {
  _id: string; // `${slackUserId}:${alertType}:${fingerprint}`: one live suppression per scope, found by _id
  slackUserId: string;
  alertType: string;
  fingerprint: string;
  createdByAlertId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Records of side effects already performed (a DM sent, an escalation posted), keyed by workflow + step. */
export interface SentDoc {
  _id: string; // `${workflowId}:${step}`
  at: Date;
  result: Record<string, unknown>;
}

export interface Collections {
  alerts: Collection<AlertDoc>;
  employees: Collection<EmployeeDoc>;
  policies: Collection<PolicyDoc>;
  suppressions: Collection<SuppressionDoc>;
  sent: Collection<SentDoc>;
  threads: Collection<InterviewThreadDoc>;
}

export function collections(db: Db): Collections {
  return {
    alerts: db.collection<AlertDoc>('alerts'),
    employees: db.collection<EmployeeDoc>('employees'),
    policies: db.collection<PolicyDoc>('policies'),
    suppressions: db.collection<SuppressionDoc>('suppressions'),
    sent: db.collection<SentDoc>('sent'),
    threads: db.collection<InterviewThreadDoc>('threads'),
  };
}

/** Creates the indexes (idempotent: run at every start). */
export async function ensureIndexes(db: Db): Promise<void> {
  const c = collections(db);
  await Promise.all([
    c.alerts.createIndex({ workflowId: 1 }, { unique: true, name: 'workflowId_unique' }),
    c.alerts.createIndex({ 'input.type': 1, createdAt: -1 }, { name: 'type_createdAt' }),
    c.employees.createIndex({ email: 1 }, { name: 'email' }),
    c.suppressions.createIndex({ expiresAt: 1 }, { name: 'expiresAt' }),
  ]);
}
