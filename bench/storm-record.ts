import type { Db } from 'mongodb';
import type { InterviewEvent } from '../shared/record/events';
import { collections } from '../store/collections';

export interface StormRecord {
  /** Alerts that had an interview (and a DM) of their own. */
  led: number;
  /** Alerts that joined another alert's interview. */
  joined: number;
  /** Alerts that waited for a slot before leading or joining. */
  queued: number;
  /** Alerts that went their own way, by reason. */
  fallbacks: Record<string, number>;
  /** The most interviews one employee had open at once (DM sent, not yet answered). */
  maxOpenPerEmployee: number;
  /**
   * Records with a hole (a null where an event should be): an event write lost to a concurrent one,
   * which the store should never allow; `vouch verify` reports these records as broken.
   */
  withHoles: number;
}

/**
 * What the storm's records say about grouping, read from the typed events: how each alert took part,
 * and how many DMs were open at once for any one employee (from each interview's `dm_sent` to its
 * answer or last event).
 */
export async function stormRecord(
  db: Db,
  idPrefix: string,
  employeeOf: (workflowId: string) => number | undefined,
): Promise<StormRecord> {
  const docs = collections(db).alerts.find(
    { _id: { $regex: `^${idPrefix}` } },
    { projection: { transcript: 1 } },
  );
  const result: StormRecord = {
    led: 0,
    joined: 0,
    queued: 0,
    fallbacks: {},
    maxOpenPerEmployee: 0,
    withHoles: 0,
  };
  const intervals = new Map<number, Array<[number, number]>>();
  for await (const doc of docs) {
    const stored = (doc.transcript ?? []) as (InterviewEvent | null)[];
    const events = stored.filter((e): e is InterviewEvent => e !== null);
    if (events.length < stored.length) result.withHoles++;
    const kinds = new Set(events.map((e) => e.kind));
    if (kinds.has('rollup_joined')) result.joined++;
    if (kinds.has('rollup_queued')) result.queued++;
    for (const e of events)
      if (e.kind === 'rollup_fallback') result.fallbacks[e.reason] = (result.fallbacks[e.reason] ?? 0) + 1;
    const dm = events.find((e) => e.kind === 'dm_sent');
    if (!dm) continue;
    result.led++;
    const employee = employeeOf(`alert-${String(doc._id)}`);
    if (employee === undefined) continue;
    const end = events.find((e) => e.kind === 'employee_answer') ?? events[events.length - 1]!;
    const list = intervals.get(employee) ?? [];
    list.push([Date.parse(dm.at), Date.parse(end.at)]);
    intervals.set(employee, list);
  }
  for (const list of intervals.values())
    result.maxOpenPerEmployee = Math.max(result.maxOpenPerEmployee, maxOverlap(list));
  return result;
}

/** The most intervals that overlap at any instant. */
function maxOverlap(intervals: Array<[number, number]>): number {
  const edges = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  // An interval ending at the instant another starts does not overlap it.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let max = 0;
  for (const [, step] of edges) max = Math.max(max, (open += step!));
  return max;
}
