import { patched } from '@temporalio/workflow';
import type { FollowUpQuestion, MessageRef } from '../activities';
import {
  closeTeamsFollowUps,
  postFollowUpQuestion,
  postTeamsFollowUpQuestion,
  thankForFollowUps,
} from './activity-proxies';
import type { Interview } from './interview-state';

/** Interviews asked in Teams whose conversation began before it could be held there end without one. */
const TEAMS_FOLLOW_UPS_PATCH = 'teams-follow-ups';

/** Where the follow-up questions are asked and answered: the conversation itself is the same everywhere. */
export interface FollowUpChat {
  ask(n: number, question: FollowUpQuestion): Promise<unknown>;
  /** The conversation is over; `answered` of its questions had an answer. */
  end(answered: number): Promise<void>;
}

/**
 * The Slack DM's thread, or the employee's Teams chat (replies to the card) when they were asked in
 * Teams; undefined where the employee was asked elsewhere (by email): no conversation.
 */
export function followUpChat(iv: Interview, answerTimeout: string): FollowUpChat | undefined {
  if (iv.dm) return slackThread(iv.workflowId, iv.dm);
  const ref = iv.contact;
  const employee = iv.employeeId();
  if (ref?.channel !== 'teams' || !employee || !patched(TEAMS_FOLLOW_UPS_PATCH)) return undefined;
  const { workflowId } = iv;
  return {
    ask: (n, question) =>
      postTeamsFollowUpQuestion({
        workflowId,
        alertId: iv.alert.id,
        ref,
        employee,
        n,
        question,
        answerTimeout,
      }),
    end: (answered) => closeTeamsFollowUps({ workflowId, ref, thank: answered > 0 }),
  };
}

function slackThread(workflowId: string, dm: MessageRef): FollowUpChat {
  return {
    ask: (n, question) => postFollowUpQuestion({ workflowId, dm, n, question }),
    async end(answered) {
      if (answered > 0) await thankForFollowUps({ workflowId, dm });
    },
  };
}
