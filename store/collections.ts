import type { Collection, Db } from 'mongodb';
import type { AlertInput } from '../shared/alert';
import type { DirectoryEntry } from '../shared/directory-entry';
import type { Outcome } from '../shared/constants';
import type {
  AnswerLinkSource,
  EmployeeReply,
  EmployeeResponse,
  InterviewPhase,
  ManagerResponse,
  TranscriptEntry,
} from '../shared/messages';
import type { SuppressionScope } from '../shared/policy';
import type { StoredAlertInput } from './alert-details';
import type { ChainHead } from './event-chain';

/** The documents Vouch keeps, one interface per collection, and the indexes they rely on. */

export interface AlertDoc {
  _id: string; // the alert id
  workflowId: string;
  input: AlertInput;
  /** The Slack user asked, once the employee is resolved. */
  employeeSlackId?: string;
  phase: InterviewPhase;
  outcome: Outcome | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt?: Date;
  // The alert's current facts, as data (written by the activities that learn them; filled by
  // `vouch migrate` for alerts stored before they existed). `sent` only records what was done once.
  /** The employee asked, as resolved. */
  employee?: AlertEmployee;
  /** Where the policy applied came from (`policies/<type>`, `policies/default`, `built-in`). */
  policySource?: string;
  /** The interview DM. */
  dm?: { channel: string; ts: string };
  /** The escalation post in the security channel; `awaitsClose`: it has a Close button. */
  escalation?: { channel: string; ts: string; awaitsClose: boolean };
  /** The transcript's hash chain: its last hash and length (store/event-chain.ts). */
  head?: ChainHead;
  /** The record's layout: 2 = typed, hashed events and facts as fields (absent: before, see `vouch migrate`). */
  recordVersion?: number;
  /** The DM as alerts stored before `dm` held it (read only by the migration). */
  slack?: { channel?: string; ts?: string };
  /** Written only by the workflow (through recordProgress), each entry with its link in the chain. */
  transcript: (TranscriptEntry & { key: string; hash?: string })[];
  /** Entries from outside the workflow, e.g. the bot recording an answer attempt by someone else. */
  /** Filled in by alertStore.get from the `audit` collection; never stored on the alert itself. */
  audit?: AuditEntry[];
  /** The AI interviewer's analyst summary: written by a language model, labelled as such. */
  summary?: { text: string; machineWritten: true; model?: string; at: Date };
}

/** An alert document as MongoDB holds it: details as key/value pairs (see store/alert-details.ts). */
export type StoredAlertDoc = Omit<AlertDoc, 'input'> & { input: StoredAlertInput };

export interface AlertEmployee {
  /** Absent for an employee asked outside Slack whom Slack does not know. */
  slackUserId?: string;
  email?: string;
  name?: string;
}

/** An audit entry, hashed on its own (store/event-chain.ts: audit entries are written concurrently). */
export type AuditEntry = TranscriptEntry & { key: string; hash?: string; modelCall?: ModelCallRecord };

/** One audit entry: _id `<alertId>:<key>`, so a redelivered entry is a duplicate. */
export type AuditDoc = AuditEntry & { _id: string; alertId: string };

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

/**
 * A follow-up question waiting in an employee's Teams chat, by interview (store/teams-follow-ups.ts):
 * the bot takes the employee's next message there as its answer.
 */
export interface TeamsFollowUpDoc {
  _id: string; // the workflow id
  conversationId: string;
  /** The interviewed employee, as the interview's signals name them (Slack id or `aad:<object id>`). */
  employee: string;
  n: number;
  askedAt: Date;
  /** After this the question has timed out: a message is no longer its answer. */
  until: Date;
}

/** An answer for an interview, as the signal that carries it: what the bot holds while Temporal is unreachable. */
export type HeldSignal =
  | { signal: 'employeeResponse'; payload: EmployeeResponse }
  | { signal: 'employeeReply'; payload: EmployeeReply }
  | { signal: 'managerResponse'; payload: ManagerResponse };

/**
 * An answer from a chat that Temporal could not take when it came (store/held-answers.ts); deleted once
 * the interview has it. _id is the signal's own id, so an answer held twice is one document, and one
 * delivered twice is applied once.
 */
export type HeldAnswerDoc = HeldSignal & {
  _id: string;
  workflowId: string;
  heldAt: Date;
  /** Deliveries tried since (each when Temporal was still unreachable). */
  attempts: number;
};

export interface SecondFactorEnrollment {
  box: string; // the TOTP secret, sealed with VOUCH_ENCRYPTION_KEY (lib/secret-box.ts)
  active: boolean; // false until a first valid code confirms the enrollment
  enrolledAt: Date;
  enrolledBy: string;
  confirmedAt?: Date;
  lastStep: number; // last accepted TOTP time step: a code of this step or older is refused
  failures: number; // consecutive failures (no longer counted: the attempt slots in `claims` are)
  lockouts: number; // lockouts so far (each one lasts longer)
  lockedUntil?: Date;
  /** Operator unlocks so far: each one opens a fresh attempt window (store/totp-verification.ts). */
  unlocks?: number;
}

/** Slack's profile of a user, cached; never a source of aliases (documents may still hold a learned `username`: it is ignored). */
export interface EmployeeDoc {
  _id: string; // Slack user id
  email?: string;
  name?: string;
  timeZone?: string;
  /** When the Slack profile was last fetched (the lookup cache). */
  resolvedAt?: Date;
  /** The app's DM channel with this user: stable, so conversations.open (Tier 3) is called once per user. */
  dmChannel?: string;
  /** Slack's locale for the user (`de-DE`; absent when Slack gave none): the language of their messages. */
  locale?: string;
  /** When the locale was last asked of Slack (users.info with include_locale). */
  localeAt?: Date;
  /**
   * Who Microsoft Graph said this Entra user is (documents `aad:<object id>` only, a lookup cache):
   * the email the interview names them by, the addresses they were found by, their display name.
   */
  entraEmail?: string;
  entraAddresses?: string[];
  entraName?: string;
  /** When Graph was last asked about them. */
  entraAt?: Date;
  updatedAt: Date;
}

/** One employee in the directory operators maintain (store/directory.ts); _id is the lower-case email. */
export type DirectoryEntryDoc = Omit<DirectoryEntry, 'email'> & {
  _id: string;
  updatedAt: Date;
  updatedBy: string;
};

/**
 * The directory's unique keys, one document each (`alias:<alias>`, `slack:<U…>`) naming the entry that
 * holds it: a unique insert claims a key atomically on FerretDB and MongoDB alike, and a lookup is by _id.
 * The entry is the truth: a key whose entry no longer lists it is stale and resolves to no one.
 */
export interface DirectoryKeyDoc {
  _id: string;
  email: string;
}

/** Every change to the directory, with who made it. */
export interface DirectoryEventDoc {
  _id: string;
  email: string;
  action: 'added' | 'changed' | 'removed';
  actor: string;
  at: Date;
  /** The entry after the change (before it, for a removal). */
  entry: DirectoryEntry;
}

/**
 * An employee's second factor, in a collection of its own: FerretDB v1 applies updates as unisolated
 * read-modify-writes of the whole document, so a profile refresh of the employee must never be able
 * to write back a stale enrollment or failure count.
 */
export interface SecondFactorDoc {
  _id: string; // the employee key: Slack user id, or `email:<address>` (shared/employee-key.ts)
  secondFactor?: SecondFactorEnrollment;
  /** A replacement enrolled through /vouch enroll while a factor is active: it takes over when confirmed. */
  pendingSecondFactor?: Pick<SecondFactorEnrollment, 'box' | 'enrolledAt' | 'enrolledBy'>;
  updatedAt: Date;
}

/** The alerts an employee was asked about, oldest first (read by _id for /vouch status and App Home). */
export interface EmployeeAlertsDoc {
  _id: string; // Slack user id
  alertIds: string[];
}

/** TOTP time steps already accepted, per enrollment: a unique insert claims one (`${employee key}:${enrolledAt ms}:${step}`). */
export interface UsedCodeDoc {
  _id: string;
  at: Date;
}

/** A `/vouch enroll` link (only the hash of its token is stored); see store/enrollment-links.ts. */
export interface EnrollmentLinkDoc {
  _id: string; // sha256 of the token in the link
  /** The employee key (shared/employee-key.ts); links made before it carry only `slackUserId`. */
  employee?: string;
  /** The employee's Slack user id, absent for someone without Slack. */
  slackUserId?: string;
  state: 'created' | 'awaiting_approval' | 'approved' | 'shown' | 'done' | 'denied';
  createdAt: Date;
  expiresAt: Date;
  browser?: string; // sha256 of the cookie of the first browser that opened the link
  pairingCode?: string;
  openedAt?: Date;
  approvedBy?: string;
  approvedAt?: Date;
  deniedBy?: string;
  shownAt?: Date;
  /** The enrollment whose secret the page showed: only it can be confirmed through this link. */
  shownEnrolledAt?: Date;
  approvalRequestedAt?: Date;
  doneAt?: Date;
}

/** Claimed keys (a unique insert each): one-time transitions and numbered attempt slots. */
export interface ClaimDoc {
  _id: string;
  at: Date;
  /** Who holds a claim that names its holder (the browser an interview's answer links are bound to). */
  holder?: string;
}

/** Every change to an employee's second factor, with who made it. */
export interface FactorEventDoc {
  _id: string;
  /** The employee key (Slack user id, or `email:<address>`); "*" for a key rotation. */
  slackUserId: string;
  action:
    | 'enrolled'
    | 'reset'
    | 'confirmed'
    | 'revoked'
    | 'unlocked'
    | 'rotated'
    | 'passkey_added'
    | 'passkey_revoked';
  actor: string;
  at: Date;
  detail?: string;
}

export interface PolicyDoc {
  _id: string; // alert type, or "default"
  updatedAt: Date;
  updatedBy: string;
  [setting: string]: unknown;
}

/** Who asked for a snooze, for how long and why, and who approved it. */
export interface SnoozeFacts {
  requestedBy: string;
  duration: string;
  reason?: string;
  approvedBy?: string;
}

export interface SuppressionDoc {
  _id: string; // `${employee key}:${alertType}:${fingerprint}`: one live suppression per scope, found by _id
  /** The employee, by Slack id when they have one (the key of every suppression made before email keys)… */
  slackUserId?: string;
  /** …else by their lower-case email address (shared/employee-key.ts). */
  email?: string;
  alertType: string;
  fingerprint: string;
  /** What the fingerprint covers (the policy's suppression scope); absent on suppressions made before scopes. */
  scope?: SuppressionScope;
  createdByAlertId: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the employee asked for it after a verified "yes" (policy `snooze`), not by the window alone. */
  snooze?: SnoozeFacts;
  /** Set by `vouch suppressions revoke` (which also moves expiresAt to that moment). */
  revokedAt?: Date;
  revokedBy?: string;
  revokeNote?: string;
}

/** Records of side effects already performed (a DM sent, an escalation posted), keyed by workflow + step. */
export interface SentDoc {
  _id: string; // `${workflowId}:${step}`
  /** Absent while only claimed (store/sent.ts). */
  at?: Date;
  result?: Record<string, unknown>;
  /** When an attempt claimed the step before performing it. */
  claimedAt?: Date;
}

/**
 * A one-time link to an interview's answer page, sent by email (only the hash of its token is stored);
 * see store/answer-links.ts. Every link of an interview closes when the interview has its outcome.
 */
export interface AnswerLinkDoc {
  _id: string; // sha256 of the token in the link
  workflowId: string;
  alertId: string;
  email: string;
  /** The employee key whose factors answer on the page (absent: `email:<email>`); see shared/employee-key.ts. */
  employee?: string;
  /** `slack_modal` / `teams_dialog`: made by that chat's "Verify with a passkey instead"; absent: the interview's email. */
  source?: AnswerLinkSource;
  createdAt: Date;
  expiresAt: Date;
  closedAt?: Date;
}

/** A passkey (WebAuthn credential) of an employee: public data only; see store/passkeys.ts. */
export interface PasskeyDoc {
  _id: string; // the credential id (base64url)
  /** The employee key (shared/employee-key.ts). */
  employee: string;
  /** The COSE public key (base64url): checks signatures, signs nothing. */
  publicKey: string;
  /** The authenticator's signature counter (0 for authenticators that keep none). */
  counter: number;
  transports?: string[];
  createdAt: Date;
  createdBy: string;
  lastUsedAt?: Date;
}

/** A WebAuthn challenge Vouch issued, used at most once (its claim in `claims`); see store/passkey-ceremonies.ts. */
export interface PasskeyChallengeDoc {
  _id: string; // the challenge (base64url, 32 random bytes)
  purpose: 'registration' | 'authentication';
  employee: string;
  /** What it was issued for: an enrollment link's id or an answer link's id. */
  scope: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * A verified passkey assertion, redeemable once by the interview it was made for (store/passkey-proofs.ts):
 * what the answer page hands to the workflow, sealed like a code, in place of a TOTP code.
 */
export interface PasskeyProofDoc {
  _id: string; // sha256 of the proof token
  workflowId: string;
  employee: string;
  credentialId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface Collections {
  sources: Collection<SourceDoc>;
  alerts: Collection<StoredAlertDoc>;
  employees: Collection<EmployeeDoc>;
  directory: Collection<DirectoryEntryDoc>;
  directoryKeys: Collection<DirectoryKeyDoc>;
  directoryEvents: Collection<DirectoryEventDoc>;
  secondFactors: Collection<SecondFactorDoc>;
  employeeAlerts: Collection<EmployeeAlertsDoc>;
  policies: Collection<PolicyDoc>;
  suppressions: Collection<SuppressionDoc>;
  sent: Collection<SentDoc>;
  threads: Collection<InterviewThreadDoc>;
  teamsFollowUps: Collection<TeamsFollowUpDoc>;
  heldAnswers: Collection<HeldAnswerDoc>;
  factorEvents: Collection<FactorEventDoc>;
  usedCodes: Collection<UsedCodeDoc>;
  enrollmentLinks: Collection<EnrollmentLinkDoc>;
  answerLinks: Collection<AnswerLinkDoc>;
  passkeys: Collection<PasskeyDoc>;
  passkeyChallenges: Collection<PasskeyChallengeDoc>;
  passkeyProofs: Collection<PasskeyProofDoc>;
  claims: Collection<ClaimDoc>;
  audit: Collection<AuditDoc>;
}

export function collections(db: Db): Collections {
  return {
    alerts: db.collection<StoredAlertDoc>('alerts'),
    employees: db.collection<EmployeeDoc>('employees'),
    directory: db.collection<DirectoryEntryDoc>('directory'),
    directoryKeys: db.collection<DirectoryKeyDoc>('directory_keys'),
    directoryEvents: db.collection<DirectoryEventDoc>('directory_events'),
    secondFactors: db.collection<SecondFactorDoc>('second_factors'),
    employeeAlerts: db.collection<EmployeeAlertsDoc>('employee_alerts'),
    policies: db.collection<PolicyDoc>('policies'),
    suppressions: db.collection<SuppressionDoc>('suppressions'),
    sent: db.collection<SentDoc>('sent'),
    threads: db.collection<InterviewThreadDoc>('threads'),
    teamsFollowUps: db.collection<TeamsFollowUpDoc>('teams_follow_ups'),
    heldAnswers: db.collection<HeldAnswerDoc>('held_answers'),
    factorEvents: db.collection<FactorEventDoc>('factor_events'),
    usedCodes: db.collection<UsedCodeDoc>('used_codes'),
    enrollmentLinks: db.collection<EnrollmentLinkDoc>('enrollment_links'),
    answerLinks: db.collection<AnswerLinkDoc>('answer_links'),
    passkeys: db.collection<PasskeyDoc>('passkeys'),
    passkeyChallenges: db.collection<PasskeyChallengeDoc>('passkey_challenges'),
    passkeyProofs: db.collection<PasskeyProofDoc>('passkey_proofs'),
    claims: db.collection<ClaimDoc>('claims'),
    audit: db.collection<AuditDoc>('audit'),
    sources: db.collection<SourceDoc>('sources'),
  };
}

/** An alert source allowed to call the HTTP intake; only a hash of its bearer token is kept. */
export interface SourceDoc {
  _id: string; // the source's name
  /** SHA-256 (hex) of the bearer token. */
  tokenHash: string;
  createdAt: Date;
  createdBy: string;
  rotatedAt?: Date;
  /** Alerts a second this source may send (absent: the intake's default). */
  ratePerSecond?: number;
}

/** Creates the indexes (idempotent: run at every start). */
export async function ensureIndexes(db: Db): Promise<void> {
  const c = collections(db);
  await Promise.all([
    c.alerts.createIndex({ workflowId: 1 }, { unique: true, name: 'workflowId_unique' }),
    c.alerts.createIndex({ 'input.type': 1, createdAt: -1 }, { name: 'type_createdAt' }),
    c.employees.createIndex({ email: 1 }, { name: 'email' }),
    // The bot finds whose DM a message came in (store/employee-cache.ts userOfDmChannel).
    c.employees.createIndex({ dmChannel: 1 }, { name: 'dmChannel' }),
    c.suppressions.createIndex({ expiresAt: 1 }, { name: 'expiresAt' }),
    c.answerLinks.createIndex({ workflowId: 1 }, { name: 'workflowId' }),
    c.teamsFollowUps.createIndex({ conversationId: 1 }, { name: 'conversationId' }),
    c.heldAnswers.createIndex({ heldAt: 1 }, { name: 'heldAt' }),
    c.passkeys.createIndex({ employee: 1 }, { name: 'employee' }),
    c.sources.createIndex({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' }),
  ]);
}
