import fs from 'node:fs';
import os from 'node:os';
import { type Command, Option } from 'commander';
import { loadConfig } from '../lib/config';
import { DIRECTORY_FIELDS, type DirectoryEntry, directoryEntrySchema } from '../shared/directory-entry';
import { DirectoryClashError, type ImportPlan, directoryStore, planImport } from '../store/directory';
import { UsageError } from './alert-command';
import { parseDirectoryFile } from './directory-file';
import { NotFoundError, withStore } from './store';

/**
 * `vouch directory import|list|show|set|remove`: the employees operators vouch for, the only way a
 * username in an alert (an alias) maps to a person.
 */
const actorOption = () =>
  new Option('--actor <name>', 'who makes the change (kept with the entry and in directory_events)').default(
    `cli:${os.userInfo().username}`,
  );

const EXIT_CODES = '\nExit codes: 0 ok, 1 not found or MongoDB unreachable, 2 invalid input or usage.';

export function registerDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('Manage the employee directory: emails, Slack user ids and aliases (usernames in alerts).')
    .addHelpText(
      'after',
      '\nA username in an alert maps to an employee only through an alias listed here; an unknown one\n' +
        'escalates unknown_employee. File format: see README, "Directory", and examples/directory.csv.' +
        EXIT_CODES,
    );

  directory
    .command('import <file>')
    .description('Add or update employees from a CSV or YAML file (.csv, .yml, .yaml); idempotent.')
    .option('--dry-run', 'show what would change (added, changed, unchanged, removed) and change nothing')
    .option('--prune', 'also remove stored employees the file does not list')
    .option('--json', 'print the plan as JSON')
    .addOption(actorOption())
    .addHelpText(
      'after',
      '\nEach row is a whole entry: fields it leaves empty are cleared. Nothing is written if any row is\n' +
        'invalid or an alias or Slack id would belong to two employees.\n\nExamples:\n' +
        '  vouch directory import examples/directory.csv --dry-run\n' +
        '  vouch directory import people.yml --prune' +
        EXIT_CODES,
    )
    .action(
      async (file: string, opts: { dryRun?: boolean; prune?: boolean; json?: boolean; actor: string }) => {
        const entries = parseDirectoryFile(readText(file), file);
        const plan = await withStore(loadConfig(), async (c) => {
          const store = directoryStore(c);
          const { plan, clashes } = planImport(await store.list(), entries, Boolean(opts.prune));
          if (clashes.length > 0)
            throw new UsageError(`${file}: nothing was changed:\n  ${clashes.join('\n  ')}`);
          const changes = {
            upsert: [...plan.added, ...plan.changed.map((ch) => ch.after)],
            remove: opts.prune ? plan.removed : [],
            previous: new Map(plan.changed.map((ch) => [ch.before.email, ch.before])),
          };
          if (!opts.dryRun) await asUsageError(() => store.apply(changes, opts.actor));
          return plan;
        });
        if (opts.json)
          return console.log(
            JSON.stringify({ ...plan, dryRun: Boolean(opts.dryRun), pruned: Boolean(opts.prune) }, null, 2),
          );
        printPlan(plan, Boolean(opts.prune), Boolean(opts.dryRun));
      },
    );

  directory
    .command('list')
    .description('Every employee in the directory, by email.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const entries = await withStore(loadConfig(), (c) => directoryStore(c).list());
      if (opts.json) return console.log(JSON.stringify(entries, null, 2));
      if (entries.length === 0)
        return console.log(
          'The directory is empty: vouch directory import <file> or vouch directory set <email>.',
        );
      for (const e of entries)
        console.log(
          [
            e.email.padEnd(32),
            (e.slackUserId ?? '-').padEnd(12),
            (e.timeZone ?? '-').padEnd(20),
            e.aliases.length > 0 ? `aliases ${e.aliases.join(', ')}` : 'no aliases',
          ].join('  '),
        );
    });

  directory
    .command('show <employee>')
    .description('One employee, found by email, Slack user id (U…) or alias.')
    .option('--json', 'print as JSON')
    .action(async (who: string, opts: { json?: boolean }) => {
      const found = await withStore(loadConfig(), (c) => directoryStore(c).find(who));
      if (!found)
        throw new NotFoundError(`no employee in the directory has the email, Slack id or alias "${who}"`);
      if (opts.json) return console.log(JSON.stringify(found, null, 2));
      for (const field of DIRECTORY_FIELDS)
        console.log(`${`${field}:`.padEnd(13)} ${show(found.entry, field)}`);
      console.log(`${'updated:'.padEnd(13)} ${found.updatedAt.toISOString()} by ${found.updatedBy}`);
    });

  directory
    .command('set <email>')
    .description('Add an employee, or change the fields given (others are kept).')
    .option('--slack <userId>', 'Slack user id, e.g. U024BE7LH')
    .option(
      '--aad-object-id <id>',
      'Microsoft Entra object id (Teams), e.g. 8f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f',
    )
    .option('--alias <alias>', 'an alias (repeat for more); replaces the aliases', collect, undefined)
    .option('--add-alias <alias>', 'add an alias (repeatable)', collect, [])
    .option('--remove-alias <alias>', 'remove an alias (repeatable)', collect, [])
    .option('--name <name>', 'display name')
    .option('--tz <timeZone>', 'IANA time zone, e.g. Europe/Lisbon')
    .option('--manager <email>', "the manager's email")
    .option('--unset <field>', `clear a field (repeatable): ${UNSETTABLE.join(', ')}`, collect, [])
    .addOption(actorOption())
    .addHelpText(
      'after',
      '\nExamples:\n  vouch directory set ana@example.com --slack U024BE7LH --alias ana --alias ana-lima --tz Europe/Lisbon\n' +
        '  vouch directory set ana@example.com --add-alias alima --unset manager' +
        EXIT_CODES,
    )
    .action(async (email: string, opts: SetOptions) => {
      for (const field of opts.unset)
        if (!(UNSETTABLE as readonly string[]).includes(field))
          throw new UsageError(
            `--unset ${field}: the fields that can be cleared are ${UNSETTABLE.join(', ')}`,
          );
      const result = await withStore(loadConfig(), async (c) => {
        const store = directoryStore(c);
        const current = await store.get(email);
        const entry = validEntry(edited(current, email, opts));
        return { entry, action: await asUsageError(() => store.set(entry, opts.actor)) };
      });
      console.log(`${result.entry.email}: ${result.action}`);
      console.log(describeEntry(result.entry));
    });

  directory
    .command('remove <email>')
    .description(
      'Remove an employee: their aliases then match no one (alerts naming them escalate unknown_employee).',
    )
    .addOption(actorOption())
    .action(async (email: string, opts: { actor: string }) => {
      const removed = await withStore(loadConfig(), (c) => directoryStore(c).remove(email, opts.actor));
      if (!removed) throw new NotFoundError(`no employee with the email ${email} in the directory`);
      console.log(`Removed ${removed.email} (${describeEntry(removed)}).`);
    });
}

const UNSETTABLE = ['slackUserId', 'aadObjectId', 'name', 'timeZone', 'manager'] as const;

interface SetOptions {
  slack?: string;
  aadObjectId?: string;
  alias?: string[];
  addAlias: string[];
  removeAlias: string[];
  name?: string;
  tz?: string;
  manager?: string;
  unset: string[];
  actor: string;
}

function edited(current: DirectoryEntry | null, email: string, o: SetOptions): Record<string, unknown> {
  const removed = new Set(o.removeAlias.map((a) => a.trim().toLowerCase()));
  const aliases = [...(o.alias ?? current?.aliases ?? []), ...o.addAlias].filter(
    (a) => !removed.has(a.trim().toLowerCase()),
  );
  const next: Record<string, unknown> = {
    ...current,
    email,
    aliases,
    ...(o.slack !== undefined ? { slackUserId: o.slack } : {}),
    ...(o.aadObjectId !== undefined ? { aadObjectId: o.aadObjectId } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.tz !== undefined ? { timeZone: o.tz } : {}),
    ...(o.manager !== undefined ? { manager: o.manager } : {}),
  };
  for (const field of o.unset) delete next[field];
  return next;
}

const OPTION_OF: Record<string, string> = {
  email: '<email>',
  slackUserId: '--slack',
  aadObjectId: '--aad-object-id',
  aliases: '--alias',
  name: '--name',
  timeZone: '--tz',
  manager: '--manager',
};

function validEntry(draft: Record<string, unknown>): DirectoryEntry {
  const parsed = directoryEntrySchema.safeParse(draft);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    parsed.error.issues
      .map((i) => `${OPTION_OF[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`)
      .join('\n'),
  );
}

function printPlan(plan: ImportPlan, prune: boolean, dryRun: boolean): void {
  for (const e of plan.added) console.log(`+ ${e.email}  ${describeEntry(e)}`);
  for (const { before, after } of plan.changed) {
    const diffs = DIRECTORY_FIELDS.filter((f) => show(before, f) !== show(after, f)).map(
      (f) => `${f}: ${show(before, f)} → ${show(after, f)}`,
    );
    console.log(`~ ${after.email}  ${diffs.join('; ')}`);
  }
  for (const e of plan.removed)
    console.log(prune ? `- ${e.email}` : `  ${e.email} is not in the file: kept (--prune removes it)`);
  const removed = prune ? `${plan.removed.length} removed` : `${plan.removed.length} not in the file (kept)`;
  console.log(
    `${dryRun ? 'Dry run, nothing changed: would make ' : ''}${plan.added.length} added, ${plan.changed.length} changed, ${plan.unchanged.length} unchanged, ${removed}.`,
  );
}

function describeEntry(e: DirectoryEntry): string {
  return DIRECTORY_FIELDS.filter((f) => f !== 'email' && show(e, f) !== '-')
    .map((f) => `${f} ${show(e, f)}`)
    .join(', ');
}

function show(e: DirectoryEntry, field: (typeof DIRECTORY_FIELDS)[number]): string {
  const value = e[field];
  if (Array.isArray(value)) return value.length > 0 ? value.join(' ') : '-';
  return value ?? '-';
}

/** A clash found while writing (another operator's change since the check) is invalid input, exit 2. */
async function asUsageError<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof DirectoryClashError) throw new UsageError(err.message);
    throw err;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function readText(file: string): string {
  if (!/\.(csv|ya?ml)$/i.test(file))
    throw new UsageError(
      `${file}: a directory file ends in .csv, .yml or .yaml (the format follows the name)`,
    );
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}
