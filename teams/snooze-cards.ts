import {
  AdaptiveCard,
  type CardElement,
  Choice,
  ChoiceSetInput,
  RichTextBlock,
  SubmitAction,
  TaskFetchAction,
  TextBlock,
  TextInput,
  TextRun,
} from '@microsoft/teams.cards';
import { type Language, t } from '../shared/i18n';
import { snoozeLabel } from '../shared/snooze';
import type { AlertFacts } from '../web/alert-facts';

/**
 * The snooze in Teams, as Slack offers it: the outcome card's "Keep similar alerts quiet…" opens a
 * dialog of the offered lengths and a reason; operators approve or refuse a request in their channel.
 * Alert text goes into TextRuns, which Teams shows literally.
 */
export const SNOOZE_TEAMS_ACTIONS = {
  /** The outcome card's button: a `task/fetch` that opens the dialog. */
  open: 'snooze',
  /** The dialog's submission. */
  request: 'snooze_request',
  approve: 'snooze_approve',
  refuse: 'snooze_refuse',
} as const;
export type SnoozeTeamsAction = (typeof SNOOZE_TEAMS_ACTIONS)[keyof typeof SNOOZE_TEAMS_ACTIONS];
export interface SnoozeActionData {
  vouch: SnoozeTeamsAction;
  workflowId: string;
  duration?: string;
  reason?: string;
}

/** The snooze dialog's input ids. */
export const SNOOZE_INPUTS = { duration: 'duration', reason: 'reason' } as const;

/** The card data of a snooze button or dialog, if that is what `value` is. */
export function snoozeActionData(value: unknown): SnoozeActionData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const actions: readonly unknown[] = Object.values(SNOOZE_TEAMS_ACTIONS);
  if (!actions.includes(v.vouch) || typeof v.workflowId !== 'string') return undefined;
  return {
    vouch: v.vouch as SnoozeTeamsAction,
    workflowId: v.workflowId,
    ...(typeof v.duration === 'string' ? { duration: v.duration } : {}),
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
  };
}

const literal = (text: string) => new RichTextBlock().withInlines(new TextRun(text));

/** The offer under the outcome card: what it does (and that the security team decides), and the button. */
export function snoozeOfferElements(
  workflowId: string,
  approval: boolean,
  lang: Language,
): { elements: CardElement[]; action: TaskFetchAction } {
  const open: SnoozeActionData = { vouch: SNOOZE_TEAMS_ACTIONS.open, workflowId };
  return {
    elements: [
      new TextBlock(t(lang, approval ? 'snooze.offerWithApproval' : 'snooze.offer'), { wrap: true }),
    ],
    action: new TaskFetchAction(open).withTitle(t(lang, 'snooze.button')),
  };
}

/** The dialog: the alert's title, the lengths the interview offered, and why (for the security team). */
export function snoozeDialogCard(
  workflowId: string,
  title: string,
  choices: readonly string[],
  lang: Language,
): AdaptiveCard {
  const request: SnoozeActionData = { vouch: SNOOZE_TEAMS_ACTIONS.request, workflowId };
  return new AdaptiveCard(
    literal(title),
    new ChoiceSetInput(...choices.map((d) => new Choice({ title: snoozeLabel(d, lang), value: d })))
      .withId(SNOOZE_INPUTS.duration)
      .withLabel(t(lang, 'snooze.howLong'))
      .withStyle('compact')
      .withIsRequired(true)
      .withValue(choices[0] ?? ''),
    new TextInput({
      id: SNOOZE_INPUTS.reason,
      label: t(lang, 'snooze.why'),
      placeholder: t(lang, 'snooze.whyExample'),
      isMultiline: true,
      maxLength: 300,
    }),
  ).withActions(new SubmitAction().withTitle(t(lang, 'snooze.submit')).withData(request));
}

interface SnoozeAsked {
  f: AlertFacts;
  employee: string;
  duration: string;
  reason?: string;
  uiLink: string;
}

function askedElements(a: SnoozeAsked): CardElement[] {
  return [
    literal(`Employee: ${a.employee}`),
    new RichTextBlock().withInlines(new TextRun(a.f.title, { weight: 'Bolder' })),
    literal(`For: ${snoozeLabel(a.duration)}`),
    ...(a.reason ? [literal(`Why: ${a.reason}`)] : []),
    new TextBlock(`[Open the interview in Temporal](${a.uiLink})`, { wrap: true }),
  ];
}

/** The request in the operators' channel: Approve / Refuse until decided, then who decided. */
export function snoozeApprovalCard(
  a: SnoozeAsked,
  state: { workflowId: string } | { decision: string; by?: string },
): AdaptiveCard {
  const card = new AdaptiveCard(
    new TextBlock('Snooze asked: may alerts like this one stay quiet?', { wrap: true, weight: 'Bolder' }),
    ...askedElements(a),
    ...('decision' in state
      ? [
          literal(
            `Snooze ${state.decision === 'approve' ? 'approved' : state.decision === 'refuse' ? 'refused' : 'not decided in time'}${state.by ? ` by ${state.by}` : ''}.`,
          ),
        ]
      : []),
  );
  if (!('workflowId' in state)) return card;
  const data = (vouch: SnoozeTeamsAction): SnoozeActionData => ({ vouch, workflowId: state.workflowId });
  return card.withActions(
    new SubmitAction().withTitle('Approve').withData(data(SNOOZE_TEAMS_ACTIONS.approve)),
    new SubmitAction().withTitle('Refuse').withData(data(SNOOZE_TEAMS_ACTIONS.refuse)),
  );
}

/** Every snooze is announced to the operators, with how to end it. */
export function snoozeAnnouncementCard(
  a: SnoozeAsked & { suppressionId: string; expiresAt: string; approvedBy?: string },
): AdaptiveCard {
  return new AdaptiveCard(
    new TextBlock('Snooze: alerts like this one stay quiet', { wrap: true, weight: 'Bolder' }),
    ...askedElements(a),
    literal(`Until ${a.expiresAt}${a.approvedBy ? `, approved by ${a.approvedBy}` : ''}.`),
    literal(`End it early: vouch suppressions revoke ${a.suppressionId}`),
  );
}
