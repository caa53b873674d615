import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  type AnswerChannel,
  type EmployeeReply,
  type EmployeeResponse,
  type InterviewState,
  type ManagerResponse,
  type OperatorAction,
  type SecondFactorResult,
  employeeReply,
  employeeResponse,
  interviewState,
  managerResponse,
  operatorAction,
  requestSnooze,
  snoozeDecision,
  submitSecondFactor,
} from '../shared/messages';
import type { SnoozeDecisionSignal, SnoozeRequest, SnoozeRequestResult } from '../shared/snooze';

/**
 * The bot's only way to the interviews: it reads their state and sends their signals and update,
 * and says which failures were the interview's answer and which were Temporal being unreachable.
 */
export const WORKFLOW_ID_PATTERN = /^alert-[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_DEADLINE_MS = 5000;
export const UPDATE_DEADLINE_MS = 30_000;

export class InterviewNotFoundError extends Error {
  override readonly name = 'InterviewNotFoundError';
}
/** The interview refused the update (its validator): finished, wrong person, malformed. */
export class InterviewRefusedError extends Error {
  override readonly name = 'InterviewRefusedError';
}

export function createInterviewGateway(client: Client) {
  const handle = (workflowId: string) => {
    if (!WORKFLOW_ID_PATTERN.test(workflowId))
      throw new InterviewNotFoundError(`not an interview id: ${workflowId}`);
    return client.workflow.getHandle(workflowId);
  };
  const mapNotFound = async <T>(
    workflowId: string,
    op: () => Promise<T>,
    deadlineMs = REQUEST_DEADLINE_MS,
  ): Promise<T> => {
    try {
      // Someone is waiting in Slack: give up after a few seconds rather than the client's long retries.
      return await client.connection.withDeadline(Date.now() + deadlineMs, op);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new InterviewNotFoundError(`no interview ${workflowId}`);
      throw err;
    }
  };
  return {
    state: (workflowId: string): Promise<InterviewState> =>
      mapNotFound(workflowId, () => handle(workflowId).query(interviewState)),

    respond: (workflowId: string, response: EmployeeResponse): Promise<void> =>
      mapNotFound(workflowId, () => handle(workflowId).signal(employeeResponse, response)),

    managerRespond: (workflowId: string, response: ManagerResponse): Promise<void> =>
      mapNotFound(workflowId, () => handle(workflowId).signal(managerResponse, response)),

    reply: (workflowId: string, reply: EmployeeReply): Promise<void> =>
      mapNotFound(workflowId, () => handle(workflowId).signal(employeeReply, reply)),

    act: (workflowId: string, action: OperatorAction): Promise<void> =>
      mapNotFound(workflowId, () => handle(workflowId).signal(operatorAction, action)),

    decideSnooze: (workflowId: string, decision: SnoozeDecisionSignal): Promise<void> =>
      mapNotFound(workflowId, () => handle(workflowId).signal(snoozeDecision, decision)),

    /** The employee's snooze request: the interview takes it or records why not. */
    async requestSnooze(workflowId: string, request: SnoozeRequest): Promise<SnoozeRequestResult> {
      try {
        return await mapNotFound(workflowId, () =>
          handle(workflowId).executeUpdate(requestSnooze, { args: [request] }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          throw new InterviewRefusedError((err.cause as Error | undefined)?.message ?? err.message);
        throw err;
      }
    },

    async submitCode(
      workflowId: string,
      slackUserId: string,
      sealedCode: string,
      via?: AnswerChannel,
    ): Promise<SecondFactorResult> {
      try {
        // Longer: an update cut off by the deadline may still be applied, and must not be reported as lost.
        return await mapNotFound(
          workflowId,
          () =>
            handle(workflowId).executeUpdate(submitSecondFactor, {
              args: [{ responseId: randomUUID(), slackUserId, code: sealedCode, ...(via ? { via } : {}) }],
            }),
          UPDATE_DEADLINE_MS,
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          throw new InterviewRefusedError((err.cause as Error | undefined)?.message ?? err.message);
        throw err;
      }
    },
  };
}

export type InterviewGateway = ReturnType<typeof createInterviewGateway>;
