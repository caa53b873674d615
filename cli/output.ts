import { printable, printableJson } from '../lib/printable';

/**
 * Everything a CLI command prints goes through here: text without control characters (alerts and
 * Slack profiles are written by others), JSON with every such character escaped, and a reader that
 * went away (`vouch state … | head -5`) ends the command quietly.
 */
export function printLine(text = ''): void {
  process.stdout.write(`${printable(text)}\n`);
}

/** Text as is (the caller ends its lines), for multi-line blocks such as YAML or a report. */
export function printText(text: string): void {
  process.stdout.write(printable(text));
}

export function printJson(value: unknown, opts: { compact?: boolean } = {}): void {
  process.stdout.write(`${printableJson(value, opts.compact ? undefined : 2)}\n`);
}

/** A closed pipe on standard output means the reader has what it wanted: exit 0, no stack trace. */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
