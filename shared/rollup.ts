import { defineSignal } from '@temporalio/workflow';
import type { Outcome } from './constants';
import type { EmployeeAnswer } from './messages';

/**
 * Messages between an alert's interview and its employee's rollup coordinator (workflow type
 * `rollupCoordinator`, id `employee-<hash of the employee key>`), and between a leading interview and
 * the interviews that joined it. Defined once; the workflows on both sides import them.
 */
export const ROLLUP_WORKFLOW_TYPE = 'rollupCoordinator';

/** How many of a storm's alerts a Teams card lists by name; the rest are counted. */
export const LISTED_ALERTS = 15;

export interface InterviewRef {
  workflowId: string;
  alertId: string;
}

/** "Lead, join or queue?": sent by an alert's interview, with signal-with-start, to the coordinator. */
export interface RollupRequest extends InterviewRef {
  /** Alerts with the same key may share an interview (see groupKey). */
  key: string;
  /** The asking alert's policy: at most this many separate interviews open for the employee. */
  maxOpen: number;
  /** Join only interviews started at most this long ago (the policy's `rollup.window`). */
  windowMs?: number;
  /** How long the interview may stay open, at most: its slot (or its place in the queue) lapses after. */
  holdMs: number;
  /** 1 for the first question, one more each time the interview is released and asks again. */
  round: number;
}

/** The coordinator's answer; `queued` is followed by `lead` or `join` once a slot frees. */
export interface RollupAnswer {
  round: number;
  role: 'lead' | 'join' | 'queued';
  /** join: the interview to join. */
  leader?: InterviewRef;
  /** queued: the interviews open for the employee, and the limit. */
  open?: number;
  limit?: number;
}

/**
 * What a leading interview tells the interviews that joined it once it has its outcome; a member
 * takes the outcome as its own only when it may (see `inheritedOutcome` in workflows/rollup.ts).
 */
export interface LeaderDecision {
  leader: InterviewRef;
  outcome: Outcome;
  /** The employee's second factor was verified in the leader's interview. */
  secondFactorVerified: boolean;
  answer?: EmployeeAnswer;
  /** The leader's escalation post, which members reference instead of posting their own. */
  escalation?: { channel: string; ts: string };
  /** false: the employee was asked where the group was not shown (by email); members go their own way. */
  groupShown?: false;
}

/** To the coordinator. */
export const rollupRequest = defineSignal<[RollupRequest]>('rollupRequest');
/** To the coordinator: this interview no longer holds a slot or a place in the queue. */
export const rollupEnded = defineSignal<[{ workflowId: string }]>('rollupEnded');
/** To an alert's interview: the coordinator's answer. */
export const rollupAnswer = defineSignal<[RollupAnswer]>('rollupAnswer');
/** To a leading interview: another alert joined it. */
export const rollupMemberJoined = defineSignal<[InterviewRef]>('rollupMemberJoined');
/** To a member: its leader's outcome. */
export const rollupDecided = defineSignal<[LeaderDecision]>('rollupDecided');

/** Which open interview an alert may join, as the policy's `rollup.by` says. */
export function groupKey(by: 'fingerprint' | 'type' | 'employee', alertType: string, fingerprint: string) {
  if (by === 'employee') return 'employee';
  if (by === 'type') return `type:${alertType}`;
  // The fingerprint already names the type: same fingerprint, same type.
  return `fingerprint:${fingerprint}`;
}
