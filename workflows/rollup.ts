import {
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
} from '@temporalio/workflow';
import type { Outcome } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import type { Policy } from '../shared/policy';
import type { EventFields } from '../shared/record/events';
import {
  type InterviewRef,
  type LeaderDecision,
  LISTED_ALERTS,
  type RollupAnswer,
  groupKey,
  rollupAnswer,
  rollupDecided,
  rollupEnded,
  rollupMemberJoined,
} from '../shared/rollup';
import { reachableChannels } from '../shared/channels';
import { askEmployeeRollup, askRollup, updateRolledUpDm, updateRolledUpTeamsCard } from './activity-proxies';
import { WORKING_HOURS_REACH_MS } from './asking';
import { chosenChannels } from './channels';
import type { Decision, Interview } from './interview-state';
import { waitFor } from './operator-interrupt';
import { extendDeadline } from './overall-deadline';
import { SECOND_FACTOR_WAIT_MS } from './second-factor';

/**
 * Alert storms become one conversation. After its employee, policy and suppressions are known, an
 * alert asks its employee's coordinator (workflows/rollup-coordinator.ts) whether it leads an
 * interview, joins an open one, or waits for a slot. A member takes its leader's outcome as its own
 * when that outcome decides it; otherwise, or when nobody answers in time, it goes its own way: every
 * wait here is bounded, and an alert always ends decided by an interview or escalated.
 */

/** How long the coordinator has to answer; past it the alert has its own interview. */
const ANSWER_WAIT_MS = 2 * 60_000;
/** A member released this many times (its leaders kept ending without deciding it) asks no more. */
const MAX_ROUNDS = 3;
/** Room around an interview's own deadlines for its Slack and MongoDB steps. */
const HOLD_MARGIN_MS = 3600_000;
/** The rolled-up DM is updated at most this often, however many alerts join. */
export const DM_UPDATE_EVERY_MS = 5_000;
/** The widest spacing of updates while Slack's budget has nothing to spare for them. */
const DM_UPDATE_MAX_PAUSE_MS = 60_000;
/**
 * Interviews that ended before this change could end while telling a late member its decision: a
 * signal still in flight when a workflow completes is never delivered, and that member waited out its
 * whole hold. Now a leader ends only once every member it knows of has been told.
 */
const FORWARD_BEFORE_END_PATCH = 'rollup-forward-before-end';
/**
 * Interviews started before this change counted a rolled-up DM's update as shown even when it was
 * skipped to spare Slack's budget; now a skipped count is shown at the next turn.
 */
const DM_UPDATE_SKIPPED_PATCH = 'rollup-dm-update-skipped';
/**
 * Interviews started before this change grouped only employees with a Slack id; now an employee
 * without one, asked first in Teams, is grouped by their employee key.
 */
const BY_EMPLOYEE_KEY_PATCH = 'rollup-by-employee-key';
/** Interviews started before this change left a leading Teams card as it was sent when alerts joined. */
const TEAMS_CARD_PATCH = 'rollup-teams-card';
/** Outcomes of the leader that members take as their own: what the employee's answer (or silence) said. */
const SHARED_OUTCOMES: readonly Outcome[] = [
  'denied',
  'no_response',
  'second_factor_failed',
  'not_enrolled',
  'coercion_reported',
  'manager_confirmed',
];

export interface RollupState {
  coordinatorId?: string;
  round: number;
  answers: RollupAnswer[];
  role: 'none' | 'lead' | 'member' | 'own';
  /** Grouped by the employee key of an employee without Slack: asked in Teams, where the card lists the group. */
  byEmployeeKey?: boolean;
  leader?: InterviewRef;
  /** A leader's members, in the order they joined; the first `forwarded` were told the decision. */
  members: InterviewRef[];
  forwarded: number;
  /** Decisions being signalled to members now. */
  forwarding: Set<Promise<void>>;
  /**
   * Leaders' decisions by leader workflow id: kept whenever they come, since a leader that decides at
   * once can be heard before the coordinator's answer that made this alert its member.
   */
  decisions: Record<string, LeaderDecision>;
  /** A member's outcome taken from its leader: nothing is posted, the leader's escalation is referenced. */
  decidedByLeader?: LeaderDecision;
  /** A leader's: the decision its members are told. */
  shared?: LeaderDecision;
  endedSent: boolean;
  dmUpdates?: Promise<void>;
}

export function newRollupState(): RollupState {
  return {
    round: 0,
    answers: [],
    role: 'none',
    members: [],
    forwarded: 0,
    forwarding: new Set(),
    decisions: {},
    endedSent: false,
  };
}

/** The rollup's messages; they only record (the steps act on them). */
export function registerRollupHandlers(iv: Interview): void {
  const r = iv.rollup;
  const joined = new Set<string>();
  setHandler(rollupAnswer, (a) => {
    if (a.round === r.round) r.answers.push(a);
  });
  setHandler(rollupMemberJoined, (m) => {
    if (joined.has(m.workflowId) || m.workflowId === iv.workflowId) return;
    joined.add(m.workflowId);
    r.members.push(m);
  });
  setHandler(rollupDecided, (d) => {
    r.decisions[d.leader.workflowId] ??= d;
  });
}

/** The longest an interview under this policy should stay open: its slot, or a member's wait, lapses after. */
export function interviewBoundMs(policy: Policy): number {
  const approval = policy.mode === 'approval' ? parseDuration(policy.approval.timeout) : 0;
  const answer = policy.workingHours.enabled ? WORKING_HOURS_REACH_MS : parseDuration(policy.deadline);
  return approval + answer + SECOND_FACTOR_WAIT_MS + HOLD_MARGIN_MS;
}

/**
 * Lead, join or wait. Returns the outcome when the leader's decides this alert; undefined when this
 * alert has an interview of its own (it leads one, rollup is off, or it goes its own way).
 */
export async function joinOrLead(iv: Interview): Promise<Decision | undefined> {
  const { policy, fingerprint } = iv.ready;
  const rollup = policy.rollup;
  if (!rollup?.enabled) return undefined;
  const who = stormEmployee(iv);
  if (!who) return undefined;
  const r = iv.rollup;
  const holdMs = interviewBoundMs(policy);
  const request = {
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    key: groupKey(rollup.by, iv.alert.type, fingerprint),
    maxOpen: rollup.maxOpenPerEmployee,
    ...(rollup.window ? { windowMs: parseDuration(rollup.window) } : {}),
    holdMs,
  };
  for (r.round = 1; r.round <= MAX_ROUNDS; r.round += 1) {
    r.answers = [];
    try {
      const asked = { ...request, round: r.round };
      r.coordinatorId = (
        await ('slackUserId' in who
          ? askRollup({ slackUserId: who.slackUserId, request: asked })
          : askEmployeeRollup({ employeeKey: who.employeeKey, request: asked }))
      ).coordinatorId;
    } catch (err) {
      if (isCancellation(err)) throw err; // the interview is being ended: not a coordinator's failure
      return ownWay(iv, 'coordinator_unavailable');
    }
    const placed = () => r.answers.find((a) => a.role !== 'queued');
    if (!(await waitFor(iv, () => r.answers.length > 0, ANSWER_WAIT_MS))) return ownWay(iv, 'no_answer');
    const queued = r.answers.find((a) => a.role === 'queued');
    if (!placed() && queued) {
      iv.note('rollup_queued', 'vouch', { open: queued.open ?? 0, limit: queued.limit ?? 0 });
      extendDeadline(iv, Date.now() + holdMs + ANSWER_WAIT_MS);
      await iv.setPhase('queued');
      if (!(await waitFor(iv, () => placed() !== undefined, holdMs + ANSWER_WAIT_MS)))
        return ownWay(iv, 'queue_timeout');
    }
    const answer = placed()!;
    if (answer.role === 'lead' || !answer.leader) {
      r.role = 'lead';
      return undefined;
    }
    const decided = await followLeader(iv, answer.leader, holdMs);
    if (decided !== 'released') return decided;
  }
  return ownWay(iv, 'too_many_rounds');
}

/**
 * Whose coordinator the alert asks: an employee's storm is found by their Slack id, as always; one
 * without Slack by their employee key, when the policy asks them in Teams first, whose card lists the
 * alerts it covers. Others (asked by email, whose page shows one alert) are asked one by one.
 */
function stormEmployee(iv: Interview): { slackUserId: string } | { employeeKey: string } | undefined {
  const { employee } = iv.ready;
  if (employee.slackUserId) return { slackUserId: employee.slackUserId };
  const key = iv.factorKey();
  // The patch first: interviews recorded before it never look at the channels this early.
  if (!key || !patched(BY_EMPLOYEE_KEY_PATCH)) return undefined;
  const channels = chosenChannels(iv);
  if (!channels || reachableChannels(channels, employee)[0] !== 'teams') return undefined;
  iv.rollup.byEmployeeKey = true;
  return { employeeKey: key };
}

/** A member waits for its leader's decision, and takes it when it decides this alert too. */
async function followLeader(
  iv: Interview,
  leader: InterviewRef,
  holdMs: number,
): Promise<Decision | undefined | 'released'> {
  const r = iv.rollup;
  r.role = 'member';
  r.leader = leader;
  const decision = () => r.decisions[leader.workflowId];
  iv.note('rollup_joined', 'vouch', { leaderAlertId: leader.alertId, leaderWorkflowId: leader.workflowId });
  extendDeadline(iv, Date.now() + holdMs);
  await iv.setPhase('awaiting_leader');
  if (!(await waitFor(iv, () => decision() !== undefined, holdMs))) return ownWay(iv, 'leader_timeout');
  const d = decision()!;
  // The leader's question never showed this alert (Teams could not reach the employee; email did).
  if (d.groupShown === false) return ownWay(iv, 'group_not_shown');
  const outcome = inheritedOutcome(iv, d);
  if (!outcome) {
    iv.note('rollup_released', 'vouch', { leaderAlertId: leader.alertId, leaderOutcome: d.outcome });
    r.role = 'own';
    r.leader = undefined;
    return 'released';
  }
  r.decidedByLeader = d;
  iv.note('rollup_decided_by_leader', 'vouch', {
    leaderAlertId: leader.alertId,
    leaderWorkflowId: leader.workflowId,
    outcome,
    secondFactorVerified: d.secondFactorVerified,
    ...(d.escalation ? { escalationChannel: d.escalation.channel, escalationTs: d.escalation.ts } : {}),
  });
  return { outcome };
}

/**
 * The leader's outcome as this alert's own: what the employee said (or did not say) decides every
 * alert they were asked about; "yes" counts only with the second factor verified in that interview
 * (or none required by this alert's own policy). Operator actions, cancellations and failures decide
 * only the leader's alert.
 */
function inheritedOutcome(iv: Interview, d: LeaderDecision): Outcome | undefined {
  if (SHARED_OUTCOMES.includes(d.outcome)) return d.outcome;
  if (d.outcome !== 'confirmed_verified' || d.answer !== 'confirmed') return undefined;
  if (d.secondFactorVerified || iv.ready.policy.secondFactor.required === false) return d.outcome;
  return undefined;
}

/** No grouping for this alert: it has an interview of its own from here. */
function ownWay(iv: Interview, reason: EventFields['rollup_fallback']['reason']): undefined {
  iv.rollup.role = 'own';
  iv.note('rollup_fallback', 'vouch', { reason });
  return undefined;
}

/** Shows the first `showing` members in the leader's question; false when skipped for the channel's budget. */
type GroupUpdate = (showing: number) => Promise<boolean>;

/**
 * A leader keeps its question current as alerts join (the Slack DM, or the Teams card): at most one
 * update per DM_UPDATE_EVERY_MS.
 */
export function startDmUpdates(iv: Interview): void {
  const r = iv.rollup;
  if (r.role !== 'lead') return;
  const update = iv.dm ? slackDmUpdate(iv, iv.dm) : teamsCardUpdate(iv);
  if (!update) return;
  const done = () => iv.outcome !== null;
  const retrySkipped = patched(DM_UPDATE_SKIPPED_PATCH);
  r.dmUpdates = (async () => {
    let shown = 0;
    let pause = DM_UPDATE_EVERY_MS;
    for (;;) {
      await condition(() => done() || r.members.length !== shown);
      if (done()) return;
      const showing = r.members.length;
      // Failed for good: the question stays as it was; its buttons still work.
      const updated = await update(showing).catch(() => true);
      // Skipped for Slack's budget: the count is shown at a later turn, spaced wider while the budget is short.
      const skipped = updated === false && retrySkipped;
      if (!skipped) shown = showing;
      pause = skipped ? Math.min(pause * 2, DM_UPDATE_MAX_PAUSE_MS) : DM_UPDATE_EVERY_MS;
      if (await condition(done, pause)) return;
    }
  })().catch(() => undefined); // cancelled with the interview's steps: the outcome's update follows
}

function slackDmUpdate(iv: Interview, dm: NonNullable<Interview['dm']>): GroupUpdate {
  const { policy, employee } = iv.ready;
  return (showing) =>
    updateRolledUpDm({
      leaderWorkflowId: iv.workflowId,
      dm,
      covers: showing + 1,
      latestAlertId: iv.rollup.members[showing - 1]!.alertId,
      intro: policy.messages?.intro,
      employeeName: employee.name,
    });
}

/** The leader's Teams card, listing the first alerts it covers by name and counting the rest. */
function teamsCardUpdate(iv: Interview): GroupUpdate | undefined {
  const contact = iv.contact;
  if (contact?.channel !== 'teams' || !patched(TEAMS_CARD_PATCH)) return undefined;
  const { employee } = iv.ready;
  return async (showing) => {
    const members = iv.rollup.members.slice(0, Math.min(showing, LISTED_ALERTS - 1));
    await updateRolledUpTeamsCard({
      leaderWorkflowId: iv.workflowId,
      ref: contact,
      alertIds: [iv.alert.id, ...members.map((m) => m.alertId)],
      covers: showing + 1,
      answerDueAt: iv.deadlines.response!,
      ...(employee.name ? { employeeName: employee.name } : {}),
    });
    return true;
  };
}

/**
 * The leader's outcome, told: the coordinator first (so a member released by it asks a coordinator
 * that knows the slot is free), then every member, and any that joins later.
 */
export async function shareDecision(iv: Interview, escalation?: { channel: string; ts: string }) {
  const r = iv.rollup;
  if (r.role !== 'lead' || r.shared || iv.outcome === null) return;
  r.shared = {
    leader: { workflowId: iv.workflowId, alertId: iv.alert.id },
    outcome: iv.outcome,
    secondFactorVerified: iv.secondFactor.verified,
    ...(iv.answer ? { answer: iv.answer.answer } : {}),
    ...(escalation ? { escalation: { channel: escalation.channel, ts: escalation.ts } } : {}),
    // Asked elsewhere than the Teams card that lists the group: the answer covered this alert only.
    ...(r.byEmployeeKey && iv.contact && iv.contact.channel !== 'teams' ? { groupShown: false } : {}),
  };
  await tellCoordinatorEnded(iv);
  await forwardDecision(iv);
  // Cancelled with the interview's steps: the end of the interview forwards to the rest (settleRollup).
  void (async () => {
    for (;;) {
      await condition(() => r.members.length > r.forwarded);
      await forwardDecision(iv);
    }
  })().catch(() => undefined);
}

async function forwardDecision(iv: Interview): Promise<void> {
  const r = iv.rollup;
  const shared = r.shared;
  if (!shared) return;
  const batch = r.members.slice(r.forwarded);
  r.forwarded = r.members.length;
  const sending = Promise.all(
    batch.map((m) =>
      getExternalWorkflowHandle(m.workflowId)
        .signal(rollupDecided, shared)
        .catch((err: unknown) => {
          // Cancelled with the interview's steps: told again at its end (settleRollup). A member that
          // already ended (an operator closed it) cannot be told: nothing to do.
          if (isCancellation(err)) r.members.push(m);
        }),
    ),
  ).then(() => undefined);
  r.forwarding.add(sending);
  await sending;
  r.forwarding.delete(sending);
}

/** Until every member known now has been told (or cannot be): a workflow's end drops signals in flight. */
async function everyMemberTold(iv: Interview): Promise<void> {
  const r = iv.rollup;
  if (!r.shared) return; // nothing to tell: the members go their own way when their wait lapses
  while (r.forwarding.size > 0 || r.members.length > r.forwarded) {
    await forwardDecision(iv);
    await Promise.all([...r.forwarding]);
  }
}

async function tellCoordinatorEnded(iv: Interview): Promise<void> {
  const r = iv.rollup;
  if (!r.coordinatorId || r.endedSent) return;
  r.endedSent = true;
  await getExternalWorkflowHandle(r.coordinatorId)
    .signal(rollupEnded, { workflowId: iv.workflowId })
    .catch((err: unknown) => {
      // Cancelled: told again at the interview's end. A coordinator that is gone holds no slot any more.
      if (isCancellation(err)) r.endedSent = false;
    });
}

/**
 * At the interview's end, whatever ended it: a leader tells its members (an outcome that is not
 * theirs releases them to their own way) and the coordinator that its slot is free; an alert that
 * waited or went its own way gives up its place.
 */
export async function settleRollup(iv: Interview): Promise<void> {
  const r = iv.rollup;
  if (r.role === 'lead') {
    await shareDecision(iv);
    await forwardDecision(iv);
    if (patched(FORWARD_BEFORE_END_PATCH)) await everyMemberTold(iv);
  }
  if (r.role !== 'member') await tellCoordinatorEnded(iv);
}
