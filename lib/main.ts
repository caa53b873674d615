import { ConfigError } from './config';
import { printable } from './printable';

/**
 * Runs a command-line entry point: known errors print their message (no stack) and exit with a code
 * scripts can rely on: 2 for bad configuration or input, 1 for anything else.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    const known = [
      'ConfigError',
      'ProvisionError',
      'InvalidAlertError',
      'InvalidPolicyError',
      'InvalidSourceMappingsError',
      'UsageError',
      'NotFoundError',
      'TemporalUnavailableError',
      'StoreUnavailableError',
      'SlackUnavailableError',
      'SecretBoxError',
      'RotationInterruptedError',
      'PayloadKeyError',
    ].includes(e.name);
    // A message can quote an alert or a file: no control characters reach the terminal.
    console.error(known ? `vouch: ${printable(e.message)}` : e);
    process.exitCode =
      e instanceof ConfigError ||
      ['InvalidAlertError', 'InvalidPolicyError', 'InvalidSourceMappingsError', 'UsageError'].includes(e.name)
        ? 2
        : 1;
  });
}
