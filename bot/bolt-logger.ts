import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../lib/logger';
import { withoutCodes } from '../shared/sealed-code';

/**
 * Bolt's and the Slack WebClient's logger, written through the one redacting pino logger as
 * structured objects: a JSON body Bolt or the WebClient logs as text (request bodies at debug level,
 * a modal's submitted state among them) is parsed, so the logger's redaction applies to its fields;
 * what stays text has code-shaped digits cut out. Submitted modal values and message text are never
 * logged (lib/logger.ts SLACK_PAYLOAD_PATHS).
 */
export function boltLogger(logger: Logger): BoltLogger {
  const bolt = logger.child({ component: 'bolt' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const { text, fields } = structured(parts);
      bolt[level](fields, text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () => boltLevel(logger.level),
    setName: () => {},
  };
}

function structured(parts: unknown[]): { text: string; fields: Record<string, unknown> } {
  const texts: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const part of parts) {
    if (part instanceof Error) fields.err = part;
    else if (typeof part === 'string') {
      // "ack() call begins (body: {...})", "http request body: {...}" or a bare JSON body.
      const at = part.search(/[{[]/);
      const parsed = at >= 0 ? parseJson(part.slice(at).replace(/\)\s*$/, '')) : undefined;
      if (parsed !== undefined) {
        fields.body = parsed;
        texts.push(withoutCodes(part.slice(0, at)).trim());
      } else texts.push(withoutCodes(part));
    } else if (part && typeof part === 'object') Object.assign(fields, { detail: part });
    else if (part !== undefined) texts.push(String(part));
  }
  return { text: texts.filter(Boolean).join(' ') || 'bolt', fields };
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function boltLevel(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}
