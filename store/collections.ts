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
  transcript: (TranscriptEntry & { key: string })[];
}

export interface EmployeeDoc {
  _id: string; // Slack user id
  email?: string;
  timeZone?: string;
  updatedAt: Date;
}

export interface PolicyDoc {
  _id: string; // alert type, or "default"
  updatedAt: Date;
  updatedBy: string;
  [setting: string]: unknown;
}

export interface SuppressionDoc {
  _id: string;
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
}

export function collections(db: Db): Collections {
  return {
    alerts: db.collection<AlertDoc>('alerts'),
    employees: db.collection<EmployeeDoc>('employees'),
    policies: db.collection<PolicyDoc>('policies'),
    suppressions: db.collection<SuppressionDoc>('suppressions'),
    sent: db.collection<SentDoc>('sent'),
  };
}

/** Creates the indexes (idempotent: run at every start). */
export async function ensureIndexes(db: Db): Promise<void> {
  const c = collections(db);
  await Promise.all([
    c.alerts.createIndex({ workflowId: 1 }, { unique: true, name: 'workflowId_unique' }),
    c.alerts.createIndex({ 'input.type': 1, createdAt: -1 }, { name: 'type_createdAt' }),
    c.employees.createIndex({ email: 1 }, { name: 'email' }),
    c.suppressions.createIndex({ slackUserId: 1, alertType: 1, fingerprint: 1 }, { name: 'scope' }),
  ]);
}
