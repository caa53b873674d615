import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { parseAlert, startInterview } from '../producer';
import { workflowUiLink } from '../shared/constants';
import { withClient } from './temporal';
import { printJson, printLine } from './output';

/** `vouch alert`: start an interview from a JSON file, standard input, or flags. */
export function registerAlertCommand(program: Command): void {
  program
    .command('alert')
    .description('Start the interview for an alert (validated first: a bad alert starts nothing).')
    .option('-f, --file <path>', 'alert JSON file ("-" for standard input)')
    .option('--id <id>', 'alert id: 1–128 of A-Z a-z 0-9 . _ : -')
    .option('--type <type>', 'alert type (selects the policy)')
    .option('--title <text>', 'what happened, in a line')
    .option('--description <text>', 'more detail for the employee')
    .option('--severity <level>', 'low, medium, high or critical')
    .option('--occurred-at <time>', 'ISO 8601 time, e.g. 2026-11-21T10:15:00Z')
    .option('--source <name>', 'system that raised the alert')
    .option('--email <email>', "employee's email")
    .option('--slack-user <id>', "employee's Slack user id")
    .option('--username <name>', "employee's username")
    .option('--detail <key=value>', 'a detail shown to the employee (repeatable)', collect, [])
    .option('--sensitive <key>', 'a detail key never shown in Slack (repeatable)', collect, [])
    .option('--url <url>', 'link back to the source system')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vouch alert --file examples/alert.json\n' +
        '  vouch alert --id a-1 --type aws.admin_added --title "New admin" --severity high \\\n' +
        '    --occurred-at 2026-11-21T10:15:00Z --source cloudtrail --email ana@example.com --detail sourceIp=203.0.113.7\n\n' +
        'Exit codes: 0 started (or already existed), 2 invalid alert or usage, 1 Temporal unreachable.',
    )
    .action(async (opts: AlertOptions) => {
      // Validate before connecting: a bad alert is reported in full and starts nothing.
      const alert = parseAlert(opts.file ? readJsonFile(opts.file) : alertFromFlags(opts));
      const config = loadConfig();
      const started = await withClient(config, (client) =>
        startInterview(client, alert, { taskQueue: config.temporal.taskQueue }),
      );
      if (opts.json)
        printJson(
          { workflowId: started.workflowId, alreadyExisted: started.alreadyExisted },
          { compact: true },
        );
      else if (started.alreadyExisted)
        printLine(
          `An interview for this alert already exists: ${started.workflowId} (nothing new was started).`,
        );
      else
        printLine(
          `Started interview ${started.workflowId}.\n  Follow it: ${workflowUiLink(config.temporal.uiUrl, config.temporal.namespace, started.workflowId)}`,
        );
    });
}

interface AlertOptions {
  file?: string;
  id?: string;
  type?: string;
  title?: string;
  description?: string;
  severity?: string;
  occurredAt?: string;
  source?: string;
  email?: string;
  slackUser?: string;
  username?: string;
  detail: string[];
  sensitive: string[];
  url?: string;
  json?: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A JSON file, or standard input for "-"; a bad one is a UsageError naming it. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function alertFromFlags(o: AlertOptions): unknown {
  const employee = Object.fromEntries(
    Object.entries({ email: o.email, slackUserId: o.slackUser, username: o.username }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const details: Record<string, string | number | boolean> = {};
  for (const pair of o.detail) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--detail "${pair}": expected key=value`);
    details[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    id: o.id,
    type: o.type,
    title: o.title,
    description: o.description,
    severity: o.severity,
    occurredAt: o.occurredAt,
    source: o.source,
    employee,
    details,
    sensitiveKeys: o.sensitive,
    url: o.url,
  };
}
