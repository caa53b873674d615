import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../shared/constants';
import { HTTPS_OR_LOCALHOST_ERROR, httpsOrLocalhost } from '../shared/outbound-url';

/**
 * The one reader of the environment. Every variable Vouch understands is declared once, in
 * `CONFIG_VARIABLES` (schema, default, secret or not, one line of documentation); the environment is
 * parsed against it once at start and frozen, and `npm run docs:config` writes the README's table from
 * it. A missing or malformed value stops the process with a message that names the variable and what
 * it expects.
 */

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int({ error: 'expected a whole port number' })
  .min(1, { error: 'expected a port number from 1 to 65535' })
  .max(65535, { error: 'expected a port number from 1 to 65535' });

/** Optional free text; blank counts as unset. */
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
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(item, { error: `expected comma-separated ${what}` })));

const url = (error: string) => z.url({ error });

export interface VariableDeclaration {
  /** Validates the raw value (the default when unset) and turns it into what the code uses. */
  readonly schema: z.ZodType;
  /** The value used when the variable is unset; the README shows it as the default. */
  readonly default?: string | number;
  /** What happens when it is unset, where the code derives the value instead of one default. */
  readonly unset?: string;
  /** May be given as `<NAME>_FILE` instead, the path of a file holding it; never shown in an error. */
  readonly secret?: true;
  /** Never shown in an error though not a secret: a URL may carry credentials. */
  readonly hidden?: true;
  /** Its line in the README. */
  readonly doc: string;
}

/** Every variable Vouch reads, each declared once. */
export const CONFIG_VARIABLES = {
  TEMPORAL_ADDRESS: {
    schema: hostPort.optional(),
    unset: '`npm start` runs an embedded dev server at `127.0.0.1:VOUCH_EMBEDDED_TEMPORAL_PORT`',
    doc: 'Temporal frontend host:port.',
  },
  TEMPORAL_NAMESPACE: {
    schema: z.string().min(1),
    default: DEFAULT_NAMESPACE,
    doc: 'Temporal namespace.',
  },
  VOUCH_TASK_QUEUE: {
    schema: z.string().min(1),
    default: DEFAULT_TASK_QUEUE,
    doc: 'Task queue of the interview workflows.',
  },
  TEMPORAL_UI_URL: {
    schema: url('expected a URL such as "http://localhost:8233"').optional(),
    unset: '`http://localhost:VOUCH_UI_PORT`',
    hidden: true,
    doc: 'Base URL of the Temporal Web UI, used for links in reports.',
  },
  MONGODB_URL: {
    schema: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, { error: 'expected a MongoDB connection string "mongodb://host:port"' })
      .optional(),
    unset: '`npm start` runs embedded FerretDB at `127.0.0.1:VOUCH_EMBEDDED_MONGO_PORT`',
    secret: true,
    doc: 'MongoDB connection string (it may hold a password).',
  },
  MONGODB_DB: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'expected a database name of letters, digits, _ or -' }),
    default: 'vouch',
    doc: 'Database name.',
  },
  SLACK_BOT_TOKEN: {
    schema: optionalText.pipe(
      z.string().startsWith('xoxb-', { error: 'expected a bot token starting with "xoxb-"' }).optional(),
    ),
    secret: true,
    doc: 'Bot token (`xoxb-…`). Without it Vouch starts but cannot message anyone.',
  },
  SLACK_SIGNING_SECRET: {
    schema: optionalText,
    secret: true,
    doc: 'Signing secret; mandatory for the HTTP receiver (every request is verified).',
  },
  SLACK_APP_TOKEN: {
    schema: optionalText.pipe(
      z
        .string()
        .startsWith('xapp-', { error: 'expected an app-level token starting with "xapp-"' })
        .optional(),
    ),
    secret: true,
    doc: 'App-level token (`xapp-…`); when set the bot uses Socket Mode instead of HTTP.',
  },
  SLACK_API_URL: {
    schema: url('expected the Slack Web API base URL, e.g. "https://slack.com/api/"'),
    default: 'https://slack.com/api/',
    hidden: true,
    doc: 'Slack Web API base URL (GovSlack or a test stand-in).',
  },
  VOUCH_SLACK_RATE_SHARE: {
    schema: z.coerce
      .number({ error: 'expected a number from 0 to 1, e.g. 0.5 for two workers' })
      .gt(0, { error: 'expected a number greater than 0 and at most 1, e.g. 0.5 for two workers' })
      .max(1, { error: 'expected a number greater than 0 and at most 1, e.g. 0.5 for two workers' }),
    default: 1,
    doc: "This worker's share of Slack's per-method rate limits: 1 for one worker, 0.5 each for two.",
  },
  VOUCH_SLACK_BUDGET_SCALE: {
    schema: z.coerce
      .number({ error: "expected a positive number, e.g. 1 for Slack's published limits" })
      .positive({ error: "expected a positive number, e.g. 1 for Slack's published limits" }),
    default: 1,
    doc: "Multiplies the Slack limits the worker keeps to (1: Slack's floors); more if Slack granted it, or for a stand-in.",
  },
  VOUCH_SLACK_ACTIVITIES_PER_SECOND: {
    schema: z.coerce
      .number({ error: 'expected a number of Slack steps per second, e.g. 10' })
      .positive({ error: 'expected a positive number of Slack steps per second, e.g. 10' }),
    default: 10,
    doc: 'Slack steps (DMs, reminders, posts, updates) started per second across all workers: the task queue `<VOUCH_TASK_QUEUE>-slack` is held to it by Temporal.',
  },
  VOUCH_MAX_CACHED_WORKFLOWS: {
    schema: z.coerce
      .number({ error: 'expected a number of interviews, e.g. 200' })
      .int({ error: 'expected a whole number of interviews, e.g. 200' })
      .min(2, { error: 'expected at least 2 interviews' }),
    // Measured (README "Benchmark"): about 1.7 MiB each; the SDK's own default (600 per GiB of heap) passes 1 GB at about 300.
    default: 200,
    doc: "Interviews the worker keeps in memory between their steps (Temporal's sticky cache); one not kept replays its history at its next step.",
  },
  BOT_PORT: {
    schema: port,
    default: 3000,
    doc: 'Port of the HTTP receiver, `POST /slack/events`.',
  },
  VOUCH_PUBLIC_URL: {
    schema: url('expected the https URL where employees reach the bot, e.g. "https://vouch.example.com"')
      .refine((u) => new URL(u).protocol === 'https:' || isLocalhost(new URL(u).hostname), {
        // The enrollment page shows a TOTP secret: it must never travel in clear text.
        error: 'expected an https URL (plain http only for localhost), e.g. "https://vouch.example.com"',
      })
      .optional(),
    unset: '`http://localhost:BOT_PORT`',
    hidden: true,
    doc: 'Base URL where employees open `/vouch enroll` links (the bot serves `/enroll/…`).',
  },
  VOUCH_SMTP_URL: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^smtps?:\/\/[^\s/]+/, {
          error:
            'expected an SMTP URL such as "smtps://user:password@smtp.example.com:465" or "smtp://127.0.0.1:2525"',
        })
        .optional(),
    ),
    secret: true,
    doc: 'SMTP server for the email channel (nodemailer URL; it may hold a password). Without it, policies that list `email` pass over that channel.',
  },
  VOUCH_MAIL_FROM: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^([^<>@\s][^<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, {
          error: 'expected a sender address such as "Vouch <vouch@example.com>" or "vouch@example.com"',
        })
        .optional(),
    ),
    unset: 'mandatory when `VOUCH_SMTP_URL` is set',
    doc: "Sender of the email channel's messages.",
  },
  VOUCH_TEAMS_APP_ID: {
    schema: optionalText.pipe(
      z.guid({ error: "expected the Teams bot's Microsoft App ID, a GUID" }).optional(),
    ),
    doc: "Microsoft App ID of the Teams bot (its Entra app registration's client id). Without it, policies that list `teams` pass over that channel.",
  },
  VOUCH_TEAMS_APP_PASSWORD: {
    schema: optionalText,
    unset: 'mandatory when `VOUCH_TEAMS_APP_ID` is set',
    secret: true,
    doc: "Client secret of the Teams bot's app registration.",
  },
  VOUCH_TEAMS_TENANT_ID: {
    schema: optionalText.pipe(z.guid({ error: 'expected the Microsoft Entra tenant id, a GUID' }).optional()),
    unset: 'mandatory when `VOUCH_TEAMS_APP_ID` is set',
    doc: 'Entra tenant of the bot (single-tenant app registration): its tokens, and the tenant of the 1:1 chats it opens.',
  },
  VOUCH_TEAMS_OPERATORS_CONVERSATION: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^19:[^\s]+$/, {
          error: 'expected a Teams channel\'s conversation id such as "19:abc123@thread.tacv2"',
        })
        .optional(),
    ),
    doc: 'Teams channel where escalations are posted (its conversation id, `19:…@thread.tacv2`); the bot must be installed in its team.',
  },
  VOUCH_TEAMS_OPERATORS: {
    schema: commaList(
      /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      'Microsoft Entra object ids (GUIDs)',
    ),
    default: '',
    doc: "Comma-separated Entra object ids of the operators who may act on the Teams channel's posts (close an escalation).",
  },
  VOUCH_TEAMS_PORT: {
    schema: port,
    default: 3978,
    doc: "Port of the Teams bot's messaging endpoint (`POST /api/messages`).",
  },
  VOUCH_TEAMS_SERVICE_URL: {
    schema: url(
      'expected the Bot Connector service URL, e.g. "https://smba.trafficmanager.net/teams/"',
    ).refine(httpsOrLocalhost, { error: HTTPS_OR_LOCALHOST_ERROR }),
    default: 'https://smba.trafficmanager.net/teams/',
    doc: "Bot Connector service that proactive messages go through (the public cloud's; tests point it at a stand-in).",
  },
  VOUCH_TEAMS_OPENID_URL: {
    schema: url('expected the URL of the Bot Framework OpenID metadata').refine(httpsOrLocalhost, {
      error: HTTPS_OR_LOCALHOST_ERROR,
    }),
    default: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
    doc: "OpenID metadata whose issuer and keys every inbound Teams activity's token is checked against.",
  },
  VOUCH_TEAMS_TOKEN_URL: {
    schema: url('expected the OAuth 2.0 token endpoint of the tenant')
      .refine(httpsOrLocalhost, {
        error: HTTPS_OR_LOCALHOST_ERROR,
      })
      .optional(),
    unset: '`https://login.microsoftonline.com/<VOUCH_TEAMS_TENANT_ID>/oauth2/v2.0/token`',
    doc: 'Where the bot gets its Bot Connector (and Microsoft Graph) tokens (client credentials).',
  },
  VOUCH_GRAPH_LOOKUP: {
    schema: z.enum(['true', 'false'], { error: 'expected true or false' }).transform((v) => v === 'true'),
    default: 'false',
    doc: "`true`: Teams interviews look up in Microsoft Graph (by email or UPN) employees the directory gives no Entra object id. Needs `VOUCH_TEAMS_APP_ID` and Graph's `User.Read.All`.",
  },
  VOUCH_GRAPH_URL: {
    schema: url('expected the Microsoft Graph base URL, e.g. "https://graph.microsoft.com"').refine(
      httpsOrLocalhost,
      { error: HTTPS_OR_LOCALHOST_ERROR },
    ),
    default: 'https://graph.microsoft.com',
    doc: "Microsoft Graph base URL (a national cloud's, such as `https://graph.microsoft.us`, or a test stand-in); its tokens are asked for `<its origin>/.default`.",
  },
  VOUCH_SECURITY_CHANNEL: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^[CG][A-Z0-9]{2,}$/, { error: 'expected a Slack channel id such as "C0123ABCD"' })
        .optional(),
    ),
    doc: 'Channel id where escalations and approval requests are posted.',
  },
  VOUCH_OPERATORS: {
    schema: commaList(/^([UW][A-Z0-9]{2,}|S[A-Z0-9]{2,})$/, 'Slack user ids (U…) or user group ids (S…)'),
    default: '',
    doc: 'Comma-separated Slack user ids (U…) or user group ids (S…) allowed to approve or close.',
  },
  VOUCH_ENCRYPTION_KEY: {
    schema: optionalText.pipe(encryptionKey.optional()),
    unset: 'none; `npm start` makes one in the data folder',
    secret: true,
    doc: '32 bytes, base64: encrypts second-factor secrets at rest and every payload Vouch writes to Temporal.',
  },
  VOUCH_PREVIOUS_ENCRYPTION_KEYS: {
    schema: commaList(
      /^[A-Za-z0-9+/]{43}=$/,
      'keys of 32 bytes in base64 (the keys VOUCH_ENCRYPTION_KEY held before)',
    ),
    default: '',
    secret: true,
    doc: 'Comma-separated keys VOUCH_ENCRYPTION_KEY held before a rotation: Temporal payloads sealed under them stay readable while listed.',
  },
  VOUCH_INTAKE_PORT: {
    schema: port,
    default: 8088,
    doc: 'Port of the HTTP intake (`POST /v1/alerts`, `POST /v1/sources/<name>`).',
  },
  VOUCH_INTAKE_HOST: {
    schema: z.string().trim().min(1, { error: 'expected an address to listen on, e.g. "0.0.0.0"' }),
    default: '127.0.0.1',
    doc: 'Address the HTTP intake listens on: loopback unless your SIEM reaches it from elsewhere (e.g. `0.0.0.0` behind TLS).',
  },
  VOUCH_INTAKE_BODY_LIMIT: {
    schema: z.coerce
      .number({ error: 'expected a number of bytes, e.g. 262144' })
      .int({ error: 'expected a whole number of bytes, e.g. 262144' })
      .min(1024, { error: 'expected at least 1024 bytes' })
      .max(10 * 1024 * 1024, { error: 'expected at most 10485760 bytes (10 MiB)' }),
    default: 262144,
    doc: 'Largest request body the intake accepts, in bytes; larger ones get 413.',
  },
  VOUCH_INTAKE_RATE: {
    schema: z.coerce
      .number({ error: 'expected alerts per second, e.g. 50' })
      .positive({ error: 'expected a positive number of alerts per second, e.g. 50' }),
    default: 50,
    doc: "Alerts a second each source may send (a burst of four seconds' worth is allowed); over it, 429 with Retry-After. `vouch source add --rate` sets one source's own.",
  },
  VOUCH_CODEC_PORT: {
    schema: port,
    default: 8234,
    doc: 'Port of the codec server that decrypts payloads for the Temporal Web UI, `POST /decode` and `/encode`.',
  },
  VOUCH_CODEC_TOKEN: {
    schema: optionalText.pipe(
      z
        .string()
        .min(32, { error: 'expected at least 32 characters (make one with: openssl rand -hex 32)' })
        .optional(),
    ),
    unset: 'none; `npm start` makes one in the data folder',
    secret: true,
    doc: 'Operator credential of the codec server (at least 32 characters).',
  },
  VOUCH_POLICIES_FILE: {
    schema: z.string().min(1),
    default: 'policies.yml',
    doc: 'Policies seeded into MongoDB when the worker starts, if the file exists.',
  },
  VOUCH_SOURCES_FILE: {
    schema: z.string().min(1),
    default: 'sources.yml',
    doc: 'Source mappings: how each SIEM\'s own webhook body becomes an alert (README, "Source mappings"); a missing file maps no sources.',
  },
  VOUCH_SOURCE_SECRETS: {
    schema: commaList(
      /^[A-Za-z0-9_.-]{1,64}=\S{16,}$/,
      'name=secret pairs, each secret at least 16 characters',
    ),
    default: '',
    secret: true,
    doc: "Comma-separated `name=secret` pairs; a source's `signature.secret` in the sources file names the one its webhooks are signed with.",
  },
  VOUCH_PAGERDUTY_URL: {
    schema: url('expected the PagerDuty Events API base URL, e.g. "https://events.pagerduty.com"'),
    default: 'https://events.pagerduty.com',
    hidden: true,
    doc: 'PagerDuty Events API v2 base URL.',
  },
  VOUCH_WEBHOOK_SECRETS: {
    schema: commaList(
      /^[A-Za-z0-9_.-]{1,64}=\S{16,}$/,
      'name=secret pairs, each secret at least 16 characters',
    ),
    default: '',
    secret: true,
    doc: "Comma-separated `name=secret` pairs; a policy's `escalation.webhook.secret` names the one that signs its webhook.",
  },
  VOUCH_VERDICT_WEBHOOKS: {
    schema: commaList(/^[A-Za-z0-9_.-]{1,64}=https?:\/\/\S+$/, 'name=URL pairs (http or https URLs)'),
    default: '',
    hidden: true,
    doc: "Comma-separated `name=URL` pairs: every alert's verdict is POSTed to each as a signed CloudEvent; `VOUCH_VERDICT_SECRETS` must hold a secret of the same name.",
  },
  VOUCH_VERDICT_SECRETS: {
    schema: commaList(
      /^[A-Za-z0-9_.-]{1,64}=whsec_[A-Za-z0-9+/]{32,}={0,2}$/,
      'name=whsec_<base64> pairs of at least 24 random bytes (make one with: echo whsec_$(openssl rand -base64 32))',
    ),
    default: '',
    secret: true,
    doc: "Comma-separated `name=whsec_…` Standard Webhooks secrets that sign verdicts: one per `VOUCH_VERDICT_WEBHOOKS` name, and those a policy's `verdicts[].secretName` names.",
  },
  VOUCH_SPLUNK_HEC_URL: {
    schema: optionalText.pipe(
      url('expected the base URL of a Splunk HTTP Event Collector, e.g. "https://splunk.example.com:8088"')
        .refine(httpsOrLocalhost, { error: HTTPS_OR_LOCALHOST_ERROR })
        .optional(),
    ),
    unset: 'none: verdicts go to no Splunk',
    hidden: true,
    doc: 'Splunk HTTP Event Collector base URL: every verdict is sent to `<url>/services/collector/event`.',
  },
  VOUCH_SPLUNK_HEC_TOKEN: {
    schema: optionalText,
    secret: true,
    doc: 'The HEC token (`Authorization: Splunk <token>`); required with `VOUCH_SPLUNK_HEC_URL`.',
  },
  VOUCH_OUTBOUND_ALLOW_HOSTS: {
    schema: commaList(/^[A-Za-z0-9.:_-]{1,253}$/, 'host names or IP addresses (no scheme, no port)'),
    default: '',
    doc: 'Comma-separated hosts that PagerDuty and webhook calls may reach although they resolve to loopback, private or link-local addresses (an internal SOAR).',
  },
  VOUCH_LINK_HOSTS: {
    schema: commaList(/^[A-Za-z0-9.-]{1,253}$/, 'host names (no scheme, no port)'),
    default: '',
    doc: 'Comma-separated hosts of alert sources whose `https` links Slack messages show as live links; any other alert `url` is shown defanged.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    }),
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent.',
  },
  VOUCH_DATA_DIR: {
    schema: z.string().min(1),
    default: './data',
    doc: 'Where `npm start` keeps embedded Temporal and FerretDB data (PostgreSQL or SQLite).',
  },
  VOUCH_CACHE_DIR: {
    schema: z.string().min(1).optional(),
    unset: '`$XDG_CACHE_HOME/vouch` or `~/.cache/vouch`',
    doc: 'Where provisioned server binaries are cached.',
  },
  VOUCH_CHROMIUM: {
    schema: z.string().min(1).optional(),
    unset: "`chromium` or `chromium-browser` on the PATH; as root, `npm test` installs Debian's `chromium`",
    doc: 'Chromium binary the browser tests drive (puppeteer-core); only the tests use it.',
  },
  VOUCH_UI_PORT: {
    schema: port,
    default: 8233,
    doc: 'Port of the embedded Temporal Web UI.',
  },
  VOUCH_EMBEDDED_MONGO_PORT: {
    schema: port,
    default: 27017,
    doc: 'Port of the embedded FerretDB.',
  },
  VOUCH_EMBEDDED_MONGO_BACKEND: {
    schema: z.enum(['postgresql', 'sqlite'], { error: 'expected postgresql or sqlite' }).optional(),
    unset:
      '`postgresql`, or `sqlite` when the data folder already holds SQLite data (`ferretdb/`, as every folder made before PostgreSQL became the default does)',
    doc: 'Where the embedded FerretDB keeps its data: an embedded PostgreSQL (`postgresql/` in the data folder; much faster under load) or SQLite files (`ferretdb/`).',
  },
  VOUCH_EMBEDDED_POSTGRES_PORT: {
    schema: port,
    default: 5433,
    doc: 'Port of the embedded PostgreSQL (loopback only), when FerretDB keeps its data there.',
  },
  VOUCH_EMBEDDED_TEMPORAL_PORT: {
    schema: port,
    default: 7233,
    doc: 'gRPC port of the embedded Temporal dev server.',
  },
  VOUCH_LLM_URL: {
    schema: optionalText.pipe(
      z
        .url({
          protocol: /^https?$/,
          error: 'expected the base URL of an OpenAI-compatible API, e.g. "https://api.openai.com/v1"',
        })
        .optional(),
    ),
    unset: 'none: follow-ups use scripted questions and no summary is written',
    hidden: true,
    doc: 'Base URL of an OpenAI-compatible chat-completions API (e.g. `https://api.openai.com/v1`).',
  },
  VOUCH_LLM_MODEL: {
    schema: optionalText,
    doc: 'Model name sent to that API; required when `VOUCH_LLM_URL` is set.',
  },
  VOUCH_LLM_API_KEY: {
    schema: optionalText,
    secret: true,
    doc: 'Bearer key for that API (a secret: never logged nor stored); optional for local servers.',
  },
  VOUCH_LLM_TIMEOUT: {
    schema: z.coerce
      .number({ error: 'expected a number of seconds' })
      .positive({ error: 'expected a positive number of seconds' })
      .max(300, { error: 'expected at most 300 seconds' }),
    default: 20,
    doc: 'Seconds one model call may take before it counts as failed.',
  },
  VOUCH_HEALTH_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'File the worker touches every few seconds while it polls Temporal; a health check tests its age.',
  },
  XDG_CACHE_HOME: {
    schema: z.string().optional(),
    unset: '`~/.cache`',
    doc: 'The usual base of caches; `VOUCH_CACHE_DIR` defaults to a folder in it.',
  },
  NODE_ENV: {
    schema: z.string().optional(),
    doc: '`production` (the image sets it): the worker and the bot warn at start when `VOUCH_PUBLIC_URL` or `TEMPORAL_UI_URL` points at localhost.',
  },
} satisfies Record<string, VariableDeclaration>;

type Declared = typeof CONFIG_VARIABLES;
export type VariableName = keyof Declared;
type SecretName = { [K in VariableName]: Declared[K] extends { secret: true } ? K : never }[VariableName];

/** The declarations, seen through their common type. */
export const declarations: Readonly<Record<VariableName, VariableDeclaration>> = CONFIG_VARIABLES;
const names = Object.keys(CONFIG_VARIABLES) as VariableName[];

/**
 * Secrets, which may also be given as `<NAME>_FILE` (Docker and Kubernetes mount secrets as files,
 * which keeps them out of `docker inspect` and the process environment of everything else).
 */
export const SECRET_FILE_VARIABLES = names.filter((n): n is SecretName => declarations[n].secret === true);

const envSchema = z
  .object(
    Object.fromEntries(names.map((n) => [n, declarations[n].schema])) as {
      [K in VariableName]: Declared[K]['schema'];
    },
  )
  .refine((e) => !e.VOUCH_LLM_URL || e.VOUCH_LLM_MODEL, {
    path: ['VOUCH_LLM_MODEL'],
    error: 'expected a model name when VOUCH_LLM_URL is set',
  })
  .superRefine((e, ctx) => {
    const secrets = new Set(e.VOUCH_VERDICT_SECRETS.map((pair) => pair.slice(0, pair.indexOf('='))));
    for (const [name, target] of e.VOUCH_VERDICT_WEBHOOKS.map(splitPair)) {
      if (!URL.canParse(target) || !httpsOrLocalhost(target))
        ctx.addIssue({
          code: 'custom',
          path: ['VOUCH_VERDICT_WEBHOOKS'],
          message: `${name}: ${HTTPS_OR_LOCALHOST_ERROR}`,
        });
      if (!secrets.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['VOUCH_VERDICT_SECRETS'],
          message: `expected a secret named "${name}" for VOUCH_VERDICT_WEBHOOKS' ${name} (add ${name}=whsec_…)`,
        });
    }
    if (Boolean(e.VOUCH_SPLUNK_HEC_URL) !== Boolean(e.VOUCH_SPLUNK_HEC_TOKEN))
      ctx.addIssue({
        code: 'custom',
        path: [e.VOUCH_SPLUNK_HEC_URL ? 'VOUCH_SPLUNK_HEC_TOKEN' : 'VOUCH_SPLUNK_HEC_URL'],
        message: 'expected VOUCH_SPLUNK_HEC_URL and VOUCH_SPLUNK_HEC_TOKEN together (or neither)',
      });
    if (e.VOUCH_TEAMS_APP_ID)
      for (const name of ['VOUCH_TEAMS_APP_PASSWORD', 'VOUCH_TEAMS_TENANT_ID'] as const)
        if (!e[name])
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `expected ${name} when VOUCH_TEAMS_APP_ID is set (README "Connect Vouch to Teams")`,
          });
    if (e.VOUCH_GRAPH_LOOKUP && !e.VOUCH_TEAMS_APP_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['VOUCH_GRAPH_LOOKUP'],
        message:
          'expected VOUCH_TEAMS_APP_ID with VOUCH_GRAPH_LOOKUP=true: Graph is asked with the Teams app registration (README "Connect Vouch to Teams")',
      });
    if (e.VOUCH_SMTP_URL && !e.VOUCH_MAIL_FROM)
      ctx.addIssue({
        code: 'custom',
        path: ['VOUCH_MAIL_FROM'],
        message:
          'expected the sender of the email channel when VOUCH_SMTP_URL is set, e.g. "Vouch <vouch@example.com>"',
      });
  });

type Env = z.output<typeof envSchema>;

export type Config = ReturnType<typeof configFrom>;

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
  const withDefaults = Object.fromEntries(names.map((n) => [n, env[n] ?? rawDefault(declarations[n])]));
  const parsed = envSchema.safeParse(withDefaults);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const got = env[name];
      const declaration = declarations[name as VariableName] as VariableDeclaration | undefined;
      const shown =
        got === undefined
          ? 'it is unset'
          : declaration?.secret || declaration?.hidden
            ? 'got a value'
            : `got "${got}"`;
      return `  - ${name}: ${issue.message} (${shown})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze(configFrom(parsed.data, cwd));
}

/** A declaration's default as the environment would hold it. */
export function rawDefault(declaration: VariableDeclaration): string | undefined {
  return declaration.default === undefined ? undefined : String(declaration.default);
}

/** The settings the code uses, from the parsed variables: its return type is `Config`. */
function configFrom(e: Env, cwd: string) {
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.VOUCH_EMBEDDED_TEMPORAL_PORT}`,
      addressIsExternal: e.TEMPORAL_ADDRESS !== undefined,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.VOUCH_TASK_QUEUE,
      uiUrl: withoutTrailingSlash(e.TEMPORAL_UI_URL ?? `http://localhost:${e.VOUCH_UI_PORT}`),
    },
    mongo: {
      url: e.MONGODB_URL ?? `mongodb://127.0.0.1:${e.VOUCH_EMBEDDED_MONGO_PORT}`,
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
      rateShare: e.VOUCH_SLACK_RATE_SHARE,
      budgetScale: e.VOUCH_SLACK_BUDGET_SCALE,
      activitiesPerSecond: e.VOUCH_SLACK_ACTIVITIES_PER_SECOND,
    },
    /** The interview worker's sticky cache. */
    maxCachedWorkflows: e.VOUCH_MAX_CACHED_WORKFLOWS,
    /** The email channel; absent when VOUCH_SMTP_URL is unset. */
    mail: e.VOUCH_SMTP_URL ? { smtpUrl: e.VOUCH_SMTP_URL, from: e.VOUCH_MAIL_FROM! } : undefined,
    /** The Teams channel; absent when VOUCH_TEAMS_APP_ID is unset. */
    teams: teamsFrom(e),
    /** Where employees' browsers reach the bot's enrollment and answer pages. */
    publicUrl: withoutTrailingSlash(e.VOUCH_PUBLIC_URL ?? `http://localhost:${e.BOT_PORT}`),
    encryptionKey: e.VOUCH_ENCRYPTION_KEY ? Buffer.from(e.VOUCH_ENCRYPTION_KEY, 'base64') : undefined,
    /** Keys that sealed Temporal payloads before a rotation: read, never written with. */
    previousEncryptionKeys: e.VOUCH_PREVIOUS_ENCRYPTION_KEYS.map((k) => Buffer.from(k, 'base64')),
    codec: { port: e.VOUCH_CODEC_PORT, token: e.VOUCH_CODEC_TOKEN },
    intake: {
      port: e.VOUCH_INTAKE_PORT,
      host: e.VOUCH_INTAKE_HOST,
      bodyLimit: e.VOUCH_INTAKE_BODY_LIMIT,
      ratePerSecond: e.VOUCH_INTAKE_RATE,
    },
    policiesFile: path.resolve(cwd, e.VOUCH_POLICIES_FILE),
    /** intake/source-mapping.ts loadSourceMappings reads it. */
    sourcesFile: path.resolve(cwd, e.VOUCH_SOURCES_FILE),
    /** Keys of the webhook signatures sources declare (intake/source-signature.ts). */
    sourceSecrets: Object.fromEntries(e.VOUCH_SOURCE_SECRETS.map(splitPair)),
    escalation: {
      pagerDutyUrl: withoutTrailingSlash(e.VOUCH_PAGERDUTY_URL),
      webhookSecrets: Object.fromEntries(e.VOUCH_WEBHOOK_SECRETS.map(splitPair)),
    },
    /** Where every verdict goes besides a policy's own `verdicts` (activities/verdicts.ts). */
    verdicts: verdictsFrom(e),
    /** Hosts outbound calls may reach at internal addresses (activities/http-delivery.ts). */
    outboundAllowHosts: lowerCase(e.VOUCH_OUTBOUND_ALLOW_HOSTS),
    /** Hosts whose https alert links are shown live in Slack (slack-blocks/alert-summary.ts alertLink). */
    linkHosts: lowerCase(e.VOUCH_LINK_HOSTS),
    /** The language model of the AI interviewer; absent when VOUCH_LLM_URL is unset. */
    llm: llmFrom(e),
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(cwd, e.VOUCH_DATA_DIR),
    cacheDir: path.resolve(
      e.VOUCH_CACHE_DIR ?? path.join(e.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vouch'),
    ),
    /** The browser tests' Chromium (infra/browser.ts); unset: found on the PATH or installed. */
    chromium: e.VOUCH_CHROMIUM,
    embedded: {
      uiPort: e.VOUCH_UI_PORT,
      mongoPort: e.VOUCH_EMBEDDED_MONGO_PORT,
      /** Unset: `npm start` decides from the data folder (infra/embedded-mongo.ts). */
      mongoBackend: e.VOUCH_EMBEDDED_MONGO_BACKEND,
      postgresPort: e.VOUCH_EMBEDDED_POSTGRES_PORT,
      temporalPort: e.VOUCH_EMBEDDED_TEMPORAL_PORT,
    },
    /** Touched by the worker while it is healthy; absent when VOUCH_HEALTH_FILE is unset. */
    healthFile: e.VOUCH_HEALTH_FILE ? path.resolve(cwd, e.VOUCH_HEALTH_FILE) : undefined,
    /** NODE_ENV=production: the containers and the chart set it. */
    production: e.NODE_ENV === 'production',
  };
}

export interface VerdictConfig {
  webhooks: readonly { name: string; url: string }[];
  /** Standard Webhooks secrets (`whsec_…`) by name. */
  secrets: Readonly<Record<string, string>>;
  splunk?: { url: string; token: string };
}

function verdictsFrom(e: Env): VerdictConfig {
  return {
    webhooks: e.VOUCH_VERDICT_WEBHOOKS.map(splitPair).map(([name, target]) => ({ name, url: target })),
    secrets: Object.fromEntries(e.VOUCH_VERDICT_SECRETS.map(splitPair)),
    ...(e.VOUCH_SPLUNK_HEC_URL && e.VOUCH_SPLUNK_HEC_TOKEN
      ? { splunk: { url: withoutTrailingSlash(e.VOUCH_SPLUNK_HEC_URL), token: e.VOUCH_SPLUNK_HEC_TOKEN } }
      : {}),
  };
}

/** `name=value` as [name, value] (the value may hold `=`). */
function splitPair(pair: string): [string, string] {
  return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
}

function llmFrom(e: Env): LlmConfig | undefined {
  if (!e.VOUCH_LLM_URL || !e.VOUCH_LLM_MODEL) return undefined;
  return {
    url: withoutTrailingSlash(e.VOUCH_LLM_URL),
    model: e.VOUCH_LLM_MODEL,
    apiKey: e.VOUCH_LLM_API_KEY,
    timeoutMs: Math.round(e.VOUCH_LLM_TIMEOUT * 1000),
  };
}

const withoutTrailingSlash = (u: string) => u.replace(/\/+$/, '');
const lowerCase = (hosts: string[]): readonly string[] => hosts.map((h) => h.toLowerCase());

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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export type TeamsConfig = NonNullable<ReturnType<typeof teamsFrom>>;

function teamsFrom(e: Env) {
  if (!e.VOUCH_TEAMS_APP_ID) return undefined;
  const tenantId = e.VOUCH_TEAMS_TENANT_ID!;
  return {
    appId: e.VOUCH_TEAMS_APP_ID,
    appPassword: e.VOUCH_TEAMS_APP_PASSWORD!,
    tenantId,
    operatorsConversation: e.VOUCH_TEAMS_OPERATORS_CONVERSATION,
    operators: e.VOUCH_TEAMS_OPERATORS.map((id) => id.toLowerCase()),
    port: e.VOUCH_TEAMS_PORT,
    serviceUrl: e.VOUCH_TEAMS_SERVICE_URL.endsWith('/')
      ? e.VOUCH_TEAMS_SERVICE_URL
      : `${e.VOUCH_TEAMS_SERVICE_URL}/`,
    openIdUrl: e.VOUCH_TEAMS_OPENID_URL,
    tokenUrl: e.VOUCH_TEAMS_TOKEN_URL ?? `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    /** Microsoft Graph's users, asked with the same app registration; absent unless VOUCH_GRAPH_LOOKUP. */
    graph: e.VOUCH_GRAPH_LOOKUP
      ? {
          url: withoutTrailingSlash(e.VOUCH_GRAPH_URL),
          scope: `${new URL(e.VOUCH_GRAPH_URL).origin}/.default`,
        }
      : undefined,
  };
}
