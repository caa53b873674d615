import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { progressLine } from '../lib/progress';
import { formatDuration } from '../report/investigation';
import { type AlertStats, computeStats } from '../report/stats';
import { parseDuration } from '../shared/duration';
import { alertStore, type StatsRow } from '../store/alerts';
import { UsageError } from './alert-command';
import { withStore } from './store';
import { printJson, printLine } from './output';

/** `vouch stats`: interviews, response rate, answers, time to answer and escalations, per alert type. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('How interviews go, per alert type: response rate, answers, time to answer, escalations.')
    .option('--type <alertType>', 'only this alert type')
    .option('--since <when>', 'alerts created since: a duration back ("7d", "24h") or an ISO date', '30d')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vouch stats --since 7d\n  vouch stats --type aws.root_login --since 2026-11-01 --json\n\n' +
        'Exit codes: 0 ok, 1 MongoDB unreachable, 2 usage (e.g. a bad --since).',
    )
    .action(async (opts: { type?: string; since: string; json?: boolean }) => {
      const since = parseSince(opts.since, new Date());
      const progress = progressLine('reading alerts');
      const rows: StatsRow[] = [];
      await withStore(loadConfig(), async (c) => {
        for await (const row of alertStore(c).forStats(
          { since, type: opts.type },
          progress.active ? progress.update : undefined,
        ))
          rows.push(row);
      });
      progress.done();
      const stats = computeStats(rows);
      if (opts.json) return printJson({ since: since.toISOString(), type: opts.type, ...stats });
      printLine(
        `Alerts since ${since.toISOString()}${opts.type ? ` of type ${opts.type}` : ''}: ${stats.total.alerts}`,
      );
      if (stats.total.alerts === 0) return;
      printLine(statsTable([...stats.byType, ...(stats.byType.length > 1 ? [stats.total] : [])]));
    });
}

export function parseSince(value: string, now: Date): Date {
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  } else {
    try {
      return new Date(now.getTime() - parseDuration(value));
    } catch {
      // reported below
    }
  }
  throw new UsageError(
    `--since "${value}": expected a duration back such as "7d" or "24h", or an ISO date such as 2026-11-01`,
  );
}

const COLUMNS: [string, (s: AlertStats) => string][] = [
  ['type', (s) => s.type],
  ['alerts', (s) => String(s.alerts)],
  ['interviews', (s) => String(s.interviews)],
  ['response', (s) => (s.responseRate === null ? '—' : `${Math.round(s.responseRate * 100)}%`)],
  ['confirmed', (s) => String(s.confirmed)],
  ['denied', (s) => String(s.denied)],
  ['someone asked', (s) => String(s.coerced)],
  ['no response', (s) => String(s.noResponse)],
  ['median answer', (s) => formatDuration(s.medianTimeToAnswerMs)],
  ['p90 answer', (s) => formatDuration(s.p90TimeToAnswerMs)],
  ['escalations', (s) => String(s.escalations)],
  ['open', (s) => String(s.open)],
];

function statsTable(rows: AlertStats[]): string {
  const cells = [COLUMNS.map(([name]) => name), ...rows.map((r) => COLUMNS.map(([, value]) => value(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}
