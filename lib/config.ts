import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../shared/constants';

/**
 * The one reader of the environment. Every variable Vouch understands is declared here, parsed once
 * at start and frozen; a missing or malformed value stops the process with a message that names the
 * variable and what it expects. The README's variable table is generated from `CONFIG_VARIABLES`.
 */

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number' })
    .int({ error: 'expected a whole port number' })
    .min(1, { error: 'expected a port number from 1 to 65535' })
    .max(65535, { error: 'expected a port number from 1 to 65535' })
    .default(fallback);

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const hostPort = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$/, { error: 'expected host:port, e.g. "127.0.0.1:7233"' });

const encryptionKey = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').length === 32, {
    error: 'expected 32 random bytes in base64 (make one with: openssl rand -base64 32)',
  });

/** A comma-separated list whose every item matches `item`. */
const commaList = (item: RegExp, what: string) =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(item, { error: `expected comma-separated ${what}` })));

const envSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default(DEFAULT_NAMESPACE),
  VOUCH_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_UI_URL: z.url({ error: 'expected a URL such as "http://localhost:8233"' }).optional(),
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { error: 'expected a MongoDB connection string "mongodb://host:port"' })
    .optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'expected a database name of letters, digits, _ or -' })
    .default('vouch'),
  SLACK_BOT_TOKEN: optionalText.pipe(
    z.string().startsWith('xoxb-', { error: 'expected a bot token starting with "xoxb-"' }).optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(
    z.string().startsWith('xapp-', { error: 'expected an app-level token starting with "xapp-"' }).optional(),
  ),
  SLACK_API_URL: z
    .url({ error: 'expected the Slack Web API base URL, e.g. "https://slack.com/api/"' })
    .default('https://slack.com/api/'),
  BOT_PORT: port(3000),
  VOUCH_PUBLIC_URL: z
    .url({ error: 'expected the https URL where employees reach the bot, e.g. "https://vouch.example.com"' })
    .refine((u) => new URL(u).protocol === 'https:' || isLocalhost(new URL(u).hostname), {
      // The enrollment page shows a TOTP secret: it must never travel in clear text.
      error: 'expected an https URL (plain http only for localhost), e.g. "https://vouch.example.com"',
    })
    .optional(),
  VOUCH_SECURITY_CHANNEL: optionalText.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, { error: 'expected a Slack channel id such as "C0123ABCD"' })
      .optional(),
  ),
  VOUCH_OPERATORS: commaList(
    /^([UW][A-Z0-9]{2,}|S[A-Z0-9]{2,})$/,
    'Slack user ids (U…) or user group ids (S…)',
  ),
  VOUCH_ENCRYPTION_KEY: optionalText.pipe(encryptionKey.optional()),
  VOUCH_PREVIOUS_ENCRYPTION_KEYS: commaList(
    /^[A-Za-z0-9+/]{43}=$/,
    'keys of 32 bytes in base64 (the keys VOUCH_ENCRYPTION_KEY held before)',
  ),
  VOUCH_CODEC_PORT: port(8234),
  VOUCH_CODEC_TOKEN: optionalText.pipe(
    z
      .string()
      .min(32, { error: 'expected at least 32 characters (make one with: openssl rand -hex 32)' })
      .optional(),
  ),
  VOUCH_POLICIES_FILE: z.string().min(1).default('policies.yml'),
  VOUCH_PAGERDUTY_URL: z
    .url({ error: 'expected the PagerDuty Events API base URL, e.g. "https://events.pagerduty.com"' })
    .default('https://events.pagerduty.com'),
  VOUCH_WEBHOOK_SECRETS: commaList(
    /^[A-Za-z0-9_.-]{1,64}=\S{16,}$/,
    'name=secret pairs, each secret at least 16 characters',
  ),
  VOUCH_OUTBOUND_ALLOW_HOSTS: commaList(
    /^[A-Za-z0-9.:_-]{1,253}$/,
    'host names or IP addresses (no scheme, no port)',
  ),
  VOUCH_LINK_HOSTS: commaList(/^[A-Za-z0-9.-]{1,253}$/, 'host names (no scheme, no port)'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  VOUCH_DATA_DIR: z.string().min(1).optional(),
  VOUCH_CACHE_DIR: z.string().min(1).optional(),
  VOUCH_UI_PORT: port(8233),
  VOUCH_EMBEDDED_MONGO_PORT: port(27017),
  VOUCH_EMBEDDED_TEMPORAL_PORT: port(7233),
  VOUCH_LLM_URL: optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'expected the base URL of an OpenAI-compatible API, e.g. "https://api.openai.com/v1"',
      })
      .optional(),
  ),
  VOUCH_LLM_MODEL: optionalText,
  VOUCH_LLM_API_KEY: optionalText,
  VOUCH_LLM_TIMEOUT: z.coerce
    .number({ error: 'expected a number of seconds' })
    .positive({ error: 'expected a positive number of seconds' })
    .max(300, { error: 'expected at most 300 seconds' })
    .default(20),
  VOUCH_HEALTH_FILE: z.string().min(1).optional(),
  XDG_CACHE_HOME: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

/** Documentation of every variable: the README table is checked against it by a test. */
export const CONFIG_VARIABLES: Record<
  keyof Omit<z.infer<typeof envSchema>, 'XDG_CACHE_HOME' | 'NODE_ENV'>,
  string
> = {
  TEMPORAL_ADDRESS:
    'Temporal frontend host:port. Unset: `npm start` runs an embedded dev server on 127.0.0.1:7233.',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default `default`).',
  VOUCH_TASK_QUEUE: 'Task queue of the interview workflows (default `vouch-interviews`).',
  TEMPORAL_UI_URL:
    'Base URL of the Temporal Web UI, used for links in reports (default `http://localhost:8233`).',
  MONGODB_URL: 'MongoDB connection string. Unset: `npm start` runs embedded FerretDB on 127.0.0.1.',
  MONGODB_DB: 'Database name (default `vouch`).',
  SLACK_BOT_TOKEN: 'Bot token (`xoxb-…`). Without it Vouch starts but cannot message anyone.',
  SLACK_SIGNING_SECRET: 'Signing secret; mandatory for the HTTP receiver (every request is verified).',
  SLACK_APP_TOKEN: 'App-level token (`xapp-…`); when set the bot uses Socket Mode instead of HTTP.',
  SLACK_API_URL: 'Slack Web API base URL (default `https://slack.com/api/`; GovSlack or a test stand-in).',
  BOT_PORT: 'Port of the HTTP receiver, `POST /slack/events` (default 3000).',
  VOUCH_PUBLIC_URL:
    'Base URL where employees open `/vouch enroll` links (the bot serves `/enroll/…`; default `http://localhost:BOT_PORT`).',
  VOUCH_SECURITY_CHANNEL: 'Channel id where escalations and approval requests are posted.',
  VOUCH_OPERATORS: 'Comma-separated Slack user ids (U…) or user group ids (S…) allowed to approve or close.',
  VOUCH_ENCRYPTION_KEY:
    '32 bytes, base64: encrypts second-factor secrets at rest and every payload Vouch writes to Temporal. `npm start` makes one in the data folder if unset.',
  VOUCH_PREVIOUS_ENCRYPTION_KEYS:
    'Comma-separated keys VOUCH_ENCRYPTION_KEY held before a rotation: Temporal payloads sealed under them stay readable while listed.',
  VOUCH_CODEC_PORT:
    'Port of the codec server that decrypts payloads for the Temporal Web UI, `POST /decode` and `/encode` (default 8234).',
  VOUCH_CODEC_TOKEN:
    'Operator credential of the codec server (at least 32 characters). `npm start` makes one in the data folder if unset.',
  VOUCH_POLICIES_FILE:
    'Policies seeded into MongoDB when the worker starts, if the file exists (default `policies.yml`).',
  VOUCH_PAGERDUTY_URL: 'PagerDuty Events API v2 base URL (default `https://events.pagerduty.com`).',
  VOUCH_WEBHOOK_SECRETS:
    "Comma-separated `name=secret` pairs; a policy's `escalation.webhook.secret` names the one that signs its webhook.",
  VOUCH_OUTBOUND_ALLOW_HOSTS:
    'Comma-separated hosts that PagerDuty and webhook calls may reach although they resolve to loopback, private or link-local addresses (an internal SOAR; default none).',
  VOUCH_LINK_HOSTS:
    'Comma-separated hosts of alert sources whose `https` links Slack messages show as live links; any other alert `url` is shown defanged (default none).',
  LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace or silent.',
  VOUCH_DATA_DIR: 'Where `npm start` keeps embedded Temporal and FerretDB data (default `./data`).',
  VOUCH_CACHE_DIR:
    'Where provisioned server binaries are cached (default `$XDG_CACHE_HOME/vouch` or `~/.cache/vouch`).',
  VOUCH_UI_PORT: 'Port of the embedded Temporal Web UI (default 8233).',
  VOUCH_EMBEDDED_MONGO_PORT: 'Port of the embedded FerretDB (default 27017).',
  VOUCH_EMBEDDED_TEMPORAL_PORT: 'gRPC port of the embedded Temporal dev server (default 7233).',
  VOUCH_LLM_URL:
    'Base URL of an OpenAI-compatible chat-completions API (e.g. `https://api.openai.com/v1`). Unset: follow-ups use scripted questions and no summary is written.',
  VOUCH_LLM_MODEL: 'Model name sent to that API; required when `VOUCH_LLM_URL` is set.',
  VOUCH_LLM_API_KEY:
    'Bearer key for that API (a secret: never logged nor stored); optional for local servers.',
  VOUCH_LLM_TIMEOUT: 'Seconds one model call may take before it counts as failed (default 20).',
  VOUCH_HEALTH_FILE:
    'File the worker touches every few seconds while it polls Temporal; a health check tests its age. Unset: none.',
};

/**
 * Secrets that may also be given as `<NAME>_FILE`, the path of a file holding the value (Docker and
 * Kubernetes secrets are mounted as files, which keeps them out of `docker inspect` and the process
 * environment of everything else).
 */
export const SECRET_FILE_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'VOUCH_ENCRYPTION_KEY',
  'VOUCH_PREVIOUS_ENCRYPTION_KEYS',
  'VOUCH_CODEC_TOKEN',
  'VOUCH_WEBHOOK_SECRETS',
  'VOUCH_LLM_API_KEY',
  'MONGODB_URL',
] as const;

export interface Config {
  temporal: {
    address: string;
    addressIsExternal: boolean;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
  };
  mongo: { url: string; urlIsExternal: boolean; db: string };
  slack: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    botPort: number;
    securityChannel?: string;
    operators: string[];
  };
  /** Where employees' browsers reach the bot's enrollment pages. */
  publicUrl: string;
  encryptionKey?: Buffer;
  /** Keys that sealed Temporal payloads before a rotation: read, never written with. */
  previousEncryptionKeys: Buffer[];
  codec: { port: number; token?: string };
  policiesFile: string;
  escalation: { pagerDutyUrl: string; webhookSecrets: Readonly<Record<string, string>> };
  /** Hosts outbound calls may reach at internal addresses (activities/http-delivery.ts). */
  outboundAllowHosts: readonly string[];
  /** Hosts whose https alert links are shown live in Slack (activities/slack-messages.ts alertLink). */
  linkHosts: readonly string[];
  /** The language model of the AI interviewer; absent when VOUCH_LLM_URL is unset. */
  llm?: LlmConfig;
  logLevel: string;
  dataDir: string;
  cacheDir: string;
  embedded: { uiPort: number; mongoPort: number; temporalPort: number };
  /** Touched by the worker while it is healthy; absent when VOUCH_HEALTH_FILE is unset. */
  healthFile?: string;
  /** NODE_ENV=production: the containers and the chart set it. */
  production?: boolean;
}

export interface LlmConfig {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment (or the given map, for tests); throws ConfigError naming each bad variable. */
export function loadConfig(given: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const env = withSecretFiles(given);
  const parsed = envSchema
    .refine((e) => !e.VOUCH_LLM_URL || e.VOUCH_LLM_MODEL, {
      path: ['VOUCH_LLM_MODEL'],
      error: 'expected a model name when VOUCH_LLM_URL is set',
    })
    .safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const got = env[name];
      const shown = got === undefined ? 'it is unset' : isSecret(name) ? 'got a value' : `got "${got}"`;
      return `  - ${name}: ${issue.message} (${shown})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const embeddedMongoUrl = `mongodb://127.0.0.1:${e.VOUCH_EMBEDDED_MONGO_PORT}`;
  const config: Config = {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.VOUCH_EMBEDDED_TEMPORAL_PORT}`,
      addressIsExternal: e.TEMPORAL_ADDRESS !== undefined,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.VOUCH_TASK_QUEUE,
      uiUrl: (e.TEMPORAL_UI_URL ?? `http://localhost:${e.VOUCH_UI_PORT}`).replace(/\/+$/, ''),
    },
    mongo: {
      url: e.MONGODB_URL ?? embeddedMongoUrl,
      urlIsExternal: e.MONGODB_URL !== undefined,
      db: e.MONGODB_DB,
    },
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      botPort: e.BOT_PORT,
      securityChannel: e.VOUCH_SECURITY_CHANNEL,
      operators: e.VOUCH_OPERATORS,
    },
    publicUrl: (e.VOUCH_PUBLIC_URL ?? `http://localhost:${e.BOT_PORT}`).replace(/\/+$/, ''),
    encryptionKey: e.VOUCH_ENCRYPTION_KEY ? Buffer.from(e.VOUCH_ENCRYPTION_KEY, 'base64') : undefined,
    previousEncryptionKeys: e.VOUCH_PREVIOUS_ENCRYPTION_KEYS.map((k) => Buffer.from(k, 'base64')),
    codec: { port: e.VOUCH_CODEC_PORT, token: e.VOUCH_CODEC_TOKEN },
    policiesFile: path.resolve(cwd, e.VOUCH_POLICIES_FILE),
    escalation: {
      pagerDutyUrl: e.VOUCH_PAGERDUTY_URL.replace(/\/+$/, ''),
      webhookSecrets: Object.fromEntries(
        e.VOUCH_WEBHOOK_SECRETS.map((pair) => [
          pair.slice(0, pair.indexOf('=')),
          pair.slice(pair.indexOf('=') + 1),
        ]),
      ),
    },
    outboundAllowHosts: e.VOUCH_OUTBOUND_ALLOW_HOSTS.map((h) => h.toLowerCase()),
    linkHosts: e.VOUCH_LINK_HOSTS.map((h) => h.toLowerCase()),
    llm:
      e.VOUCH_LLM_URL && e.VOUCH_LLM_MODEL
        ? {
            url: e.VOUCH_LLM_URL.replace(/\/+$/, ''),
            model: e.VOUCH_LLM_MODEL,
            apiKey: e.VOUCH_LLM_API_KEY,
            timeoutMs: Math.round(e.VOUCH_LLM_TIMEOUT * 1000),
          }
        : undefined,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(cwd, e.VOUCH_DATA_DIR ?? 'data'),
    cacheDir: path.resolve(
      e.VOUCH_CACHE_DIR ?? path.join(e.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vouch'),
    ),
    embedded: {
      uiPort: e.VOUCH_UI_PORT,
      mongoPort: e.VOUCH_EMBEDDED_MONGO_PORT,
      temporalPort: e.VOUCH_EMBEDDED_TEMPORAL_PORT,
    },
    healthFile: e.VOUCH_HEALTH_FILE ? path.resolve(cwd, e.VOUCH_HEALTH_FILE) : undefined,
    production: e.NODE_ENV === 'production',
  };
  return deepFreeze(config);
}

/** The environment with each `<NAME>_FILE` of a secret replaced by `<NAME>` set to the file's content. */
function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    delete resolved[`${name}_FILE`];
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`  - ${name}_FILE: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      // A trailing newline is what `echo` and editors leave; it is never part of a secret.
      resolved[name] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      problems.push(`  - ${name}_FILE: cannot read "${file}" (${reason}); mount the secret file there`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return resolved;
}

/** Warnings for a production process whose links (those of `variables`) would point at localhost. */
export function productionWarnings(
  config: Config,
  variables: ReadonlyArray<'VOUCH_PUBLIC_URL' | 'TEMPORAL_UI_URL'> = ['VOUCH_PUBLIC_URL', 'TEMPORAL_UI_URL'],
): string[] {
  if (!config.production) return [];
  const local = (url: string) =>
    /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i.test(new URL(url).hostname);
  const consequences = {
    VOUCH_PUBLIC_URL: {
      url: config.publicUrl,
      why: "employees' enrollment links will not open from their devices; set it to the bot's public https URL",
    },
    TEMPORAL_UI_URL: {
      url: config.temporal.uiUrl,
      why: "links in reports and escalations will not open for operators; set it to the Web UI's URL",
    },
  };
  return variables
    .filter((name) => local(consequences[name].url))
    .map((name) => `${name} is ${consequences[name].url}: ${consequences[name].why}`);
}

/** What is missing before Vouch can talk to Slack; empty when the bot can start. */
export function missingForSlack(config: Config): string[] {
  const missing: string[] = [];
  if (!config.slack.botToken) missing.push('SLACK_BOT_TOKEN (the bot token, xoxb-…)');
  if (!config.slack.appToken && !config.slack.signingSecret)
    missing.push('SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)');
  return missing;
}

/** The environment for a child process: this one's, plus overrides (the only other env access). */
export function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

function isLocalhost(hostname: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(hostname.toLowerCase());
}

function isSecret(name: string): boolean {
  return /TOKEN|SECRET|KEY|URL/.test(name);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
