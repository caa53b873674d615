import pino, { type Logger } from 'pino';

/**
 * The one logger. Anything that could authenticate someone (tokens, secrets, second-factor codes and
 * keys) is redacted wherever it sits in a log object, up to three levels deep.
 */
const SENSITIVE_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'encryptedSecret',
  'code',
  'otp',
  'password',
  'apiKey',
  'authorization',
  'encryptionKey',
  'routingKey',
  'routing_key',
  'webhookSecrets',
  'VOUCH_ENCRYPTION_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'VOUCH_LLM_API_KEY',
];

export const REDACT_PATHS = SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
