import { ApplicationFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { TeamsDeps } from './channels/teams';
import { alertStore } from '../store/alerts';
import { alertUpdates } from '../store/alert-updates';
import { answerLinks } from '../store/answer-links';
import type { Collections } from '../store/collections';
import { asciiSafe, failedClosedText } from '../slack-blocks/failed-closed';

/** What the security channel hears when an interview fails closed: ids and error types, never alert content. */
export interface FailedClosedNotice {
  workflowId: string;
  alertId: string;
  /** The employee as the alert names them (email, Slack id or username). */
  employee: string;
  /** The step that failed, e.g. `activity sendInterview` or `interview deadline`. */
  step: string;
  /** The error's class or type, e.g. `SlackPermanentError`, `TypeError`, `ScheduleToClose timeout`. */
  errorType: string;
  /** The policy's escalation channel, when the policy was loaded. */
  channel?: string;
}

/**
 * The last line of defence: a post that cannot fail on content (plain `text`, no blocks, no markup,
 * ASCII, short) and a minimal record. Deliberately independent of the alert store's content, the
 * Block Kit builders and the `sent` bookkeeping, any of which may be what failed.
 */
export function createFailClosedActivities(deps: {
  c: Collections;
  logger: Logger;
  slack?: WebClient;
  securityChannel?: string;
  /** The operators' Teams channel, told when Slack is not configured or refuses. */
  teams?: TeamsDeps;
  now: () => Date;
}) {
  /** The notice as plain text in the operators' Teams channel; undefined (and why) when it cannot be. */
  async function postInTeams(text: string, refusals: string[]) {
    const conversation = deps.teams?.operatorsConversation;
    if (!deps.teams || !conversation) return undefined;
    try {
      const res = await deps.teams.connector.conversations.createActivity(conversation, {
        type: 'message',
        text,
        textFormat: 'plain',
      } as never);
      return { channel: conversation, ts: res.id };
    } catch (err) {
      // The status only: the SDK's error holds the request with its bearer token.
      refusals.push(
        `teams: ${(err as { response?: { status?: number } }).response?.status ?? 'unreachable'}`,
      );
      return undefined;
    }
  }

  return {
    /**
     * Posts the notice. Every failure is retryable (even a Slack error that is permanent for other
     * messages, such as `channel_not_found`): the workflow retries this post until an operator fixes
     * the cause, and shows meanwhile that it is undelivered.
     */
    async postFailedClosed(notice: FailedClosedNotice): Promise<{ channel: string; ts: string }> {
      const text = failedClosedText(notice);
      // The policy's channel may be what failed (archived, bot not in it): the security channel is next.
      const channels = [...new Set([notice.channel, deps.securityChannel].filter((c): c is string => !!c))];
      deps.logger.error(
        {
          alertId: notice.alertId,
          workflowId: notice.workflowId,
          step: notice.step,
          error: notice.errorType,
        },
        'interview failed closed',
      );
      const inTeams = Boolean(deps.teams?.operatorsConversation);
      if (channels.length === 0 && !inTeams)
        throw ApplicationFailure.retryable(
          'the fail-closed notice has nowhere to go: set VOUCH_SECURITY_CHANNEL or VOUCH_TEAMS_OPERATORS_CONVERSATION',
          'NoSecurityChannel',
        );
      if (!deps.slack && !inTeams)
        throw ApplicationFailure.retryable(
          'the fail-closed notice cannot be posted: SLACK_BOT_TOKEN is not set',
          'SlackNotConfigured',
        );
      const refusals: string[] = [];
      for (const channel of deps.slack ? channels : []) {
        try {
          const res = await deps.slack!.chat.postMessage({
            channel,
            text,
            mrkdwn: false,
            unfurl_links: false,
            unfurl_media: false,
          });
          return { channel: res.channel ?? channel, ts: res.ts ?? '' };
        } catch (err) {
          const e = err as { data?: { error?: string }; code?: string; name?: string };
          refusals.push(`${channel}: ${e.data?.error ?? e.code ?? e.name ?? 'error'}`);
        }
      }
      // An organisation on Teams, or Slack refusing: the operators' Teams channel.
      const posted = await postInTeams(text, refusals);
      if (posted) return posted;
      throw ApplicationFailure.retryable(
        `Slack refused the fail-closed notice (${refusals.join('; ')})`,
        'FailedClosedNoticeRefused',
      );
    },

    /**
     * Marks the alert escalated `failed_closed` and adds the reason to its audit trail, touching no
     * content (the transcript itself may be what the store refused). An alert never stored is left so.
     * The interview's answer links close first: nothing may be answered after the end.
     */
    async recordFailedClosed(notice: FailedClosedNotice): Promise<{ recorded: boolean }> {
      const at = deps.now();
      await answerLinks(deps.c).closeAll(notice.workflowId, at);
      if (!(await alertUpdates(deps.c).markFailedClosed(notice.alertId, at))) return { recorded: false };
      await alertStore(deps.c, deps.now).appendAudit(notice.alertId, 'failed-closed', {
        at: at.toISOString(),
        actor: 'vouch',
        kind: 'failed_closed',
        step: asciiSafe(notice.step),
        errorType: asciiSafe(notice.errorType),
      });
      return { recorded: true };
    },
  };
}
