import { AdaptiveCard, RichTextBlock, SubmitAction, TextInput, TextRun } from '@microsoft/teams.cards';
import { emailOfKey } from '../shared/employee-key';

/**
 * The operators' Teams channel's request to approve an enrollment link: the pairing code the employee's
 * page shows, checked over a trusted channel, typed into the card. Names go into TextRuns, which Teams
 * shows literally.
 */
export const ENROLLMENT_TEAMS_ACTIONS = { approve: 'enroll_approve', deny: 'enroll_deny' } as const;
export const PAIRING_INPUT = 'pairingCode';

export interface EnrollmentActionData {
  vouch: (typeof ENROLLMENT_TEAMS_ACTIONS)[keyof typeof ENROLLMENT_TEAMS_ACTIONS];
  linkId: string;
  [PAIRING_INPUT]?: unknown;
}

/** The card data of an enrollment button, if that is what `value` is. */
export function enrollmentActionData(value: unknown): EnrollmentActionData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const actions: readonly unknown[] = Object.values(ENROLLMENT_TEAMS_ACTIONS);
  if (!actions.includes(v.vouch) || typeof v.linkId !== 'string') return undefined;
  return v as unknown as EnrollmentActionData;
}

/** An employee key as operators in Teams read it: their email, else the key itself. */
export function teamsPerson(employee: string): string {
  return emailOfKey(employee) ?? employee;
}

export function enrollmentApprovalCard(linkId: string, employee: string): AdaptiveCard {
  const button = (title: string, vouch: EnrollmentActionData['vouch']) =>
    new SubmitAction().withTitle(title).withData({ vouch, linkId } satisfies EnrollmentActionData);
  return new AdaptiveCard(
    new RichTextBlock().withInlines(
      new TextRun(teamsPerson(employee), { weight: 'Bolder' }),
      new TextRun(' asked to set up a second factor for Vouch.'),
    ),
    new RichTextBlock().withInlines(
      new TextRun(
        'Before approving, reach them on a trusted channel (a call or a video meeting, not a chat or email) ' +
          'and ask for the pairing code shown on their enrollment page. Someone holding their Teams session ' +
          'can ask too: the pairing code is what tells them apart.',
      ),
    ),
    new TextInput({
      id: PAIRING_INPUT,
      label: 'Pairing code they read to you',
      maxLength: 12,
    }),
  ).withActions(
    button('Approve', ENROLLMENT_TEAMS_ACTIONS.approve),
    button('Deny', ENROLLMENT_TEAMS_ACTIONS.deny),
  );
}
