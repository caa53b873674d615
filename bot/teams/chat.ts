import type { Logger } from '../../lib/logger';
import type { TeamsConnector } from '../../lib/teams-connector';
import { teamsPrincipal } from '../../shared/channels';
import { employeeKey } from '../../shared/employee-key';
import type { directoryStore } from '../../store/directory';
import type { TeamsActivity } from './answers';

/**
 * The person behind an activity, from one directory read: as the interview's signals name them
 * (`principal`), as their second factors are kept (`factorKey`: the Slack id, else
 * `email:<address>`), and their directory email.
 */
export async function teamsSenderOf(
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>,
  activity: TeamsActivity,
): Promise<{ principal?: string; factorKey?: string; email?: string }> {
  const oid = activity.from?.aadObjectId?.toLowerCase();
  if (!oid) return {};
  const entry = await directory.byAadObjectId(oid);
  return {
    principal: teamsPrincipal({ aadObjectId: oid, slackUserId: entry?.slackUserId }),
    factorKey: entry ? employeeKey(entry) : undefined,
    email: entry?.email,
  };
}

/** Slack's emoji shortcodes (`:rotating_light:`) mean nothing in Teams. */
export function withoutShortcodes(text: string): string {
  return text.replace(/:[a-z_]+:\s*/g, '');
}

/**
 * Replies to an activity in its chat: a failed reply is logged (by status only: the SDK's error holds
 * the bearer token) and never fails the answer it acknowledges. Without a connector nothing is sent.
 */
export function chatReplier(deps: { connector?: TeamsConnector; logger: Logger }) {
  return async (activity: TeamsActivity, message: Record<string, unknown>): Promise<void> => {
    const conversation = activity.conversation?.id;
    if (!deps.connector || !conversation || !activity.id) return;
    try {
      await deps.connector.conversations.replyToActivity(conversation, activity.id, message as never);
    } catch (err) {
      deps.logger.warn(
        { status: (err as { response?: { status?: number } }).response?.status },
        'Teams reply not sent',
      );
    }
  };
}
