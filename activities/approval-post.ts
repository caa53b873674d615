import type { WebClient } from '@slack/web-api';
import type { OperatorActionKind } from '../shared/messages';
import { approvalDecided } from '../slack-blocks/approval';
import { employeeOf } from '../slack-blocks/record-format';
import type { AlertDoc } from '../store/collections';
import { slackCall } from './slack-client';

/** Once an approval request is decided, its post loses the Approve / Skip buttons and says who decided. */
export function createApprovalPostActivities(deps: {
  loadAlertDoc(alertId: string): Promise<Pick<AlertDoc, 'input' | 'employeeSlackId' | 'transcript'>>;
  sentRecord(key: string): Promise<Record<string, unknown> | null>;
  once<T extends Record<string, unknown>>(key: string, send: () => Promise<T>): Promise<T>;
  slack(): WebClient;
  uiLink(workflowId: string): string;
}) {
  return {
    async markApprovalDecided(input: {
      workflowId: string;
      alertId: string;
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      action: OperatorActionKind | 'timeout';
      by?: string;
    }): Promise<{ updated: boolean }> {
      const posted = await deps.sentRecord(`${input.workflowId}:approval`);
      const channel = typeof posted?.channel === 'string' ? posted.channel : undefined;
      const ts = typeof posted?.ts === 'string' ? posted.ts : undefined;
      if (!channel || !ts) return { updated: false }; // never posted
      const doc = await deps.loadAlertDoc(input.alertId);
      // Idempotent: one update per interview, whatever the retries.
      await deps.once(`${input.workflowId}:approval-decided`, async () => {
        await slackCall('chat.update', () =>
          deps.slack().chat.update({
            channel,
            ts,
            ...approvalDecided(doc.input, employeeOf(doc), deps.uiLink(input.workflowId), input),
          }),
        );
        return {};
      });
      return { updated: true };
    },
  };
}
