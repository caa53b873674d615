import { directoryStore } from '../store/directory';
import type { ActivityContext } from './context';

type IsInUserGroups = (input: { slackUserId: string; groups: string[] }) => Promise<boolean>;

/**
 * Whether an operator is one of a policy's approvers, matched through the directory: a Teams
 * operator (`aad:<object id>`) or a Slack user counts when the approvers name them by Entra object
 * id, directory email or Slack id, or list a Slack user group their Slack id is in (when Slack is
 * configured). Someone the directory does not know counts only under the name they acted with.
 */
export function createApproverActivities(ctx: ActivityContext, isInUserGroups: IsInUserGroups) {
  const directory = directoryStore(ctx.c);
  return {
    async isApprover(input: { operator: string; approvers: string[] }): Promise<boolean> {
      const { operator } = input;
      const approvers = new Set(input.approvers.map((a) => (a.includes('@') ? a.toLowerCase() : a)));
      const aad = operator.startsWith('aad:') ? operator.slice(4).toLowerCase() : undefined;
      const entry = aad ? await directory.byAadObjectId(aad) : await directory.bySlackId(operator);
      const slackUserId = aad ? entry?.slackUserId : operator;
      const names = [
        operator,
        entry?.email.toLowerCase(),
        entry?.aadObjectId ? `aad:${entry.aadObjectId.toLowerCase()}` : undefined,
        slackUserId,
      ];
      if (names.some((n) => n !== undefined && approvers.has(n))) return true;
      const groups = [...approvers].filter((a) => /^S[A-Z0-9]{2,}$/.test(a));
      if (!slackUserId || groups.length === 0 || !ctx.deps.slack) return false;
      return isInUserGroups({ slackUserId, groups });
    },
  };
}
