import type { AnswerLinkSource } from '../shared/messages';
import { answerLinks } from '../store/answer-links';
import { passkeyStore } from '../store/passkeys';
import type { BotDeps } from './deps';

/**
 * "Verify with a passkey instead" in the Slack modal and the Teams code dialog: for an employee with a
 * passkey, a one-time answer link to this interview's page (GET /answer/<token> on VOUCH_PUBLIC_URL),
 * where the passkey answers. A chat button cannot hold a secret for long, so the link lives only as
 * long as the modal's wait for a code, and closes with the interview like every answer link.
 */
export const PASSKEY_LINK_TTL_MS = 15 * 60_000;

export type PasskeyOfferDeps = Pick<BotDeps, 'collections' | 'publicUrl' | 'factors'>;

/**
 * `employee` is the key the employee's factors are kept under (shared/employee-key.ts). `from` says
 * which chat made the link (the workflow accepts each under its own patch); its email, when the caller
 * knows it, else the one Slack's cached profile has.
 */
export async function passkeyOffer(
  deps: PasskeyOfferDeps,
  workflowId: string,
  employee: string,
  now: Date,
  from: { source: AnswerLinkSource; email?: string } = { source: 'slack_modal' },
): Promise<{ passkeyUrl: string; totp: boolean } | undefined> {
  if (!(await passkeyStore(deps.collections).hasAny(employee))) return undefined;
  const email = from.email ?? (await deps.collections.employees.findOne({ _id: employee }))?.email;
  const { token } = await answerLinks(deps.collections).create(
    {
      workflowId,
      alertId: workflowId.replace(/^alert-/, ''),
      email: email ?? '',
      employee,
      source: from.source,
      expiresAt: new Date(now.getTime() + PASSKEY_LINK_TTL_MS),
    },
    now,
  );
  return { passkeyUrl: `${deps.publicUrl}/answer/${token}`, totp: await deps.factors.isActive(employee) };
}
