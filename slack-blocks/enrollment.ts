import type { View } from '@slack/types';
import { type Language, t } from '../shared/i18n';
import { ACTION_IDS, VIEW_IDS } from '../shared/slack-ids';
import { formModal, noticeModal } from './modals';
import { slackPerson } from './record-format';
import { emailOfKey } from '../shared/employee-key';

/** An employee key as the security channel reads it: a Slack mention, or the email of someone without Slack. */
const employeePerson = (employee: string) => {
  const email = emailOfKey(employee);
  return email ? `${slackPerson(email)} (not in Slack)` : slackPerson(employee);
};

/** `/vouch enroll`: the security channel's approval with a pairing code, and the notices after. */

/** The security channel's request to approve a `/vouch enroll` link, after checking the pairing code. */
export function enrollmentApprovalRequest(linkId: string, employee: string) {
  const text = `${employeePerson(employee)} asked to set up a second factor for Vouch.`;
  return {
    text,
    blocks: [
      {
        type: 'section' as const,
        text: {
          type: 'mrkdwn' as const,
          text:
            `${text}\nBefore approving, reach them on a trusted channel (a call or a video meeting, not Slack) ` +
            'and ask for the pairing code shown on their enrollment page. Someone holding their Slack session ' +
            'can ask too: the pairing code is what tells them apart.',
        },
      },
      {
        type: 'actions' as const,
        block_id: 'vouch_enroll',
        elements: [
          {
            type: 'button' as const,
            action_id: ACTION_IDS.enrollApprove,
            style: 'primary' as const,
            text: { type: 'plain_text' as const, text: 'Enter pairing code…' },
            value: linkId,
          },
        ],
      },
    ],
  };
}

export const PAIRING_BLOCK = 'vouch_pairing';

export function pairingModal(linkId: string, employee: string): View {
  return formModal(VIEW_IDS.enrollPairing, linkId, 'Approve enrollment', 'Approve', [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Approve the second-factor enrollment of ${employeePerson(employee)} only after you reached them on a trusted channel.`,
      },
    },
    {
      type: 'input',
      block_id: PAIRING_BLOCK,
      label: { type: 'plain_text', text: 'Pairing code they read to you' },
      element: { type: 'plain_text_input', action_id: 'value', min_length: 8, max_length: 12 },
    },
  ]);
}

const PAIRING_NOTICES = {
  approved: [
    'Approved',
    'Approved. Their page now lets them add a passkey, or an authenticator app confirmed with a first code.',
  ],
  denied: ['Refused', 'Too many wrong pairing codes: this enrollment link is refused.'],
  not_waiting: ['Not waiting', 'This enrollment is no longer waiting for approval (expired or done).'],
  self: ['Not allowed', 'Another operator must approve your own enrollment.'],
} as const;

/** What the approving operator is told once the pairing code was checked (Slack's modal, Teams' reply). */
export function pairingResultText(result: keyof typeof PAIRING_NOTICES): string {
  return PAIRING_NOTICES[result][1];
}

/** What the approving operator sees once the pairing code was checked. */
export function pairingResultModal(result: keyof typeof PAIRING_NOTICES): View {
  const [title, text] = PAIRING_NOTICES[result];
  return noticeModal(title, text);
}

export function wrongPairingCodeError(attemptsLeft: number): string {
  return `That is not the code on their page. ${attemptsLeft} attempt(s) left.`;
}

/** The security channel hears who approved or refused an enrollment. */
export function enrollmentDecidedNotice(
  employee: string | undefined,
  result: 'approved' | 'denied',
  operator: string,
) {
  return {
    text: `Enrollment of ${employee ? employeePerson(employee) : '?'} ${result === 'approved' ? 'approved' : 'refused'} by ${slackPerson(operator)}.`,
  };
}

/** The employee hears of a new factor (if it was not them, they will know). */
export const enrollmentDoneForEmployee = (lang: Language = 'en') => ({
  text: t(lang, 'enroll.doneForEmployee'),
});

/** The security channel hears that an enrollment finished. */
export const enrollmentDoneForChannel = (employee: string, what = 'Second-factor enrollment') => ({
  text: `${what} completed for ${employeePerson(employee)}.`,
});
