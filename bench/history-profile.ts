import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Workflow tasks and activities of one window of an interview's history, from its event timestamps. */
export interface WindowProfile {
  workflowTasks: number;
  /** Scheduled → completed, summed: queueing and running. */
  workflowTaskMs: number;
  localActivities: string[];
  remoteActivities: string[];
  remoteActivityMs: number;
}

const emptyWindow = (): WindowProfile => ({
  workflowTasks: 0,
  workflowTaskMs: 0,
  localActivities: [],
  remoteActivities: [],
  remoteActivityMs: 0,
});

export function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
}

/** A local activity's type from its marker (the SDK records it as JSON in the marker's `data`). */
function localActivityType(e: HistoryEvent): string {
  const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return 'local';
  try {
    const parsed = JSON.parse(Buffer.from(data).toString()) as { activity_type?: string };
    return parsed.activity_type ?? 'local';
  } catch {
    return 'local';
  }
}

/**
 * Splits a history at two wall-clock moments: what was scheduled before `dmAt` (the work before the
 * DM) and what was scheduled after `answeredAt` (the work the answer caused). Everything runs on one
 * machine here, so the server's timestamps and the bench's clock agree.
 */
export function profileHistory(events: HistoryEvent[], dmAt: number, answeredAt: number) {
  const before = emptyWindow();
  const after = emptyWindow();
  const windowOf = (at: number) => (at <= dmAt ? before : at >= answeredAt ? after : undefined);
  const scheduledAt = new Map<string, number>();
  for (const e of events) {
    const at = eventMs(e);
    const id = String(e.eventId);
    if (e.workflowTaskScheduledEventAttributes || e.activityTaskScheduledEventAttributes)
      scheduledAt.set(id, at);
    const wft = e.workflowTaskCompletedEventAttributes;
    if (wft) {
      const from = scheduledAt.get(String(wft.scheduledEventId)) ?? at;
      const w = windowOf(from);
      if (w) {
        w.workflowTasks += 1;
        w.workflowTaskMs += at - from;
      }
    }
    const act = e.activityTaskScheduledEventAttributes;
    if (act) windowOf(at)?.remoteActivities.push(act.activityType?.name ?? '?');
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const from = scheduledAt.get(String(done.scheduledEventId)) ?? at;
      const w = windowOf(from);
      if (w) w.remoteActivityMs += at - from;
    }
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      windowOf(at)?.localActivities.push(localActivityType(e));
  }
  return { before, after };
}
