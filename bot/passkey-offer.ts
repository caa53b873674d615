import { answerLinks } from '../store/answer-links';
import { passkeyStore } from '../store/passkeys';
import type { BotDeps } from './deps';

/**
 * "Verify with a passkey instead" in the Slack modal: for an employee with a passkey, a one-time answer
 * link to this interview's page (GET /answer/<token> on VOUCH_PUBLIC_URL), where the passkey answers.
 * A Slack button cannot hold a secret for long, so the link lives only as long as the modal's wait for
 * a code, and closes with the interview like every answer link.
 */
export const PASSKEY_LINK_TTL_MS = 15 * 60_000;

export async function passkeyOffer(
  deps: BotDeps,
  workflowId: string,
  slackUserId: string,
  now: Date,
): Promise<{ passkeyUrl: string; totp: boolean } | undefined> {
  if (!(await passkeyStore(deps.collections).hasAny(slackUserId))) return undefined;
  const profile = await deps.collections.employees.findOne({ _id: slackUserId });
  const { token } = await answerLinks(deps.collections).create(
    {
      workflowId,
      alertId: workflowId.replace(/^alert-/, ''),
      email: profile?.email ?? '',
      employee: slackUserId,
      source: 'slack_modal',
      expiresAt: new Date(now.getTime() + PASSKEY_LINK_TTL_MS),
    },
    now,
  );
  return { passkeyUrl: `${deps.publicUrl}/answer/${token}`, totp: await deps.factors.isActive(slackUserId) };
}
