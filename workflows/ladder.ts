import { patched } from '@temporalio/workflow';
import { parseDuration } from '../shared/duration';
import type { LadderPolicy } from '../shared/policy';
import type { Decision, Interview } from './interview-state';
import { waitFor } from './operator-interrupt';
import { extendDeadline } from './overall-deadline';

/** Interviews from before the ladder escalate at the deadline, as they did. */
const LADDER_PATCH = 'manager-ladder';
/** Interviews from before it skip a manager Slack cannot reach, even when Teams can. */
const TEAMS_MANAGER_PATCH = 'teams-manager-question';

/**
 * The employee did not answer by the deadline: the policy's ladder, step by step, instead of escalating
 * at once. Asking the manager ends the interview only when they say they don't know (escalated at once)
 * or know (escalated with lower priority, or closed, per `onManagerConfirms`); "I can't tell", no
 * answer, or no manager to ask moves to the next step. Every way ends in an outcome: past the last
 * step the alert escalates `no_response`.
 */
export async function climbLadder(iv: Interview): Promise<Decision | undefined> {
  // Policies stored before the ladder have none; a history recorded before it has no marker.
  const ladder: LadderPolicy | undefined = iv.ready.policy.ladder;
  if (!ladder?.steps.length || !patched(LADDER_PATCH)) return undefined;
  for (const [i, step] of ladder.steps.entries()) {
    const n = i + 1;
    if (step.escalate) {
      iv.note('ladder_step', 'vouch', { n, step: 'escalate' });
      return { outcome: 'no_response' };
    }
    iv.note('ladder_step', 'vouch', { n, step: 'ask_manager' });
    const said = await askManager(iv, step.wait!);
    if (said === 'does_not_know') return { outcome: 'no_response' };
    if (said === 'knows')
      return { outcome: ladder.onManagerConfirms === 'close' ? 'manager_confirmed' : 'no_response' };
  }
  return { outcome: 'no_response' };
}

/** One manager step: their answer, or undefined when there was no one to ask or no answer in time. */
async function askManager(iv: Interview, wait: string) {
  const { employee } = iv.ready;
  const found = await iv.acts.ladder.findManager({
    employeeSlackId: employee.slackUserId,
    ...(employee.email ? { employeeEmail: employee.email } : {}),
    ...(patched(TEAMS_MANAGER_PATCH) ? { orTeams: true } : {}),
  });
  if ('skipped' in found) {
    iv.note('manager_skipped', 'vouch', { reason: found.skipped });
    await iv.persist();
    return undefined;
  }
  const teams = 'teamsManager' in found ? found.teamsManager : undefined;
  // Their answers name them as the Teams bot does: `aad:<object id>` for someone Slack does not know.
  const manager = 'manager' in found ? found.manager.slackUserId : `aad:${found.teamsManager.aadObjectId}`;
  // The directory (or Slack) may map the manager back to the employee: nobody vouches for themselves.
  const isEmployee = teams
    ? teams.aadObjectId === employee.aadObjectId?.toLowerCase() ||
      teams.email === employee.email?.toLowerCase()
    : manager === employee.slackUserId;
  if (isEmployee) {
    iv.note('manager_skipped', 'vouch', { reason: 'manager_is_subject' });
    await iv.persist();
    return undefined;
  }
  const waitMs = parseDuration(wait);
  const waitUntil = new Date(Date.now() + waitMs).toISOString();
  iv.deadlines.manager = waitUntil;
  extendDeadline(iv, Date.now() + waitMs);
  iv.ladder.asking = manager;
  iv.ladder.answer = undefined;
  await iv.setPhase('awaiting_manager');
  const dm = teams
    ? await iv.acts.ladder.askManagerInTeams({
        workflowId: iv.workflowId,
        alertId: iv.alert.id,
        managerAadObjectId: teams.aadObjectId,
        employee: employee.email ?? employee.name ?? manager,
        waitUntil,
      })
    : await iv.acts.ladder.askManager({
        workflowId: iv.workflowId,
        alertId: iv.alert.id,
        managerSlackId: manager,
        employeeSlackId: employee.slackUserId,
        waitUntil,
      });
  iv.note('manager_asked', 'vouch', { manager, waitUntil });
  await iv.persist();
  await waitFor(iv, () => managerAnswer(iv) !== undefined, waitMs);
  const answer = managerAnswer(iv);
  iv.ladder.asking = undefined;
  if (answer === undefined) iv.note('manager_no_answer', 'vouch', { wait });
  const closing = { workflowId: iv.workflowId, alertId: iv.alert.id, dm, ...(answer ? { answer } : {}) };
  if (teams) await iv.acts.ladder.closeManagerQuestionInTeams(closing);
  else await iv.acts.ladder.closeManagerQuestion(closing);
  return answer;
}

// Read through a function: the signal handler sets it while the step waits.
const managerAnswer = (iv: Interview) => iv.ladder.answer?.answer;
