import { isEscalation, type Outcome } from '../shared/constants';
import type { StatsRow } from '../store/alerts';
import { eventsOfKind } from '../shared/record/events';
import { interviewTimes } from './investigation';

/**
 * The numbers a team tunes its detections with, per alert type and overall. Computed in Node from
 * a projected cursor (FerretDB v1's `$group` has only `$sum`/`$count`, and no `$facet`).
 */
export interface AlertStats {
  type: string;
  alerts: number;
  /** Alerts whose employee was asked (a DM was sent). */
  interviews: number;
  answered: number;
  /** answered / interviews, or null without interviews. */
  responseRate: number | null;
  confirmed: number;
  denied: number;
  /** Answered "someone asked me to do this" (possibly after a "Yes"). */
  coerced: number;
  noResponse: number;
  medianTimeToAnswerMs: number | null;
  p90TimeToAnswerMs: number | null;
  escalations: number;
  open: number;
  outcomes: Partial<Record<Outcome, number>>;
}

export function computeStats(rows: Iterable<StatsRow>): { total: AlertStats; byType: AlertStats[] } {
  const groups = new Map<string, { stats: AlertStats; delays: number[] }>();
  const total = { stats: empty('(all)'), delays: [] as number[] };
  for (const row of rows) {
    let group = groups.get(row.type);
    if (!group) groups.set(row.type, (group = { stats: empty(row.type), delays: [] }));
    for (const g of [group, total]) add(g, row);
  }
  const finish = (g: { stats: AlertStats; delays: number[] }): AlertStats => {
    const sorted = g.delays.sort((a, b) => a - b);
    return {
      ...g.stats,
      responseRate: g.stats.interviews > 0 ? g.stats.answered / g.stats.interviews : null,
      medianTimeToAnswerMs: percentile(sorted, 50),
      p90TimeToAnswerMs: percentile(sorted, 90),
    };
  };
  return {
    total: finish(total),
    byType: [...groups.values()]
      .map(finish)
      .sort((a, b) => b.alerts - a.alerts || a.type.localeCompare(b.type)),
  };
}

function add(g: { stats: AlertStats; delays: number[] }, row: StatsRow): void {
  const s = g.stats;
  const times = interviewTimes(row.transcript);
  const answers = eventsOfKind(row.transcript, 'employee_answer');
  const [firstAnswer] = answers;
  s.alerts += 1;
  if (times.asked) s.interviews += 1;
  if (times.asked && firstAnswer) {
    s.answered += 1;
    if (answers.some((a) => a.answer === 'coerced')) s.coerced += 1;
    else if (firstAnswer.answer === 'confirmed') s.confirmed += 1;
    else s.denied += 1;
  }
  if (times.toFirstAnswerMs !== null) g.delays.push(times.toFirstAnswerMs);
  if (row.outcome === 'no_response') s.noResponse += 1;
  if (row.outcome === null) s.open += 1;
  else {
    s.outcomes[row.outcome] = (s.outcomes[row.outcome] ?? 0) + 1;
    if (isEscalation(row.outcome)) s.escalations += 1;
  }
}

/** Nearest-rank percentile of sorted values, or null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function empty(type: string): AlertStats {
  return {
    type,
    alerts: 0,
    interviews: 0,
    answered: 0,
    responseRate: null,
    confirmed: 0,
    denied: 0,
    coerced: 0,
    noResponse: 0,
    medianTimeToAnswerMs: null,
    p90TimeToAnswerMs: null,
    escalations: 0,
    open: 0,
    outcomes: {},
  };
}
