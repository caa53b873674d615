import type { Command } from 'commander';
import { loadSourceMappings, mapSourceBody, sourceNames } from '../intake/source-mapping';
import { loadConfig } from '../lib/config';
import { UsageError, readJsonFile } from './alert-command';
import { printJson } from './output';
import { NotFoundError } from './store';

/** `vouch source test <name> <payload>`: what the intake would make of a source's webhook body. */
export function addSourceTestCommand(sourceCommand: Command): void {
  sourceCommand
    .command('test <name> <payload>')
    .description(
      'Map a source\'s webhook body (a JSON file, "-" for standard input) with its mapping and print the alert it gives; starts nothing.',
    )
    .option('--sources <file>', 'the source mappings file (default: VOUCH_SOURCES_FILE, else sources.yml)')
    .option(
      '--received-at <time>',
      'when the body counts as received (ISO 8601; default now): the alert time and derived id of a source that sends no time',
    )
    .addHelpText(
      'after',
      '\nExample:\n  vouch source test splunk examples/payloads/splunk.json --sources examples/sources.yml\n\n' +
        'Prints the mapped alert as JSON, or each bad field with its path and the expression that produced it.\n' +
        'Exit codes: 0 mapped, 2 the body does not map to a valid alert (or bad usage), 1 no such source.',
    )
    .action(async (name: string, payloadFile: string, opts: { sources?: string; receivedAt?: string }) => {
      const receivedAt = opts.receivedAt === undefined ? new Date() : new Date(opts.receivedAt);
      if (Number.isNaN(receivedAt.getTime()))
        throw new UsageError(
          `--received-at "${opts.receivedAt}": expected an ISO 8601 time, e.g. 2026-11-21T10:15:00Z`,
        );
      const mappings = await loadSourceMappings(opts.sources ?? loadConfig().sourcesFile);
      if (!mappings.sources.has(name)) {
        const names = sourceNames(mappings);
        throw new NotFoundError(
          `no source named ${name}; ${names.length > 0 ? `sources in ${mappings.file}: ${names.join(', ')}` : `${mappings.file} maps no sources (see examples/sources.yml)`}`,
        );
      }
      const result = await mapSourceBody(mappings, name, readJsonFile(payloadFile), receivedAt);
      if (result.ok) {
        printJson(result.alert);
        return;
      }
      console.error(
        `vouch: ${payloadFile} does not map to a valid alert with source "${name}" (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):\n` +
          result.errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n'),
      );
      process.exitCode = 2;
    });
}
