import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { rollupTaskQueue } from '../shared/constants';
import { type RollupRequest, ROLLUP_WORKFLOW_TYPE, rollupRequest } from '../shared/rollup';
import { rolledUpInterviewMessage } from '../slack-blocks/interview';
import type { LocalizedTemplate } from '../shared/templates';
import type { ActivityContext, MessageRef } from './context';
import { employeeLanguages } from './employee-language';
import { slackCall, slackHasRoomFor } from './slack-client';

/**
 * The coordinator of one employee's interviews on one task queue, by their employee key
 * (shared/employee-key.ts: the Slack id, which it always was for anyone with Slack, else
 * `email:<address>`): a hash, so no email or Slack id is in the id (two deployments sharing a
 * namespace on different task queues keep their own books).
 */
export function coordinatorId(taskQueue: string, employeeKey: string): string {
  const hash = createHash('sha256').update(`${taskQueue}\n${employeeKey}`).digest('hex');
  return `employee-${hash.slice(0, 24)}`;
}

/** Signal-with-start of the coordinator of the employee with this key, with the request. */
async function askCoordinator(
  employeeKey: string,
  request: RollupRequest,
): Promise<{ coordinatorId: string }> {
  const { client, info } = Context.current();
  const id = coordinatorId(info.taskQueue, employeeKey);
  await client.workflow.signalWithStart(ROLLUP_WORKFLOW_TYPE, {
    workflowId: id,
    taskQueue: rollupTaskQueue(info.taskQueue),
    args: [],
    signal: rollupRequest,
    signalArgs: [request],
  });
  return { coordinatorId: id };
}

/** Alert storms: the question to the employee's coordinator, and the DM that covers several alerts. */
export function createRollupActivities(ctx: ActivityContext) {
  const { deps, slack, loadAlert } = ctx;
  const { languageOfAlert } = employeeLanguages(ctx);
  return {
    /**
     * Asks the employee's coordinator "lead, join or queue?", starting it if none runs (signal-with-
     * start, with the worker's own client, on the rollup task queue; a coordinator started before
     * that queue existed runs on until it ends where it is); the answer comes back as a signal.
     * A retry asks again with the same round, which the coordinator answers as before.
     */
    async askRollup(input: {
      slackUserId: string;
      request: RollupRequest;
    }): Promise<{ coordinatorId: string }> {
      return askCoordinator(input.slackUserId, input.request);
    },

    /**
     * The same for an employee without Slack, by their employee key (`email:<address>`). An activity of
     * its own: a worker of the release before, which knows only askRollup, never takes it (an interview
     * it cannot place goes its own way), so it cannot put such employees in one coordinator together.
     */
    async askEmployeeRollup(input: {
      employeeKey: string;
      request: RollupRequest;
    }): Promise<{ coordinatorId: string }> {
      if (!input.employeeKey)
        throw ApplicationFailure.create({
          type: 'RollupWithoutEmployee',
          message: 'askEmployeeRollup needs employeeKey, e.g. email:ana@example.com',
          nonRetryable: true,
        });
      return askCoordinator(input.employeeKey, input.request);
    },

    /**
     * The leading interview's DM, updated to say how many alerts it covers and to show the latest.
     * Skipped (false) while Slack's budget for updates has nothing to spare: the outcome's update of
     * this DM, and other interviews' messages, come first; the workflow tries again later.
     */
    async updateRolledUpDm(input: {
      leaderWorkflowId: string;
      dm: MessageRef;
      covers: number;
      latestAlertId: string;
      intro?: LocalizedTemplate;
      employeeName?: string;
    }): Promise<boolean> {
      if (!slackHasRoomFor(slack(), 'chat.update', input.dm.channel)) return false;
      const latest = await loadAlert(input.latestAlertId);
      // The latest alert names the same employee as the one the DM was written for.
      const lang = await languageOfAlert(input.latestAlertId);
      await slackCall('chat.update', () =>
        slack().chat.update({
          channel: input.dm.channel,
          ts: input.dm.ts,
          ...rolledUpInterviewMessage(latest, input.leaderWorkflowId, input.covers, {
            intro: input.intro,
            employeeName: input.employeeName,
            linkHosts: deps.linkHosts,
            lang,
          }),
        }),
      );
      return true;
    },
  };
}
