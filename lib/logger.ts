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
  'verdicts',
  'VOUCH_VERDICT_SECRETS',
  'VOUCH_SPLUNK_HEC_TOKEN',
  'VOUCH_ENCRYPTION_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'VOUCH_LLM_API_KEY',
  'appPassword',
  'client_secret',
  'VOUCH_TEAMS_APP_PASSWORD',
];

/**
 * What an employee typed into Slack, wherever a Slack payload is logged whole (Bolt's and the
 * WebClient's debug logs, bot/bolt-logger.ts): a modal's submitted values, a message's text, a slash
 * command's text.
 */
const SLACK_PAYLOAD_PATHS = [
  'view.state',
  'text',
  'event.text',
  'message.text',
  'payload.view.state',
  'payload.text',
].map((p) => `body.${p}`);

export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  ...SLACK_PAYLOAD_PATHS,
];

export function createLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
