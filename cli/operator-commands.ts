import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { type Command, Option } from 'commander';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type Config, loadConfig } from '../lib/config';
import { workflowIdForAlert } from '../shared/constants';
import {
  OPERATOR_ACTIONS,
  type OperatorActionKind,
  interviewState,
  operatorAction,
} from '../shared/messages';
import { withClient } from './temporal';
import { type People, describePerson, lookUpPeople, rendererNaming } from './people';
import { withStore } from './store';
import { printJson, printLine } from './output';
import type { TranscriptEntry } from '../shared/messages';

/** `vouch close|approve|skip|escalate|cancel <alertId>` and `vouch state <alertId>`. */
export function registerOperatorCommands(program: Command): void {
  const descriptions: Record<OperatorActionKind, string> = {
    approve: 'Approve an interview waiting for approval.',
    skip: 'Skip an interview waiting for approval (outcome skipped_by_operator).',
    escalate: 'Escalate now (outcome escalated_by_operator).',
    close:
      'Close now (outcome closed_by_operator); on an escalation waiting with PagerDuty or webhook targets, resolve it.',
    cancel: 'Stop the interview without a verdict (outcome closed_by_operator).',
  };
  for (const action of OPERATOR_ACTIONS) {
    program
      .command(`${action} <alertId>`)
      .description(descriptions[action])
      .option('-n, --note <text>', 'why (kept in the transcript)')
      .addOption(
        new Option('--operator <name>', 'who acts (kept in the transcript)').default(
          `cli:${os.userInfo().username}`,
        ),
      )
      .action(async (alertId: string, opts: { note?: string; operator: string }) => {
        const config = loadConfig();
        await withClient(config, async (client) => {
          const handle = client.workflow.getHandle(workflowIdForAlert(alertId));
          await notFoundAsUsage(
            alertId,
            () =>
              handle.signal(operatorAction, {
                actionId: randomUUID(),
                operator: opts.operator,
                action,
                note: opts.note,
              }),
            client,
          );
        });
        printLine(`Sent "${action}" to the interview of alert ${alertId}.`);
      });
  }

  program
    .command('state <alertId>')
    .description("Show an interview's phase, outcome, deadlines and transcript.")
    .option('--json', 'print as JSON')
    .action(async (alertId: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const state = await withClient(config, (client) =>
        notFoundAsUsage(alertId, () =>
          client.workflow.getHandle(workflowIdForAlert(alertId)).query(interviewState),
        ),
      );
      if (opts.json) return printJson(state);
      const people = await peopleOrIds(config, state.employee, state.transcript);
      const render = rendererNaming(people);
      printLine(`phase: ${state.phase}\noutcome: ${state.outcome ?? '(none yet)'}`);
      if (state.employee)
        printLine(`employee: ${describePerson(state.employee, people)} (Slack ${state.employee})`);
      for (const [k, v] of Object.entries(state.deadlines)) printLine(`${k} deadline: ${v}`);
      for (const t of state.transcript) printLine(`  ${t.at}  ${render.line(t)}`);
    });
}

/** Names from the employees cache; the state is shown anyway (with Slack ids) when MongoDB is not reachable. */
async function peopleOrIds(
  config: Config,
  employee: string | null,
  transcript: TranscriptEntry[],
): Promise<People> {
  try {
    return await withStore(config, (c) => lookUpPeople(c, [employee], transcript));
  } catch (err) {
    console.error(`vouch: people are shown by Slack id: ${(err as Error).message}`);
    return new Map();
  }
}

async function notFoundAsUsage<T>(alertId: string, op: () => Promise<T>, client?: Client): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // A finished interview takes no more signals: say so, rather than that it does not exist.
    const finished = await client?.workflow
      .getHandle(workflowIdForAlert(alertId))
      .describe()
      .catch(() => undefined);
    if (finished) {
      const e = new Error(
        `the interview of alert ${alertId} has already finished (${finished.status.name}); \`vouch report ${alertId}\` shows how`,
      );
      e.name = 'NotFoundError';
      throw e;
    }
    // Exit 1, as the README's table says for "does not exist" (and as `vouch report` does).
    const e = new Error(`no interview for alert ${alertId} (workflow ${workflowIdForAlert(alertId)})`);
    e.name = 'NotFoundError';
    throw e;
  }
}
