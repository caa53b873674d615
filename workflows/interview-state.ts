import { CancellationScope, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities, ChannelRef, MessageRef, PreparedInterview } from '../activities';
import type { AlertInput } from '../shared/alert';
import { teamsPrincipal } from '../shared/channels';
import { employeeKey } from '../shared/employee-key';
import { type Outcome, isEscalation } from '../shared/constants';
import type {
  EmployeeResponse,
  InterviewPhase,
  InterviewState,
  ManagerResponse,
  OperatorAction,
  TranscriptEntry,
} from '../shared/messages';
import { type Note, type VerdictEventName, event } from '../shared/record/events';
import type { InterviewActivities } from './activity-proxies';
import { localStep } from './fail-closed';
import { type FollowUpState, newFollowUpState } from './follow-ups';
import { DEADLINE_MARGIN_MS } from './overall-deadline';
import { type RollupState, newRollupState } from './rollup';
import { type SnoozeState, newSnoozeState } from './snooze';
import { showProgress } from './web-ui-details';

export interface InterviewResult {
  alertId: string;
  outcome: Outcome;
  phase: InterviewPhase;
  suppressionId?: string;
  suppressedBy?: string;
  /** The operator who closed an escalation that had PagerDuty or webhook targets. */
  resolvedBy?: string;
}

/** How a step ended the interview: the outcome, and what the result says beside it. */
export interface Decision {
  outcome: Outcome;
  extra?: Pick<InterviewResult, 'suppressionId' | 'suppressedBy'>;
}

/** Which recorded commands this interview keeps, decided once when it starts. */
export interface Patches {
  /** Started with the last line of defence: bounded steps, authority checks, failed_closed. */
  guarded: boolean;
  /** Started with the typed record: approval and escalation posts are recorded as events. */
  typedRecord: boolean;
  /** Started with the verdict write-back: every outcome goes to the verdict receivers. */
  verdicts: boolean;
  /** Started with alert storms grouped: the alert asks its employee's coordinator before the DM. */
  rollup?: boolean;
  /** Started with the Teams channel: an employee Slack does not know answers by their Entra object id. */
  teams?: boolean;
}

/**
 * Everything one interview knows, shared by its steps and its message handlers, with the recording
 * that goes with it. Workflow memory only: what must survive is written through `persist`.
 */
export class Interview {
  phase: InterviewPhase = 'starting';
  outcome: Outcome | null = null;
  readonly deadlines: InterviewState['deadlines'] = {};
  readonly transcript: TranscriptEntry[] = [];
  /** Events not yet written to MongoDB, keyed by their place in the transcript. */
  private pending: (TranscriptEntry & { key: string })[] = [];
  private persisted = 0;
  /** Ids of the signals applied: a redelivered click or command is applied once. */
  readonly seenIds = new Set<string>();
  prepared: PreparedInterview | undefined;
  dm: MessageRef | null = null;
  /** Where the employee was asked, when the policy chose the channel (workflows/channels.ts). */
  contact: ChannelRef | undefined;
  /** Where they were asked besides: by email, when Slack had no answer by the first reminder. */
  readonly alsoAsked: ChannelRef[] = [];
  /**
   * An email with a link to the answer page is on its way: set before the activity that sends it, as
   * an answer from the page may arrive in the same workflow task as that activity's completion.
   */
  emailing = false;
  answer: EmployeeResponse | undefined;
  /** The deadline for the employee's answer has passed: a later one is late, even while the ladder runs. */
  answerClosed = false;

  /** Approve and skip count only while this is true: from the approval post until the decision. */
  approvalOpen = false;
  /** Approve/skip decisions not yet checked against the policy's approvers. */
  readonly approvalRequests: OperatorAction[] = [];
  approval: OperatorAction | undefined;
  /** An operator's action that ends the interview before its outcome. */
  interrupt: OperatorAction | undefined;
  /** An operator's close of an escalation that waits for one. */
  resolution: OperatorAction | undefined;

  readonly secondFactor = {
    verified: false,
    attemptsUsed: 0,
    lockedOut: false,
    /** The verification in flight; submissions queue behind it. */
    verifying: Promise.resolve() as Promise<unknown>,
  };
  readonly followUps: FollowUpState = newFollowUpState();
  /** The manager the ladder asks now, and their answer (workflows/ladder.ts). */
  readonly ladder: { asking?: string; answer?: ManagerResponse } = {};
  /** This alert's place in its employee's storm: leader, member, or on its own. */
  readonly rollup: RollupState = newRollupState();
  /** The snooze a verified "yes" may offer, and the employee's request for it. */
  readonly snooze: SnoozeState = newSnoozeState();

  /** Verdicts on their way to the receivers (workflows/verdicts.ts); each says whether it was undelivered. */
  readonly verdictDeliveries = new Map<VerdictEventName, Promise<boolean>>();

  /** The outcome is recorded and told (DM updated, escalation posted): the alert has ended. */
  told = false;
  /** The overall deadline: when it passes with no outcome, the interview fails closed. */
  overallDeadlineAt = Date.now() + DEADLINE_MARGIN_MS;
  overdue = false;
  /** The steps up to the end; cancelled when the overall deadline passes. */
  readonly scope = new CancellationScope();

  constructor(
    readonly alert: AlertInput,
    readonly workflowId: string,
    readonly patches: Patches,
    readonly acts: InterviewActivities,
  ) {
    showProgress({ phase: this.phase, outcome: this.outcome });
  }

  /** Records an event in the transcript; `persist` writes it. */
  readonly note: Note = (kind, actor, fields, extra = {}) => {
    const entry = event(kind, actor, new Date().toISOString(), fields, extra);
    this.transcript.push(entry);
    this.pending.push({ ...entry, key: `${this.transcript.length}` });
  };

  /** Moves to a phase: search attributes, memo and Web UI details, and the record in MongoDB. */
  async setPhase(next: InterviewPhase): Promise<void> {
    this.phase = next;
    const { phase, outcome } = this;
    upsertSearchAttributes({ VouchPhase: [phase], ...(outcome ? { VouchOutcome: [outcome] } : {}) });
    upsertMemo({ phase, outcome, title: this.alert.title });
    showProgress({ phase, outcome, deadlines: this.deadlines });
    await this.persist();
  }

  /** Writes the events not yet written, with the phase and outcome. */
  async persist(via: Pick<Activities, 'recordProgress'> = this.acts.recording): Promise<void> {
    const entries = this.pending;
    this.pending = [];
    try {
      await localStep('recordProgress', () =>
        via.recordProgress({
          alertId: this.alert.id,
          phase: this.phase,
          outcome: this.outcome,
          entries,
          persistedBefore: this.persisted,
        }),
      );
    } catch (err) {
      if (this.patches.guarded) this.pending = [...entries, ...this.pending]; // written with the next attempt, not lost
      throw err;
    }
    this.persisted += entries.length;
  }

  /** Who may answer, as the signals name them: a Slack user id, or `aad:<object id>` from Teams. */
  employeeId(): string | undefined {
    const e = this.prepared?.employee;
    if (e?.slackUserId || !e?.aadObjectId || !this.patches.teams) return e?.slackUserId;
    return teamsPrincipal({ aadObjectId: e.aadObjectId });
  }

  /**
   * The key the employee's second factors are kept under (shared/employee-key.ts): the Slack id, else
   * `email:<address>` for an employee without Slack.
   */
  factorKey(): string | undefined {
    const e = this.prepared?.employee;
    return e ? employeeKey(e) : undefined;
  }

  /** Whether an email with a link to the answer page went to the employee: then answers may come from it. */
  askedByEmail(): boolean {
    return this.emailing || [this.contact, ...this.alsoAsked].some((c) => c?.channel === 'email');
  }

  /** Who answered on the answer page, as the record names them: their Slack id, else their address. */
  webAnswerer(): string {
    return this.factorKey() ?? 'employee';
  }

  /** The employee as messages name them: resolved, or as the alert gives them. */
  employeeLabel(): string {
    const e = this.prepared?.employee;
    if (e) return e.name ? `${e.name} <@${e.slackUserId}>` : `<@${e.slackUserId}>`;
    const ref = this.alert.employee;
    return ref.email ?? (ref.slackUserId ? `<@${ref.slackUserId}>` : `user ${ref.username ?? '?'}`);
  }

  /** An escalation with PagerDuty or webhook targets stays open until an operator closes it. */
  awaitsResolution(): boolean {
    const targets = this.prepared?.policy.escalation;
    // A member's escalation is its leader's: the leader's post is closed, and the targets told, once.
    return (
      !this.rollup.decidedByLeader &&
      this.outcome !== null &&
      isEscalation(this.outcome) &&
      Boolean(targets?.pagerDuty || targets?.webhook)
    );
  }

  attemptLimit(): number {
    return this.prepared?.policy.secondFactor.attempts ?? 3;
  }

  /** The policy and the employee, once the alert is prepared and the employee known. */
  get ready(): PreparedInterview & { employee: NonNullable<PreparedInterview['employee']> } {
    const p = this.prepared;
    if (!p?.employee) throw new Error('interview step run before the employee was known');
    return { ...p, employee: p.employee };
  }
}
