import type { WebClient } from '@slack/web-api';

const GROUP_CACHE_MS = 5 * 60_000;

/**
 * Who may press the security channel's buttons (approve, skip, escalate, close, approve an
 * enrollment): the configured user ids, and members of the configured user groups (cached 5 min).
 */
export function operatorCheck(operators: string[]) {
  const users = new Set(operators.filter((id) => !id.startsWith('S')));
  const groups = operators.filter((id) => id.startsWith('S'));
  let members: { ids: Set<string>; at: number } | undefined;
  return async (client: WebClient, userId: string): Promise<boolean> => {
    if (users.has(userId)) return true;
    if (groups.length === 0) return false;
    if (!members || Date.now() - members.at > GROUP_CACHE_MS) {
      const lists = await Promise.all(groups.map((usergroup) => client.usergroups.users.list({ usergroup })));
      members = { ids: new Set(lists.flatMap((l) => l.users ?? [])), at: Date.now() };
    }
    return members.ids.has(userId);
  };
}
