import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import type { OperatorActionName } from '../shared/record/events';
import { ACTION_IDS } from '../shared/slack-ids';
import { slackText } from '../shared/slack-text';
import { alertSummaryBlocks, alertTitle } from './alert-summary';
import { section, temporalLink } from './parts';
import { type EmployeeView, employeeMarkup, slackPerson } from './record-format';

/** The security channel's request to approve an interview, and the same post once decided. */

export function approvalRequest(
  alert: AlertInput,
  employee: EmployeeView,
  workflowId: string,
  uiLink: string,
  proposedQuestions: { text: string; machineWritten: boolean }[] = [],
  approvers: string[] = [],
  linkHosts: readonly string[] = [],
) {
  const who = employeeMarkup(employee);
  // Approvers come from the policy (validated Slack user and group ids), so they are mentioned.
  const ask = approvers.map(slackPerson).join(' ');
  return {
    text: `Approval needed: interview ${who} about "${alertTitle(alert)}"?`,
    blocks: [
      section(`:mag: *Approval needed*${ask ? ` (${ask})` : ''}: ask ${who} about this alert?`),
      ...alertSummaryBlocks(alert, linkHosts),
      ...proposedQuestionBlocks(proposedQuestions),
      {
        type: 'actions',
        block_id: 'vouch_approval',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.approve,
            text: { type: 'plain_text', text: 'Approve interview' },
            style: 'primary',
            value: workflowId,
          },
          {
            type: 'button',
            action_id: ACTION_IDS.skip,
            text: { type: 'plain_text', text: 'Skip' },
            value: workflowId,
          },
        ],
      },
      temporalLink(uiLink),
    ] as KnownBlock[],
  };
}

/** The AI interviewer's questions as the approver sees them, before anyone is asked. */
function proposedQuestionBlocks(questions: { text: string; machineWritten: boolean }[]): KnownBlock[] {
  if (questions.length === 0) return [];
  const machine = questions.some((q) => q.machineWritten);
  return [
    section(
      `*Follow-up questions${machine ? ' (machine-written, checked)' : ''}*, asked in the DM thread after the ` +
        `outcome; approving approves them as they are:\n` +
        questions
          .map((q, i) => `${i + 1}. ${slackText(q.text, 400)}${q.machineWritten ? '' : ' _(scripted)_'}`)
          .join('\n'),
    ),
  ];
}

const APPROVAL_DECISION_TEXT: Record<OperatorActionName, string> = {
  approve: ':white_check_mark: Interview approved',
  skip: ':fast_forward: Interview skipped',
  escalate: ':rotating_light: Escalated',
  close: ':heavy_multiplication_x: Closed',
  cancel: ':heavy_multiplication_x: Cancelled',
};

/** The approval request once decided: no buttons left, and who decided (or that nobody did in time). */
export function approvalDecided(
  alert: AlertInput,
  employee: EmployeeView,
  uiLink: string,
  decision: { action: OperatorActionName | 'timeout'; by?: string },
) {
  const what =
    decision.action === 'timeout'
      ? ':hourglass: No operator decided in time; the policy decided'
      : `${APPROVAL_DECISION_TEXT[decision.action]} by ${slackPerson(decision.by ?? '?')}`;
  const text = `${what}: ${employeeMarkup(employee)} about "${alertTitle(alert)}"`;
  return { text, blocks: [section(text), temporalLink(uiLink)] };
}
