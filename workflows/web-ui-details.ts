import { setCurrentDetails } from '@temporalio/workflow';
import type { Outcome, UNDELIVERED_PHASE } from '../shared/constants';
import type { InterviewPhase, InterviewState } from '../shared/messages';

/** A phase as the Temporal Web UI shows it: what the interview is waiting for, in a few words. */
const PHASE_LABEL: Record<InterviewPhase | typeof UNDELIVERED_PHASE, string> = {
  starting: 'Starting: finding the employee and the policy',
  queued: "Waiting for one of the employee's open interviews to end",
  awaiting_approval: 'Waiting for approval in the security channel',
  awaiting_response: "Waiting for the employee's answer",
  awaiting_leader: "Joined another alert's interview: waiting for its answer",
  awaiting_second_factor: "Waiting for the employee's second factor",
  awaiting_manager: "No answer: waiting for the employee's manager",
  closed: 'Closed',
  escalated: 'Escalated',
  fail_closed_undelivered: 'Failed closed: the security team is not told yet, retrying',
};

export interface Progress {
  phase: InterviewPhase | typeof UNDELIVERED_PHASE;
  outcome: Outcome | null;
  deadlines?: InterviewState['deadlines'];
}

/** The current-details line of the Web UI (markdown), from the same facts as the search attributes. */
export function describeProgress({ phase, outcome, deadlines = {} }: Progress): string {
  const parts = [`**${PHASE_LABEL[phase]}**`];
  if (outcome) parts.push(`outcome \`${outcome}\``);
  if (phase === 'awaiting_approval' && deadlines.approval) parts.push(`approval due ${deadlines.approval}`);
  if (phase === 'awaiting_response' && deadlines.response) parts.push(`answer due ${deadlines.response}`);
  return parts.join(' · ');
}

/**
 * Shows where the interview stands in the Web UI. Current details live in the workflow's memory and
 * are read by a query, so setting them writes no command and replays of older histories are unchanged.
 */
export function showProgress(progress: Progress): void {
  setCurrentDetails(describeProgress(progress));
}
