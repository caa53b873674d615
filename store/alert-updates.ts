import type { AlertDoc, Collections } from './collections';

/**
 * Writes to an alert document made by activities beside the workflow's own progress record: the analyst
 * summary and the fail-closed outcome. Each is by _id (other filters make
 * FerretDB scan the collection) and safe to repeat.
 */
export function alertUpdates(c: Collections) {
  return {
    async setSummary(alertId: string, summary: NonNullable<AlertDoc['summary']>): Promise<void> {
      await c.alerts.updateOne({ _id: alertId }, { $set: { summary } });
    },

    /**
     * Marks the alert escalated `failed_closed` at `at`, touching no content (the transcript itself may be
     * what the store refused); closedAt keeps an earlier outcome's moment. False when no such alert is stored.
     */
    async markFailedClosed(alertId: string, at: Date): Promise<boolean> {
      const res = await c.alerts.updateOne(
        { _id: alertId },
        { $set: { phase: 'escalated', outcome: 'failed_closed', updatedAt: at }, $min: { closedAt: at } },
      );
      return res.matchedCount > 0;
    },
  };
}

export type AlertUpdates = ReturnType<typeof alertUpdates>;
