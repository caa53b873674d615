import { DefaultLogger, Runtime, type LogLevel as SdkLogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

/**
 * Routes the Temporal SDK's own logs (worker state, webpack bundling, core warnings) through the
 * Vouch logger at warn level and above, instead of its default console output.
 */
export function installSdkLogging(
  logger: Logger,
  level: SdkLogLevel = 'WARN',
  opts: { forwardCoreLogs?: boolean } = {},
): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (entry) => {
        const { error, taskToken: _token, ...rest } = (entry.meta ?? {}) as Record<string, unknown>;
        // pino serialises errors under `err` (message and stack); under another key they print as {}.
        const meta = { ...rest, ...(error !== undefined ? { err: error } : {}), sdk: true };
        if (entry.level === 'ERROR') logger.error(meta, entry.message);
        else if (entry.level === 'WARN') logger.warn(meta, entry.message);
        else logger.debug(meta, entry.message);
      }),
      // The SDK's native core logs to the console on its own unless forwarded here. Forwarding holds a
      // native handle open until the runtime shuts down, so short-lived users (tests) leave it off.
      telemetryOptions: {
        logging:
          opts.forwardCoreLogs === false
            ? { filter: { core: level, other: level }, console: {} }
            : { filter: { core: level, other: level }, forward: {} },
      },
    });
  } catch {
    // Already installed in this process (tests create several workers): keep the first.
  }
}
