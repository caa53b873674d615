import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { progressLine } from '../lib/progress';
import { describeBreak } from '../store/event-chain';
import { type AlertVerification, alertStore } from '../store/alerts';
import { recordMigration } from '../store/migration';
import { parseSince } from './stats-command';
import { NotFoundError, withStore } from './store';
import { printLine } from './output';

/** The exit code of a verification that found a record that does not hold (0 ok, 1/2 as everywhere). */
export const CHAIN_BROKEN_EXIT = 3;

/** One line for people about one alert's verification. */
export function verificationLine(v: AlertVerification): string {
  if (v.status === 'holds')
    return `chain holds: ${v.count} events, head ${v.head}${v.auditEntries ? ` (and ${v.auditEntries} audit entries)` : ''}`;
  if (v.status === 'not_migrated') return `not migrated: run vouch migrate (${describeBreak(v.break!)})`;
  return `chain broken at ${describeBreak(v.break!)}`;
}

/** `vouch report <id> --verify`: the alert's record checked against its hash chain. */
export async function verifyOne(alertId: string): Promise<void> {
  const v = await withStore(loadConfig(), async (c) => alertStore(c).verify(alertId));
  if (!v) throw new NotFoundError(`no alert ${alertId} is stored`);
  const line = `${alertId}: ${verificationLine(v)}`;
  if (v.status === 'holds') return printLine(line);
  console.error(line);
  process.exitCode = CHAIN_BROKEN_EXIT;
}

/** `vouch verify` and `vouch migrate`. */
export function registerVerifyCommands(program: Command): void {
  program
    .command('verify')
    .description(
      "Recompute the hash chain of many alerts' records and name the first event that does not match in each.",
    )
    .option('--since <when>', 'alerts created since: a duration back ("7d", "24h") or an ISO date', '30d')
    .option('--type <alertType>', 'only this alert type')
    .addHelpText(
      'after',
      '\nExamples:\n  vouch verify --since 90d\n  vouch verify --type aws.root_login --since 2026-11-01\n\n' +
        `Exit codes: 0 every record holds, ${CHAIN_BROKEN_EXIT} some do not (listed; "not migrated" ones need vouch migrate), ` +
        '1 MongoDB unreachable, 2 usage (e.g. a bad --since).',
    )
    .action(async (opts: { since: string; type?: string }) => {
      const since = parseSince(opts.since, new Date());
      const progress = progressLine('verifying alerts');
      const failed: AlertVerification[] = [];
      let total = 0;
      let events = 0;
      await withStore(loadConfig(), async (c) => {
        for await (const v of alertStore(c).verifyMany(
          { since, type: opts.type },
          progress.active ? progress.update : undefined,
        )) {
          total += 1;
          events += v.count;
          if (v.status !== 'holds') failed.push(v);
        }
      });
      progress.done();
      for (const v of failed) console.error(`${v.alertId}: ${verificationLine(v)}`);
      const unmigrated = failed.filter((v) => v.status === 'not_migrated').length;
      const summary =
        `${total} alert(s) since ${since.toISOString()}${opts.type ? ` of type ${opts.type}` : ''}: ` +
        `${total - failed.length} hold (${events} events), ${failed.length - unmigrated} broken, ${unmigrated} not migrated`;
      if (failed.length === 0) return printLine(summary);
      console.error(summary);
      process.exitCode = CHAIN_BROKEN_EXIT;
    });

  program
    .command('migrate')
    .description(
      'Bring alerts stored by earlier releases up to date: typed, hash-chained events and the alert facts as fields. Safe to run again, and beside running interviews.',
    )
    .addHelpText(
      'after',
      '\nThe worker runs the same migration at start, in the background; this command is for doing it now.\n\n' +
        'Examples:\n  vouch migrate\n\nExit codes: 0 done (alerts a running interview kept busy are counted: run it again), 1 MongoDB unreachable.',
    )
    .action(async () => {
      const progress = progressLine('migrating alerts');
      const counts = await withStore(loadConfig(), (c) =>
        recordMigration(c).migrateAll(progress.active ? progress.update : undefined),
      );
      progress.done();
      printLine(
        `migrated ${counts.migrated} of ${counts.alerts} alert(s) not yet up to date, ${counts.auditEntries} audit entr${counts.auditEntries === 1 ? 'y' : 'ies'}` +
          (counts.busy ? `; ${counts.busy} busy with a running interview: run vouch migrate again` : ''),
      );
    });
}
