import { ApplicationFailure } from '@temporalio/common';
import { createApprovalPostActivities } from './approval-post';
import { createApproverActivities } from './approvers';
import { markTeamsApprovalDecided, postTeamsApprovalRequest } from './channels/teams';

type ApprovalPost = ReturnType<typeof createApprovalPostActivities>;
import type { ActivityContext, MessageRef } from './context';
import type { FollowUpQuestion } from './interviewer';
import { slackCall, slackErrorCode } from './slack-client';
import { approvalRequest } from '../slack-blocks/approval';
import { employeeOf } from '../slack-blocks/record-format';

/** Approval mode: the request posted for approvers, who may decide, and the post once decided. */
export function createApprovalActivities(ctx: ActivityContext) {
  const { deps, slack, once, uiLink, loadAlertDoc } = ctx;
  const approvalPost = createApprovalPostActivities(ctx);

  async function userGroupMembers(usergroup: string): Promise<string[]> {
    try {
      return (await slack().usergroups.users.list({ usergroup })).users ?? [];
    } catch (err) {
      // A group deleted since the policy named it has no members; other failures are retried as usual.
      if (slackErrorCode(err) === 'no_such_subteam') return [];
      return slackCall('usergroups.users.list', () => Promise.reject(err));
    }
  }

  async function isInUserGroups(input: { slackUserId: string; groups: string[] }): Promise<boolean> {
    for (const usergroup of input.groups) {
      if ((await userGroupMembers(usergroup)).includes(input.slackUserId)) return true;
    }
    return false;
  }

  return {
    ...createApproverActivities(ctx, isInUserGroups),

    async postApprovalRequest(input: {
      workflowId: string;
      alertId: string;
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      channel?: string;
      approvers?: string[];
      /** Follow-up questions to approve with the interview. */
      proposedQuestions?: FollowUpQuestion[];
    }): Promise<MessageRef> {
      const channel = input.channel ?? deps.securityChannel;
      const inTeams = await postTeamsApprovalRequest(ctx, input);
      // An organisation on Teams alone decides there.
      if (!channel && inTeams) return inTeams;
      if (!channel)
        throw ApplicationFailure.create({
          type: 'NoSecurityChannel',
          message: 'the policy requires approval but VOUCH_SECURITY_CHANNEL is not set',
          nonRetryable: true,
        });
      const doc = await loadAlertDoc(input.alertId);
      return once(`${input.workflowId}:approval`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...approvalRequest(
              doc.input,
              employeeOf(doc),
              input.workflowId,
              uiLink(input.workflowId),
              input.proposedQuestions,
              input.approvers,
              deps.linkHosts,
            ),
          }),
        );
        return { channel: res.channel ?? channel, ts: res.ts ?? '' };
      });
    },

    /** Whether a Slack user is a member of one of the user groups (a policy's approvers). */
    isInUserGroups,

    /** The decided request's posts lose their buttons: in Slack, and in Teams when it was posted there. */
    async markApprovalDecided(input: Parameters<ApprovalPost['markApprovalDecided']>[0]) {
      const inTeams = await markTeamsApprovalDecided(ctx, input);
      const inSlack = await approvalPost.markApprovalDecided(input);
      return { updated: inSlack.updated || inTeams };
    },
  };
}
