import {
  AdaptiveCard,
  type CardElement,
  OpenUrlAction,
  RichTextBlock,
  ShowCardAction,
  SubmitAction,
  TaskFetchAction,
  TextBlock,
  TextInput,
  TextRun,
} from '@microsoft/teams.cards';
import type { Outcome } from '../shared/constants';
import { type Language, type MessageKey, t, tn } from '../shared/i18n';
import type { AlertFacts } from '../web/alert-facts';
import { snoozeOfferElements } from './snooze-cards';

/**
 * Every Adaptive Card Vouch sends in Microsoft Teams, built with the Teams SDK's card builders
 * (`@microsoft/teams.cards`). Text from an alert goes into TextRuns, which Teams shows literally: an
 * alert cannot bring markdown links or formatting into a card.
 */

/** What a card's buttons and the code dialog send back to the bot (`value` / `data` of the activity). */
export const TEAMS_ACTIONS = {
  confirm: 'confirm',
  deny: 'deny',
  /** "Someone asked me to do this", from the card or the code dialog. */
  coerced: 'coerced',
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

function factsElements(f: AlertFacts, lang: Language = 'en'): CardElement[] {
  return [
    runs(new TextRun(f.title, { weight: 'Bolder', size: 'Medium' })),
    literal(f.description),
    literal(
      t(lang, 'alert.facts', {
        when: f.occurredAt,
        source: f.source,
        severity: t(lang, `severity.${f.severity}` as MessageKey), // one of the four the alert schema allows
      }),
    ),
    ...f.details.map(([k, v]) => runs(new TextRun(`${k}: `, { weight: 'Bolder' }), new TextRun(v))),
  ];
}

/** The question: what happened, its non-sensitive details, and Yes (the code dialog) / No / "Someone asked me". */
export function interviewCard(
  f: AlertFacts,
  workflowId: string,
  answerBy: string,
  name?: string,
  lang: Language = 'en',
): AdaptiveCard {
  const confirm: TeamsActionData = { vouch: TEAMS_ACTIONS.confirm, workflowId };
  const deny: TeamsActionData = { vouch: TEAMS_ACTIONS.deny, workflowId };
  const coerced: TeamsActionData = { vouch: TEAMS_ACTIONS.coerced, workflowId };
  return new AdaptiveCard(
    new TextBlock(name ? t(lang, 'teams.askNamed', { name }) : t(lang, 'teams.ask'), {
      wrap: true,
      weight: 'Bolder',
    }),
    ...factsElements(f, lang),
    literal(t(lang, 'teams.answerBy', { deadline: answerBy })),
  ).withActions(
    new TaskFetchAction(confirm).withTitle(t(lang, 'dm.yes')),
    new SubmitAction().withTitle(t(lang, 'dm.no')).withData(deny),
    // As Slack's confirm dialog: what happens next, then the button that tells security.
    new ShowCardAction()
      .withTitle(t(lang, 'dm.coerced'))
      .withCard(
        new AdaptiveCard(new TextBlock(t(lang, 'dm.coercedConfirmText'), { wrap: true })).withActions(
          new SubmitAction()
            .withTitle(t(lang, 'dm.coercedConfirmButton'))
            .withStyle('destructive')
            .withData(coerced),
        ),
      ),
  );
}

/**
 * The same card at the outcome: no answer buttons left, and what happened; after a verified "yes" the
 * policy lets the employee snooze, the offer (`snooze`) and its button.
 */
export function outcomeCard(
  f: AlertFacts,
  outcome: Outcome,
  lang: Language = 'en',
  snooze?: { workflowId: string; approval: boolean },
): AdaptiveCard {
  // Slack's guidance after a coercion report says "here in Slack"; Teams has its own.
  const text =
    outcome === 'coercion_reported'
      ? t(lang, 'teams.outcome.coercion_reported')
      : t(lang, `outcome.${outcome}`);
  const card = new AdaptiveCard(
    new TextBlock(withoutShortcodes(text), { wrap: true, weight: 'Bolder' }),
    ...factsElements(f, lang),
  );
  if (!snooze) return card;
  const offer = snoozeOfferElements(snooze.workflowId, snooze.approval, lang);
  return card.withBody(...card.body, ...offer.elements).withActions(offer.action);
}

export function reminderText(n: number, title: string, deadline: string, lang: Language = 'en'): string {
  return n === 1
    ? t(lang, 'reminder.first', { title, deadline })
    : t(lang, 'reminder.again', { n, title, deadline });
}

/** What the code dialog offers the employee, beside "Someone asked me to do this". */
export interface CodeDialogOptions {
  lang?: Language;
  /** Shown above the fields: a malformed or wrong code. */
  problem?: string;
  /** A one-time answer-page link at the passkey step, for an employee with a passkey. */
  passkeyUrl?: string;
  /** Whether the employee has a TOTP factor: without one, the passkey link is all the dialog asks for. */
  totp?: boolean;
}

/**
 * The dialog "Yes" opens: a short justification and the 6-digit code (a wrong code shows above), and,
 * for an employee with a passkey, "Verify with a passkey instead": the answer page, at its passkey step.
 * "Someone asked me to do this" is there too, as in Slack's modal: a coached employee may press Yes first.
 */
export function codeDialogCard(
  workflowId: string,
  title: string,
  opts: CodeDialogOptions = {},
): AdaptiveCard {
  const { lang = 'en', problem, passkeyUrl } = opts;
  const code = opts.totp !== false || !passkeyUrl;
  const submit: TeamsActionData = { vouch: TEAMS_ACTIONS.submitCode, workflowId };
  const coerced: TeamsActionData = { vouch: TEAMS_ACTIONS.coerced, workflowId };
  const lead = !passkeyUrl ? 'teams.dialogLead' : code ? 'teams.dialogLeadBoth' : 'teams.dialogLeadPasskey';
  const card = new AdaptiveCard(
    literal(t(lang, lead, { title })),
    ...(problem ? [new TextBlock(problem, { wrap: true, color: 'Attention' })] : []),
    ...(code
      ? [
          new TextInput({
            id: DIALOG_INPUTS.justification,
            label: t(lang, 'teams.why'),
            isMultiline: true,
            maxLength: 1000,
          }),
          new TextInput({
            id: DIALOG_INPUTS.code,
            label: t(lang, 'secondFactor.code'),
            isRequired: true,
            maxLength: 12,
            style: 'Tel',
            errorMessage: t(lang, 'secondFactor.codeFormat'),
          }),
        ]
      : []),
    ...(passkeyUrl ? [literal(t(lang, 'secondFactor.passkeyHint'))] : []),
  );
  return card.withActions(
    ...(code ? [new SubmitAction().withTitle(t(lang, 'secondFactor.submit')).withData(submit)] : []),
    ...(passkeyUrl
      ? [
          new OpenUrlAction(passkeyUrl, {
            title: t(lang, code ? 'secondFactor.passkeyInstead' : 'secondFactor.passkey'),
          }),
        ]
      : []),
    // Not held back by the required code field: someone being coached must get through at once.
    new SubmitAction()
      .withTitle(t(lang, 'secondFactor.coerced'))
      .withStyle('destructive')
      .withAssociatedInputs('none')
      .withData(coerced),
  );
}

/** "That code didn't work. N attempts left." in the employee's language. */
export function wrongCodeText(attemptsLeft: number, lang: Language = 'en'): string {
  return tn(lang, 'secondFactor.wrongCode', attemptsLeft);
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
