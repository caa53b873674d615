import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { buildReport } from '../report/investigation';
import { reportMarkdown } from '../report/markdown';
import { workflowUiLink } from '../shared/constants';
import { alertStore } from '../store/alerts';
import { NotFoundError, withStore } from './store';
import { printJson, printText } from './output';
import { lookUpPeople, rendererNaming } from './people';
import { verifyOne } from './verify-commands';

/** `vouch report <alertId>`: the investigation report, as Markdown (people by name and email) or JSON. */
export function registerReportCommand(program: Command): void {
  program
    .command('report <alertId>')
    .description(
      'The investigation report of an alert: the alert, timeline, full transcript, second factor, outcome, who acted, and how long it took.',
    )
    .option('--json', 'print as JSON')
    .option(
      '--verify',
      "only check the stored record's hash chain: exit 0 when it holds, 3 naming the first bad event",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  vouch report cloudtrail-2026-11-21-0001 > report.md\n  vouch report cloudtrail-2026-11-21-0001 --json | jq .timeToFirstAnswerMs\n' +
        '  vouch report cloudtrail-2026-11-21-0001 --verify\n\n' +
        'Exit codes: 0 printed, 1 no such alert or MongoDB unreachable, 2 usage, 3 (--verify) the chain does not hold.',
    )
    .action(async (alertId: string, opts: { json?: boolean; verify?: boolean }) => {
      if (opts.verify) return verifyOne(alertId);
      const config = loadConfig();
      const report = await withStore(config, async (c) => {
        const doc = await alertStore(c).get(alertId, { withAudit: true });
        if (!doc) throw new NotFoundError(`no alert ${alertId} is stored`);
        const built = buildReport(doc, {
          link: workflowUiLink(config.temporal.uiUrl, config.temporal.namespace, doc.workflowId),
        });
        if (opts.json) return { built }; // data keeps the Slack ids
        const people = await lookUpPeople(c, [built.employeeSlackId], built.transcript);
        return { built, render: rendererNaming(people) };
      });
      if (opts.json) printJson(report.built);
      else printText(reportMarkdown(report.built, report.render));
    });
}
