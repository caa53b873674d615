import {
  AdaptiveCard,
  type CardElement,
  RichTextBlock,
  SubmitAction,
  TaskFetchAction,
  TextBlock,
  TextInput,
  TextRun,
} from '@microsoft/teams.cards';
import type { Outcome } from '../shared/constants';
import { t } from '../shared/i18n';
import type { AlertFacts } from '../web/alert-facts';

/**
 * Every Adaptive Card Vouch sends in Microsoft Teams, built with the Teams SDK's card builders
 * (`@microsoft/teams.cards`). Text from an alert goes into TextRuns, which Teams shows literally: an
 * alert cannot bring markdown links or formatting into a card.
 */

/** What a card's buttons and the code dialog send back to the bot (`value` / `data` of the activity). */
export const TEAMS_ACTIONS = {
  confirm: 'confirm',
  deny: 'deny',
  submitCode: 'submit_code',
  /** An operator closes an escalation that waits for a close (PagerDuty or webhook targets). */
  close: 'close',
  /** An operator decides an approval request: the employee is asked, or not. */
  approve: 'approve',
  skip: 'skip',
} as const;

/** The actions only operators may take, from the operators' channel. */
export const OPERATOR_TEAMS_ACTIONS: readonly TeamsAction[] = [
  TEAMS_ACTIONS.close,
  TEAMS_ACTIONS.approve,
  TEAMS_ACTIONS.skip,
];
export type TeamsAction = (typeof TEAMS_ACTIONS)[keyof typeof TEAMS_ACTIONS];
export interface TeamsActionData {
  vouch: TeamsAction;
  workflowId: string;
  code?: string;
  justification?: string;
}

/** The input ids of the code dialog. */
export const DIALOG_INPUTS = { code: 'code', justification: 'justification' } as const;

const runs = (...inlines: TextRun[]) => new RichTextBlock().withInlines(...inlines);
const literal = (text: string) => runs(new TextRun(text));

/** Slack's emoji shortcodes (`:hourglass:`) mean nothing in Teams. */
const withoutShortcodes = (text: string) => text.replace(/:[a-z_]+:\s*/g, '');

function factsElements(f: AlertFacts): CardElement[] {
  return [
    runs(new TextRun(f.title, { weight: 'Bolder', size: 'Medium' })),
    literal(f.description),
    literal(`When: ${f.occurredAt} · Source: ${f.source} · Severity: ${f.severity}`),
    ...f.details.map(([k, v]) => runs(new TextRun(`${k}: `, { weight: 'Bolder' }), new TextRun(v))),
  ];
}

/** The question: what happened, its non-sensitive details, and Yes (the code dialog) / No. */
export function interviewCard(
  f: AlertFacts,
  workflowId: string,
  answerBy: string,
  name?: string,
): AdaptiveCard {
  const confirm: TeamsActionData = { vouch: TEAMS_ACTIONS.confirm, workflowId };
  const deny: TeamsActionData = { vouch: TEAMS_ACTIONS.deny, workflowId };
  return new AdaptiveCard(
    new TextBlock(`${name ? `Hi ${name}, ` : ''}did you do this? Security check from Vouch`, {
      wrap: true,
      weight: 'Bolder',
    }),
    ...factsElements(f),
    literal(`Please answer before ${answerBy}.`),
  ).withActions(
    new TaskFetchAction(confirm).withTitle('Yes, that was me'),
    new SubmitAction().withTitle("No, it wasn't me").withData(deny),
  );
}

/** The same card at the outcome: no buttons left, and what happened. */
export function outcomeCard(f: AlertFacts, outcome: Outcome): AdaptiveCard {
  return new AdaptiveCard(
    new TextBlock(withoutShortcodes(t('en', `outcome.${outcome}`)), { wrap: true, weight: 'Bolder' }),
    ...factsElements(f),
  );
}

export function reminderText(n: number, title: string, deadline: string): string {
  const text =
    n === 1
      ? `Reminder: please answer the security check about "${title}" above, before ${deadline}.`
      : `Reminder ${n}: the security check about "${title}" above still needs your answer, before ${deadline}.`;
  return text;
}

/** The dialog "Yes" opens: a short justification and the 6-digit code; a wrong code shows above. */
export function codeDialogCard(workflowId: string, title: string, problem?: string): AdaptiveCard {
  const submit: TeamsActionData = { vouch: TEAMS_ACTIONS.submitCode, workflowId };
  return new AdaptiveCard(
    literal(`Confirm "${title}" with the 6-digit code from your authenticator app.`),
    ...(problem ? [new TextBlock(problem, { wrap: true, color: 'Attention' })] : []),
    new TextInput({
      id: DIALOG_INPUTS.justification,
      label: 'Why did you do it? (optional)',
      isMultiline: true,
      maxLength: 1000,
    }),
    new TextInput({
      id: DIALOG_INPUTS.code,
      label: 'Code from your authenticator app',
      isRequired: true,
      maxLength: 12,
      style: 'Tel',
      errorMessage: 'Enter the 6 digits your authenticator app shows.',
    }),
  ).withActions(new SubmitAction().withTitle('Verify').withData(submit));
}

/**
 * The escalation in the operators' channel: the alert, how it ended, and where to look; a Close button
 * while it waits for an operator to close it, and who closed it afterwards.
 */
export function escalationCard(
  f: AlertFacts,
  outcome: Outcome,
  employee: string,
  uiLink: string,
  close?: { workflowId: string } | { closedBy: string },
): AdaptiveCard {
  const card = new AdaptiveCard(
    new TextBlock(`Escalated: ${outcome.replace(/_/g, ' ')}`, {
      wrap: true,
      weight: 'Bolder',
      color: 'Attention',
    }),
    literal(`Employee: ${employee}`),
    ...factsElements(f),
    new TextBlock(`[Open the interview in Temporal](${uiLink})`, { wrap: true }),
    ...(close && 'closedBy' in close ? [literal(`Closed by ${close.closedBy}.`)] : []),
  );
  if (!close || !('workflowId' in close)) return card;
  const data: TeamsActionData = { vouch: TEAMS_ACTIONS.close, workflowId: close.workflowId };
  return card.withActions(new SubmitAction().withTitle('Close').withData(data));
}

/** An approval request in the operators' channel: Approve / Skip until decided, then who decided. */
export function approvalCard(
  f: AlertFacts,
  employee: string,
  uiLink: string,
  state: { workflowId: string } | { decision: string; by?: string },
): AdaptiveCard {
  const card = new AdaptiveCard(
    new TextBlock('Approval needed: may Vouch ask the employee?', { wrap: true, weight: 'Bolder' }),
    literal(`Employee: ${employee}`),
    ...factsElements(f),
    new TextBlock(`[Open the interview in Temporal](${uiLink})`, { wrap: true }),
    ...('decision' in state
      ? [literal(`Decided: ${state.decision}${state.by ? ` by ${state.by}` : ''}.`)]
      : []),
  );
  if (!('workflowId' in state)) return card;
  const approve: TeamsActionData = { vouch: TEAMS_ACTIONS.approve, workflowId: state.workflowId };
  const skip: TeamsActionData = { vouch: TEAMS_ACTIONS.skip, workflowId: state.workflowId };
  return card.withActions(
    new SubmitAction().withTitle('Approve').withData(approve),
    new SubmitAction().withTitle('Skip').withData(skip),
  );
}
