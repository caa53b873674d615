import os from 'node:os';
import { type Command, Option } from 'commander';
import { loadConfig } from '../lib/config';
import { sourceNameProblem, sourceStore } from '../store/sources';
import { UsageError } from './alert-command';
import { printJson, printLine } from './output';
import { addSourceTestCommand } from './source-test-command';
import { NotFoundError, withStore } from './store';

/** `vouch source add|list|rotate|remove|test`: who may send alerts to the HTTP intake, and how they map. */
export function registerSourceCommands(program: Command): void {
  const source = program
    .command('source')
    .description(
      'Manage the sources allowed to send alerts to the HTTP intake (each has one bearer token), and test their mappings.',
    )
    .addHelpText(
      'after',
      '\nThe token is printed once, by add and rotate; only its hash is kept.\nExit codes: 0 ok, 1 not found or MongoDB unreachable, 2 usage or invalid.',
    );

  source
    .command('add <name>')
    .description('Add a source and print its bearer token (once).')
    .addOption(
      new Option(
        '--rate <perSecond>',
        "this source's own limit in alerts a second (default VOUCH_INTAKE_RATE)",
      ),
    )
    .addOption(new Option('--operator <name>', 'who adds it').default(`cli:${os.userInfo().username}`))
    .action(async (name: string, opts: { rate?: string; operator: string }) => {
      checkName(name);
      const rate = opts.rate === undefined ? undefined : Number(opts.rate);
      if (rate !== undefined && !(rate > 0))
        throw new UsageError(`--rate must be a positive number of alerts a second, e.g. --rate 20`);
      const config = loadConfig();
      const added = await withStore(config, (c) =>
        sourceStore(c).add(name, opts.operator, rate ? { ratePerSecond: rate } : {}),
      );
      if ('exists' in added)
        throw new UsageError(
          `source ${name} already exists: rotate its token with vouch source rotate ${name}`,
        );
      printToken(name, added.token, config.intake);
    });

  source
    .command('list')
    .description('The sources, when each was added and rotated (never their tokens).')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = await withStore(loadConfig(), (c) => sourceStore(c).list());
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return printLine('No sources. Add one: vouch source add <name>');
      for (const s of rows)
        printLine(
          `${s.name}  added ${s.createdAt.toISOString()} by ${s.createdBy}` +
            (s.rotatedAt ? `, token rotated ${s.rotatedAt.toISOString()}` : '') +
            (s.ratePerSecond ? `, ${s.ratePerSecond} alerts/s` : ''),
        );
    });

  source
    .command('rotate <name>')
    .description('Give a source a new token (printed once); the old one stops working within 5 seconds.')
    .action(async (name: string) => {
      checkName(name);
      const config = loadConfig();
      const token = await withStore(config, (c) => sourceStore(c).rotate(name));
      if (!token) throw new NotFoundError(`no source ${name} (vouch source list shows them)`);
      printToken(name, token, config.intake);
    });

  source
    .command('remove <name>')
    .description('Remove a source: its token stops working within 5 seconds.')
    .action(async (name: string) => {
      checkName(name);
      const removed = await withStore(loadConfig(), (c) => sourceStore(c).remove(name));
      if (!removed) throw new NotFoundError(`no source ${name} (vouch source list shows them)`);
      printLine(`Removed source ${name}: its token no longer works.`);
    });

  addSourceTestCommand(source);
}

function checkName(name: string): void {
  const problem = sourceNameProblem(name);
  if (problem) throw new UsageError(problem);
}

function printToken(name: string, token: string, intake: { host: string; port: number }): void {
  const base = `http://${intake.host === '0.0.0.0' ? 'localhost' : intake.host}:${intake.port}`;
  printLine(`Token for source ${name} (shown only now; store it in your SIEM's secret store):`);
  printLine('');
  printLine(`  ${token}`);
  printLine('');
  printLine(`Send alerts:   curl -X POST ${base}/v1/alerts -H "Authorization: Bearer <token>" \\`);
  printLine(`                 -H "Content-Type: application/json" --data @alert.json`);
  printLine(`Native bodies: POST ${base}/v1/sources/${name} (mapped by sources.yml)`);
}
