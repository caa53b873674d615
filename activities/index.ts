import { createApprovalActivities } from './approval';
import { createChannelActivities } from './channels';
import { createTeamsFollowUpActivities } from './channels/teams-follow-ups';
import { type ActivityDeps, activityContext } from './context';
import { createEscalationTargetActivities } from './escalation-targets';
import { createFailClosedActivities } from './fail-closed';
import { createInterviewMessageActivities } from './interview-messages';
import { createInterviewerActivities } from './interviewer';
import { employeeLanguages } from './employee-language';
import { createManagerActivities } from './manager';
import { createProgressActivities } from './progress';
import { createRollupActivities } from './rollup';
import { createSecondFactorActivities } from './second-factor';
import { createSnoozeActivities } from './snooze';
import { createSuppressionActivities } from './suppressions';
import { createVerdictActivities } from './verdicts';

/**
 * All activities, one factory per domain around one shared context. Each is idempotent: a side effect
 * (a Slack message) is recorded in `sent` under `<workflowId>:<step>` and a retry returns the recorded
 * result instead of sending again. Activity names are in recorded histories: they never change.
 */
export function createActivities(deps: ActivityDeps) {
  const ctx = activityContext(deps);
  return {
    ...createProgressActivities(ctx),
    ...createApprovalActivities(ctx),
    ...createInterviewMessageActivities(ctx),
    ...createChannelActivities(ctx),
    ...createTeamsFollowUpActivities(ctx),
    ...createSecondFactorActivities(ctx),
    ...createSuppressionActivities(ctx),
    ...createSnoozeActivities(ctx),
    ...createRollupActivities(ctx),
    ...createManagerActivities(ctx),
    ...createEscalationTargetActivities(ctx),
    ...createVerdictActivities(ctx),
    ...createInterviewerActivities({
      ...ctx,
      llm: deps.llm,
      linkHosts: deps.linkHosts,
      languageOfDm: employeeLanguages(ctx).languageOfDm,
    }),
    ...createFailClosedActivities({
      c: ctx.c,
      logger: ctx.log,
      slack: deps.slack,
      securityChannel: deps.securityChannel,
      teams: deps.teams,
      now: ctx.now,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps, MessageRef } from './context';
export type { Collections } from '../store/collections';
export type { EmployeeInfo } from './employees';
export type { EscalationPost } from './interview-messages';
export type { ChannelRef } from './channels';
export type { PreparedInterview } from './progress';
export type { ConversationInput, FollowUpExchange, FollowUpQuestion, Proposal } from './interviewer';
