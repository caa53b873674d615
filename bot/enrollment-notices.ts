import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import { slackIdOfKey } from '../shared/employee-key';
import {
  enrollmentApprovalRequest,
  enrollmentDoneForChannel,
  enrollmentDoneForEmployee,
} from '../slack-blocks/enrollment';
import type { BotDeps } from './deps';
import { languageOfUser } from './language';

/**
 * Where the enrollment page asks operators to approve a link and tells that an enrollment finished:
 * Slack's security channel, or the operators' Teams channel (bot/teams/enrollment-actions.ts).
 * Each answers whether its operators were reached.
 */
export interface EnrollmentNotices {
  requestApproval(linkId: string, employee: string): Promise<boolean>;
  enrollmentDone(employee: string, what?: string): Promise<boolean>;
}

/**
 * Slack's security channel (and the employee's DM when they have Slack). A failed DM is logged, not
 * shown as a failed enrollment: the factor is active already.
 */
export function slackEnrollmentNotices(deps: BotDeps, client: () => WebClient): EnrollmentNotices {
  return {
    async requestApproval(linkId, employee) {
      if (!deps.securityChannel) return false;
      await client().chat.postMessage({
        channel: deps.securityChannel,
        ...enrollmentApprovalRequest(linkId, employee),
      });
      return true;
    },
    async enrollmentDone(employee, what) {
      const slackUserId = slackIdOfKey(employee);
      // A Teams-only employee's key is an email or `aad:` key, never a Slack DM.
      if (slackUserId && !slackUserId.includes(':')) {
        const dm = languageOfUser(deps, slackUserId).then((lang) =>
          client().chat.postMessage({ channel: slackUserId, ...enrollmentDoneForEmployee(lang) }),
        );
        await dm.catch((err: unknown) => deps.logger.error({ err, employee }, 'enrollment notice not sent'));
      }
      if (!deps.securityChannel) return false;
      await client().chat.postMessage({
        channel: deps.securityChannel,
        ...enrollmentDoneForChannel(employee, what),
      });
      return true;
    },
  };
}

/**
 * The first of these that reaches its operators: Slack's security channel when it is configured and
 * takes the message, else the operators' Teams channel. A failure is logged and the next one tried.
 */
export function firstReachable(logger: Logger, ...chain: EnrollmentNotices[]): EnrollmentNotices {
  const first = async (send: (n: EnrollmentNotices) => Promise<boolean>, employee: string) => {
    for (const notices of chain) {
      try {
        if (await send(notices)) return true;
      } catch (err) {
        // By status and Slack's error code only: a Bot Connector error holds the bearer token.
        const e = err as { response?: { status?: number }; data?: { error?: string } };
        logger.error(
          { status: e.response?.status, slackError: e.data?.error, employee },
          'enrollment notice not sent; trying the next channel',
        );
      }
    }
    return false;
  };
  return {
    requestApproval: (linkId, employee) => first((n) => n.requestApproval(linkId, employee), employee),
    enrollmentDone: (employee, what) => first((n) => n.enrollmentDone(employee, what), employee),
  };
}
