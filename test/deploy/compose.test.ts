import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, SECRET_FILE_VARIABLES, loadConfig } from '../../lib/config';
import { SEARCH_ATTRIBUTES } from '../../shared/constants';
import { heapLimitFlag } from '../../worker/heap';

/**
 * The production stack (docker-compose.yml + Dockerfile + .env.example) cannot run here: there is no
 * Docker engine. This checks everything that can be checked without one. Each check is a function of
 * the files' text returning a list of problems; the "fails on a broken stack" block feeds the checks
 * damaged copies of the real files, so a check that can no longer fail is noticed. When a compose
 * binary is installed (Debian's docker-compose 1.29, or Docker Compose v2), `config` validates and
 * interpolates the file as Compose itself does.
 */

const root = path.resolve(__dirname, '..', '..');

interface StackFiles {
  compose: string;
  envExample: string;
  dockerfile: string;
  dockerignore: string;
  caddyfile: string;
  mongoInit: string;
  readme: string;
}

const STACK_FILES: Record<keyof StackFiles, string> = {
  compose: 'docker-compose.yml',
  envExample: '.env.example',
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  caddyfile: 'deploy/Caddyfile',
  mongoInit: 'deploy/mongo-init/create-vouch-user.js',
  readme: 'README.md',
};

function realFiles(): StackFiles {
  const read = (name: string) => fs.readFileSync(path.join(root, name), 'utf8');
  const entries = Object.entries(STACK_FILES).map(([key, name]) => [key, read(name)]);
  return Object.fromEntries(entries) as unknown as StackFiles;
}

// ---------------------------------------------------------------------------------------------------
// Reading the files

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  env_file?: string | string[];
  depends_on?: string[] | Record<string, { condition?: string } | null>;
  healthcheck?: { test?: unknown; disable?: boolean };
  ports?: unknown[];
  expose?: unknown[];
  secrets?: Array<string | { source: string; target?: string }>;
  volumes?: unknown[];
  restart?: string;
}

function servicesOf(compose: string): Record<string, Service> {
  const doc = parse(compose, { merge: true }) as { services?: Record<string, Service> } | null;
  if (!doc?.services || typeof doc.services !== 'object')
    throw new Error('docker-compose.yml has no services');
  return doc.services;
}

function environmentOf(service: Service | undefined): Record<string, string> {
  const env = service?.environment;
  if (!env) return {};
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** depends_on as target -> condition (the short list form means service_started). */
function dependsOnOf(service: Service | undefined): Record<string, string> {
  const deps = service?.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([target, opts]) => [target, opts?.condition ?? 'service_started']),
  );
}

/** What the container runs, as one string: entrypoint followed by command. */
function scriptOf(service: Service | undefined): string {
  const parts = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return [...parts(service?.entrypoint), ...parts(service?.command)].join(' ');
}

function listOf(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `${NAME...}` and `$NAME` references that Compose interpolates, with the text after the name. */
function composeReferences(compose: string): Array<{ name: string; modifier: string }> {
  const text = compose
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\$\$/g, ''); // `$$` is an escaped dollar for the container's shell, not interpolation
  const refs: Array<{ name: string; modifier: string }> = [];
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g))
    refs.push({ name: m[1] ?? m[3] ?? '', modifier: m[2] ?? '' });
  return refs;
}

/** Variables .env.example sets (`NAME=value`) or documents as optional (`# NAME=value`). */
function envExampleEntries(text: string): Map<string, { active: boolean; value: string }> {
  const entries = new Map<string, { active: boolean; value: string }>();
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m?.[2]) continue;
    const previous = entries.get(m[2]);
    if (previous?.active) continue;
    entries.set(m[2], { active: !m[1], value: m[3] ?? '' });
  }
  return entries;
}

/** Dockerfile instructions of each stage, with continuation lines joined and comments dropped. */
function dockerfileStages(text: string): Array<{ from: string; instructions: string[] }> {
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Array<{ from: string; instructions: string[] }> = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------------
// The checks

const VOUCH_SERVICES = {
  // The worker's heap limit, measured (worker/heap.ts).
  'vouch-worker': { command: ['node', heapLimitFlag(), 'dist/worker/main.js'], source: 'worker/main.ts' },
  'vouch-bot': { command: ['node', 'dist/bot/main.js'], source: 'bot/main.ts' },
} as const;
/** Every service running Vouch's own code, the codec server included (it needs neither Temporal nor MongoDB). */
const VOUCH_PROCESSES = [...Object.keys(VOUCH_SERVICES), 'vouch-codec', 'vouch-intake'];

/** Settings the stack must refuse to start without (`${NAME:?message}`). */
const MANDATORY = ['VOUCH_PUBLIC_URL'];

/** Secrets of the database servers: only their own services and jobs may see them. */
const DATABASE_SECRETS = ['postgres_password', 'mongo_root_password', 'mongo_vouch_password'];

/** The paths the proxy must forward to the bot. */
const BOT_PATHS = ['/slack/events', '/enroll/*', '/answer/*', '/passkey/*', '/assets/*'];

const ADMIN_TOOLS = /^temporalio\/admin-tools:/;

/** An exact release (major.minor at least, e.g. postgres:16.10, mongo:7.0.21) or a digest. */
const PINNED = /(:\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/;

type Check = (files: StackFiles) => string[];

function secretsOf(service: Service | undefined): string[] {
  return (service?.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
}

/** Everything a service is handed: its environment's names and values, as one text. */
function exposureOf(service: Service | undefined): string {
  return JSON.stringify(environmentOf(service)) + JSON.stringify(secretsOf(service));
}

const checkImages: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const expected: Array<[string, RegExp]> = [
    ['caddy', /^caddy:2\.\d+\.\d+(-alpine)?$/],
    ['postgresql', /^postgres:\d+\.\d+$/],
    ['temporal', /^temporalio\/server:1\.\d+\.\d+$/],
    ['temporal-ui', /^temporalio\/ui:\d+\.\d+\.\d+$/],
    ['mongo', /^mongo:7\.\d+\.\d+$/],
  ];
  for (const [name, image] of expected) {
    const actual = services[name]?.image;
    if (!actual || !image.test(actual))
      problems.push(`service ${name}: image ${actual ?? '(none)'} does not match ${image}`);
  }
  const adminTools = Object.entries(services).filter(([, s]) => ADMIN_TOOLS.test(s.image ?? ''));
  if (adminTools.length === 0) problems.push('no service runs temporalio/admin-tools');
  // admin-tools must come from the same release as the server (its schema files must match it).
  const serverVersion = /^temporalio\/server:(.+)$/.exec(services.temporal?.image ?? '')?.[1];
  for (const [name, s] of adminTools)
    if (!serverVersion || !s.image?.startsWith(`temporalio/admin-tools:${serverVersion}`))
      problems.push(
        `service ${name}: ${s.image} is not the admin-tools of temporalio/server:${serverVersion}`,
      );
  for (const [name, s] of Object.entries(services)) {
    if (s.image && !PINNED.test(s.image))
      problems.push(`service ${name}: image ${s.image} is not pinned to an exact version or digest`);
    if (!s.image && !s.build) problems.push(`service ${name}: neither image nor build`);
  }
  for (const name of ['postgresql', 'mongo', 'caddy'])
    if (!(services[name]?.volumes ?? []).some((v) => /^[\w-]+:\/\S+/.test(String(v))))
      problems.push(`service ${name}: its data is not on a named volume`);
  return problems;
};

const checkVouchServices: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(VOUCH_SERVICES)) {
    const s = services[name];
    if (!s) {
      problems.push(`service ${name} is missing`);
      continue;
    }
    const build = typeof s.build === 'string' ? { context: s.build } : s.build;
    if (!build) problems.push(`service ${name}: not built from the project's Dockerfile (no build:)`);
    else {
      if (path.resolve(root, build.context ?? '.') !== root)
        problems.push(`service ${name}: build context ${build.context} is not the project root`);
      if ((build.dockerfile ?? 'Dockerfile') !== 'Dockerfile')
        problems.push(`service ${name}: builds from ${build.dockerfile}, not the project's Dockerfile`);
    }
    const command = listOf(s.command);
    if (JSON.stringify(command) !== JSON.stringify(expected.command))
      problems.push(
        `service ${name}: command ${JSON.stringify(command)}, expected ${expected.command.join(' ')}`,
      );
    if (!fs.existsSync(path.join(root, expected.source)))
      problems.push(
        `service ${name}: ${expected.source} (compiled to ${expected.command.at(-1)}) does not exist`,
      );
    const env = environmentOf(s);
    if (env.TEMPORAL_ADDRESS !== 'temporal:7233')
      problems.push(`service ${name}: TEMPORAL_ADDRESS is ${env.TEMPORAL_ADDRESS}, expected temporal:7233`);
    if (env.MONGODB_URL_FILE !== '/run/secrets/mongodb_url' || !secretsOf(s).includes('mongodb_url'))
      problems.push(
        `service ${name}: MongoDB is not reached through the mongodb_url secret (MONGODB_URL_FILE)`,
      );
  }
  return problems;
};

/** Each service gets only its own settings: no shared env file, no database secret in Vouch's services. */
const checkPerServiceEnvironments: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  for (const [name, s] of Object.entries(services))
    if (s.env_file !== undefined)
      problems.push(`service ${name}: reads an env_file (every service would get every variable)`);
  const known = new Set<string>([
    ...Object.keys(CONFIG_VARIABLES),
    ...SECRET_FILE_VARIABLES.map((v) => `${v}_FILE`),
  ]);
  for (const name of VOUCH_PROCESSES) {
    const s = services[name];
    const exposed = exposureOf(s);
    for (const secret of [...DATABASE_SECRETS, 'POSTGRES_PASSWORD', 'POSTGRES_PWD', 'MONGO_INITDB_ROOT'])
      if (exposed.includes(secret)) problems.push(`service ${name}: is given ${secret}, a database's secret`);
    for (const variable of Object.keys(environmentOf(s)))
      if (!known.has(variable))
        problems.push(`service ${name}: sets ${variable}, which lib/config.ts does not read`);
  }
  // Settings one process uses and the other does not (it would only widen what a compromise exposes).
  const only: Array<[string, string[]]> = [
    ['vouch-worker', ['VOUCH_WEBHOOK_SECRETS_FILE', 'VOUCH_LLM_API_KEY_FILE', 'VOUCH_POLICIES_FILE']],
    ['vouch-bot', ['SLACK_SIGNING_SECRET_FILE', 'SLACK_APP_TOKEN_FILE', 'VOUCH_OPERATORS']],
    ['vouch-codec', ['VOUCH_CODEC_TOKEN_FILE']],
    ['vouch-intake', ['VOUCH_SOURCES_FILE', 'VOUCH_SOURCE_SECRETS_FILE', 'VOUCH_INTAKE_RATE']],
  ];
  for (const [owner, variables] of only)
    for (const other of VOUCH_PROCESSES.filter((n) => n !== owner))
      for (const variable of variables)
        if (variable in environmentOf(services[other]))
          problems.push(`service ${other}: is given ${variable}, which only ${owner} uses`);
  return problems;
};

/** Secrets are files mounted from ./secrets and read through <NAME>_FILE; never values in the environment. */
const checkSecrets: Check = ({ compose }) => {
  const doc = parse(compose, { merge: true }) as { secrets?: Record<string, { file?: string }> };
  const services = servicesOf(compose);
  const problems: string[] = [];
  const defined = doc.secrets ?? {};
  for (const [name, secret] of Object.entries(defined))
    if (!secret?.file?.startsWith('./secrets/'))
      problems.push(`secret ${name}: not a file under ./secrets/ (${secret?.file ?? 'no file'})`);
  const plain = [
    ...SECRET_FILE_VARIABLES,
    'POSTGRES_PASSWORD',
    'POSTGRES_PWD',
    'SQL_PASSWORD',
    'MONGO_INITDB_ROOT_PASSWORD',
  ];
  for (const [name, s] of Object.entries(services)) {
    const env = environmentOf(s);
    for (const variable of plain)
      if (variable in env)
        problems.push(`service ${name}: ${variable} is a value in its environment, not a file`);
    for (const [variable, value] of Object.entries(env)) {
      const m = /^\/run\/secrets\/(\w+)$/.exec(value);
      if (!m?.[1]) continue;
      if (!variable.endsWith('_FILE'))
        problems.push(`service ${name}: ${variable} points at a secret file but is not a _FILE variable`);
      if (!secretsOf(s).includes(m[1]))
        problems.push(`service ${name}: ${variable} names secret ${m[1]}, which it is not given`);
    }
    for (const secret of secretsOf(s))
      if (!(secret in defined)) problems.push(`service ${name}: uses secret ${secret}, which is not defined`);
  }
  for (const secret of SECRET_FILE_VARIABLES)
    if (!VOUCH_PROCESSES.some((n) => `${secret}_FILE` in environmentOf(services[n])))
      problems.push(`${secret} is given to none of Vouch's services (as ${secret}_FILE)`);
  for (const ref of composeReferences(compose))
    if ((plain as string[]).includes(ref.name))
      problems.push(`docker-compose.yml interpolates the secret \${${ref.name}} from .env`);
  const postgres = environmentOf(services.postgresql);
  if (postgres.POSTGRES_PASSWORD_FILE !== '/run/secrets/postgres_password')
    problems.push('service postgresql: the password is not read from the postgres_password secret');
  return problems;
};

const checkMongoAuth: Check = ({ compose, mongoInit }) => {
  const services = servicesOf(compose);
  const mongo = services.mongo;
  const problems: string[] = [];
  const env = environmentOf(mongo);
  if (
    !env.MONGO_INITDB_ROOT_USERNAME ||
    env.MONGO_INITDB_ROOT_PASSWORD_FILE !== '/run/secrets/mongo_root_password'
  )
    problems.push('service mongo: authentication is off (no root user with MONGO_INITDB_ROOT_PASSWORD_FILE)');
  if (
    !(mongo?.volumes ?? []).some((v) =>
      /^\.\/deploy\/mongo-init:\/docker-entrypoint-initdb\.d:ro$/.test(String(v)),
    )
  )
    problems.push('service mongo: deploy/mongo-init is not mounted read-only at /docker-entrypoint-initdb.d');
  if (!secretsOf(mongo).includes('mongo_vouch_password'))
    problems.push('service mongo: is not given mongo_vouch_password for the application user');
  if (
    !/createUser\(/.test(mongoInit) ||
    !/role: 'readWrite'/.test(mongoInit) ||
    !/\/run\/secrets\/mongo_vouch_password/.test(mongoInit)
  )
    problems.push('deploy/mongo-init does not create a readWrite user with the mongo_vouch_password secret');
  return problems;
};

/** Caddy terminates TLS for VOUCH_PUBLIC_URL and forwards only the bot's paths; the bot scales behind it. */
const checkProxy: Check = ({ compose, caddyfile }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const caddy = services.caddy;
  if (!caddy) return ['service caddy (the TLS proxy) is missing'];
  const ports = (caddy.ports ?? []).map(String);
  for (const port of ['80:80', '443:443'])
    if (!ports.includes(port)) problems.push(`service caddy: does not publish ${port}`);
  if (!(caddy.volumes ?? []).some((v) => String(v) === './deploy/Caddyfile:/etc/caddy/Caddyfile:ro'))
    problems.push('service caddy: deploy/Caddyfile is not mounted read-only at /etc/caddy/Caddyfile');
  if (!(caddy.volumes ?? []).some((v) => /^[\w-]+:\/data$/.test(String(v))))
    problems.push('service caddy: /data (certificates) is not on a named volume');
  if (!/^\$\{VOUCH_PUBLIC_URL:\?/.test(environmentOf(caddy).VOUCH_PUBLIC_URL ?? ''))
    problems.push('service caddy: VOUCH_PUBLIC_URL is not passed (mandatory)');
  if (dependsOnOf(caddy)['vouch-bot'] !== 'service_healthy')
    problems.push('service caddy: must wait for vouch-bot to be healthy');
  const live = caddyfile
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  if (!/^\{\$VOUCH_PUBLIC_URL\}\s*\{/m.test(live))
    problems.push('deploy/Caddyfile: the site is not {$VOUCH_PUBLIC_URL} (automatic TLS for its host)');
  const matcher = /@bot\s+path\s+([^\n]+)/.exec(live)?.[1]?.trim().split(/\s+/) ?? [];
  for (const p of BOT_PATHS)
    if (!matcher.includes(p)) problems.push(`deploy/Caddyfile: ${p} is not forwarded to the bot`);
  const port = environmentOf(services['vouch-bot']).BOT_PORT;
  if (
    !/dynamic a \{\s*name vouch-bot\s*port (\d+)/.exec(live) ||
    /dynamic a \{\s*name vouch-bot\s*port (\d+)/.exec(live)?.[1] !== port
  )
    problems.push(`deploy/Caddyfile: does not balance over every vouch-bot replica on BOT_PORT ${port}`);
  if (/reverse_proxy\s+intake\b/.test(live) && !services.intake)
    problems.push('deploy/Caddyfile: forwards to intake, a service that does not exist');
  const bot = services['vouch-bot'];
  if ((bot?.ports ?? []).length > 0)
    problems.push(
      'service vouch-bot: publishes a host port (it cannot scale, and skips TLS); Caddy fronts it',
    );
  for (const [name, s] of Object.entries(services))
    if (name !== 'caddy')
      for (const p of (s.ports ?? []).map(String))
        if (!/^\$\{TEMPORAL_PUBLISH_IP:-127\.0\.0\.1\}:/.test(p))
          problems.push(`service ${name}: publishes ${p} on every interface`);
  return problems;
};

const checkHealth: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  for (const [name, s] of Object.entries(services))
    if (s.restart !== 'no' && (!s.healthcheck?.test || s.healthcheck.disable))
      problems.push(`service ${name}: no healthcheck`);
  const botTest = JSON.stringify(services['vouch-bot']?.healthcheck?.test ?? '');
  const botPort = environmentOf(services['vouch-bot']).BOT_PORT;
  if (!botTest.includes(`http://127.0.0.1:${botPort}/healthz`))
    problems.push(`service vouch-bot: the healthcheck does not ask /healthz on BOT_PORT ${botPort}`);
  const worker = services['vouch-worker'];
  const healthFile = environmentOf(worker).VOUCH_HEALTH_FILE;
  const workerTest = listOf(worker?.healthcheck?.test as string[] | undefined);
  if (!healthFile) problems.push('service vouch-worker: VOUCH_HEALTH_FILE is not set (no heartbeat)');
  else if (!(workerTest.includes('dist/worker/health-check.js') && workerTest.includes(healthFile)))
    problems.push(`service vouch-worker: the healthcheck does not check the heartbeat file ${healthFile}`);
  if (!fs.existsSync(path.join(root, 'worker/health-check.ts')))
    problems.push('worker/health-check.ts (dist/worker/health-check.js) does not exist');
  return problems;
};

const checkPolicies: Check = ({ compose }) => {
  const worker = servicesOf(compose)['vouch-worker'];
  const file = environmentOf(worker).VOUCH_POLICIES_FILE;
  if (!file?.startsWith('/'))
    return [`service vouch-worker: VOUCH_POLICIES_FILE is ${file}, not an absolute path`];
  return (worker?.volumes ?? []).some((v) => String(v) === `./policies.yml:${file}:ro`)
    ? []
    : [`service vouch-worker: ./policies.yml is not mounted read-only at ${file}`];
};

const checkVariables: Check = ({ compose, envExample }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const refs = composeReferences(compose);
  const documented = envExampleEntries(envExample);
  for (const name of new Set(refs.map((r) => r.name)))
    if (!documented.has(name)) problems.push(`docker-compose.yml uses \${${name}}, which .env.example lacks`);
  for (const name of MANDATORY) {
    const uses = refs.filter((r) => r.name === name);
    if (uses.length === 0) problems.push(`docker-compose.yml never uses the mandatory ${name}`);
    for (const use of uses)
      if (!use.modifier.startsWith(':?'))
        problems.push(
          `docker-compose.yml: \${${name}${use.modifier}} must be \${${name}:?message} (mandatory)`,
        );
    const entry = documented.get(name);
    if (!entry?.active) problems.push(`.env.example must set the mandatory ${name} (an example value)`);
    else if (!/example\.com/.test(entry.value))
      problems.push(`.env.example: ${name} must be an example.com placeholder`);
  }
  // No secret value ships in the example file, even commented out.
  for (const [name, { value }] of documented) {
    if (/^xox[abpr]-\d+-/.test(value) || /^xapp-\d-/.test(value))
      problems.push(`.env.example: ${name} looks like a real Slack token`);
    if (/^[A-Za-z0-9+/]{43}=$/.test(value)) problems.push(`.env.example: ${name} is a usable key`);
  }
  // Every configuration variable is set by Compose for the worker or the bot, or documented.
  const setSomewhere = new Set(VOUCH_PROCESSES.flatMap((n) => Object.keys(environmentOf(services[n] ?? {}))));
  for (const name of Object.keys(CONFIG_VARIABLES))
    if (!setSomewhere.has(name) && !setSomewhere.has(`${name}_FILE`) && !documented.has(name))
      problems.push(`${name} (lib/config.ts) is neither set for the worker or the bot nor in .env.example`);
  // And nothing in .env.example is a typo or a leftover; above the `npm start` section, Compose uses it.
  const known = new Set([...Object.keys(CONFIG_VARIABLES), ...refs.map((r) => r.name)]);
  for (const name of documented.keys())
    if (!known.has(name))
      problems.push(`.env.example: ${name} is used neither by lib/config.ts nor by docker-compose.yml`);
  const composeSection = envExample.split(/^# --- Not read by docker compose/m)[0] ?? '';
  const referenced = new Set(refs.map((r) => r.name));
  for (const name of envExampleEntries(composeSection).keys())
    if (!referenced.has(name))
      problems.push(
        `.env.example: ${name} is offered as a stack setting, but docker-compose.yml never passes it`,
      );
  return problems;
};

const checkTemporalSetup: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const adminJobs = Object.entries(services).filter(([, s]) => ADMIN_TOOLS.test(s.image ?? ''));
  const schemaJob = adminJobs.find(([, s]) => scriptOf(s).includes('temporal-sql-tool'));
  if (!schemaJob) problems.push('no admin-tools job sets up the schema with temporal-sql-tool');
  else {
    const [name, job] = schemaJob;
    const script = scriptOf(job);
    for (const db of ['temporal', 'temporal_visibility'])
      for (const step of ['setup-schema', 'update-schema'])
        if (!new RegExp(`--db\\s+${db}\\s+${step}\\b`).test(script))
          problems.push(`service ${name}: does not run ${step} on the ${db} database`);
    if (dependsOnOf(job).postgresql !== 'service_healthy')
      problems.push(`service ${name}: must wait for postgresql to be healthy`);
    if (dependsOnOf(services.temporal)[name] !== 'service_completed_successfully')
      problems.push(`service temporal: must wait for ${name} (schema setup) to complete successfully`);
  }
  const setupJob = adminJobs.find(([, s]) => scriptOf(s).includes('search-attribute create'));
  if (!setupJob) problems.push('no admin-tools job registers search attributes');
  else {
    const [name, job] = setupJob;
    const script = scriptOf(job);
    if (!/operator namespace create\b/.test(script))
      problems.push(`service ${name}: does not create the namespace`);
    if (dependsOnOf(job).temporal !== 'service_healthy')
      problems.push(`service ${name}: must wait for temporal to be healthy`);
    const registered = new Map<string, string>();
    for (const m of script.matchAll(/search-attribute create\b[^\n]*?--name\s+(\w+)\s+--type\s+(\w+)/g))
      registered.set(m[1] ?? '', m[2] ?? '');
    for (const attribute of SEARCH_ATTRIBUTES) {
      const type = registered.get(attribute);
      if (type !== 'Keyword')
        problems.push(
          `search attribute ${attribute} is ${type ? `registered as ${type}` : 'not registered'}, expected Keyword`,
        );
    }
    for (const attribute of registered.keys())
      if (!(SEARCH_ATTRIBUTES as readonly string[]).includes(attribute))
        problems.push(`search attribute ${attribute} is registered but not in SEARCH_ATTRIBUTES`);
    for (const vouch of Object.keys(VOUCH_SERVICES))
      if (dependsOnOf(services[vouch])[name] !== 'service_completed_successfully')
        problems.push(`service ${vouch}: must wait for ${name} (namespace, search attributes) to complete`);
  }
  for (const vouch of Object.keys(VOUCH_SERVICES))
    if (dependsOnOf(services[vouch]).mongo !== 'service_healthy')
      problems.push(`service ${vouch}: must wait for mongo to be healthy`);
  const ui = environmentOf(services['temporal-ui']);
  if (ui.TEMPORAL_ADDRESS !== 'temporal:7233')
    problems.push('service temporal-ui: TEMPORAL_ADDRESS is not temporal:7233');
  if (!(services['temporal-ui']?.ports ?? []).some((p) => /:8080$/.test(String(p))))
    problems.push('service temporal-ui: does not publish port 8080');
  const server = environmentOf(services.temporal);
  if (server.DB !== 'postgres12' || server.POSTGRES_SEEDS !== 'postgresql')
    problems.push('service temporal: is not configured for the postgresql service (DB, POSTGRES_SEEDS)');
  return problems;
};

const checkDependsOn: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'];
  for (const [name, s] of Object.entries(services))
    for (const [target, condition] of Object.entries(dependsOnOf(s))) {
      const t = services[target];
      if (!t) {
        problems.push(`service ${name}: depends on ${target}, which does not exist`);
        continue;
      }
      if (!conditions.includes(condition)) problems.push(`service ${name}: unknown condition ${condition}`);
      if (condition === 'service_healthy' && (!t.healthcheck?.test || t.healthcheck.disable))
        problems.push(`service ${name}: waits for ${target} to be healthy, but ${target} has no healthcheck`);
      if (condition === 'service_completed_successfully' && t.restart !== undefined && t.restart !== 'no')
        problems.push(
          `service ${name}: waits for ${target} to complete, but ${target} restarts (${t.restart})`,
        );
    }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name) || !services[name]) return;
    if (visiting.has(name)) {
      problems.push(`depends_on cycle: ${[...trail, name].join(' -> ')}`);
      return;
    }
    visiting.add(name);
    for (const target of Object.keys(dependsOnOf(services[name]))) visit(target, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return problems;
};

const checkDockerfile: Check = ({ dockerfile }) => {
  const problems: string[] = [];
  const stages = dockerfileStages(dockerfile);
  const final = stages.at(-1);
  if (!final) return ['Dockerfile has no FROM'];
  if (stages.length < 2) problems.push('Dockerfile is not multi-stage (build, then runtime)');
  for (const { from } of stages)
    if (!/^FROM\s+node:20\.\d+\.\d+-bookworm-slim(\s+AS\s+\S+)?$/i.test(from))
      problems.push(`Dockerfile: "${from}" is not an exact node:20.x.y-bookworm-slim release`);
  const all = stages.flatMap((s) => s.instructions);
  if (!all.some((i) => /^RUN\s.*\bnpm run build\b/.test(i)))
    problems.push('Dockerfile never runs npm run build');
  if (!final.instructions.some((i) => /^RUN\s.*\bnpm ci\b.*--omit=dev/.test(i)))
    problems.push('Dockerfile: the final stage does not install with npm ci --omit=dev');
  if (!final.instructions.some((i) => /^COPY\s+--from=\S+\s+\S*\bdist\b/.test(i)))
    problems.push('Dockerfile: the final stage does not copy dist/ from the build stage');
  if (!final.instructions.some((i) => /^ENV\s+NODE_ENV=production\b/.test(i)))
    problems.push('Dockerfile: the final stage does not set NODE_ENV=production (no localhost warnings)');
  const cmd = final.instructions.filter((i) => /^CMD\s/i.test(i)).at(-1) ?? '';
  const worker = VOUCH_SERVICES['vouch-worker'].command;
  // The exec form only: a shell form would not pass signals on to node.
  if (cmd.replace(/^CMD\s+/i, '').replace(/",\s*"/g, '","') !== JSON.stringify(worker))
    problems.push(`Dockerfile: CMD is not the worker as compose runs it (${worker.join(' ')})`);
  const user = final.instructions.filter((i) => /^USER\s/i.test(i)).at(-1);
  const userName = user?.split(/\s+/)[1]?.split(':')[0];
  if (!userName) problems.push('Dockerfile: the final stage has no USER (it would run as root)');
  else if (userName === 'root' || userName === '0')
    problems.push(`Dockerfile: the final stage runs as ${userName}`);
  for (const i of all) {
    if (/^(ENV|ARG)\s.*(TOKEN|SECRET|PASSWORD|ENCRYPTION_KEY)/i.test(i))
      problems.push(`Dockerfile: "${i}" bakes a secret into the image`);
    if (/^(COPY|ADD)\s.*\.env\b(?!\.example)/.test(i)) problems.push(`Dockerfile: "${i}" copies an env file`);
  }
  return problems;
};

const checkDockerignore: Check = ({ dockerignore }) => {
  const entries = new Set(
    dockerignore
      .split('\n')
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#')),
  );
  return ['node_modules', 'dist', 'data', '.git', 'coverage', '.env', 'secrets']
    .filter((e) => !entries.has(e))
    .map((e) => `.dockerignore does not exclude ${e}`);
};

/** README "Production" and "Backups and restore" describe what the files do, with commands. */
const checkReadme: Check = ({ readme }) => {
  const section = (title: string) => {
    const m = new RegExp(`^(#+) ${title}\\s*$`, 'm').exec(readme);
    if (!m) return undefined;
    const rest = readme.slice(m.index + m[0].length);
    const next = new RegExp(`^#{1,${m[1]?.length ?? 2}} `, 'm').exec(rest);
    return next ? rest.slice(0, next.index) : rest;
  };
  const problems: string[] = [];
  const production = section('Production');
  if (!production) problems.push('README has no "Production" section');
  else
    for (const needed of [
      'deploy/make-secrets.sh',
      'VOUCH_PUBLIC_URL',
      'Caddy',
      '--scale vouch-bot',
      'policies.yml',
    ])
      if (!production.includes(needed)) problems.push(`README "Production" does not mention ${needed}`);
  const backups = section('Backups and restore');
  if (!backups) problems.push('README has no "Backups and restore" section');
  else
    for (const command of [
      /docker compose exec -T mongo .*mongodump\b[\s\S]{0,200}--archive/,
      /docker compose exec -T mongo .*mongorestore\b[\s\S]{0,200}--archive/,
      /docker compose exec -T postgresql pg_dump\b.*temporal\b/,
      /docker compose exec -T postgresql pg_dump\b.*temporal_visibility\b/,
      /docker compose exec -T postgresql (pg_restore|psql)\b/,
      /secrets\//,
    ])
      if (!command.test(backups)) problems.push(`README "Backups and restore" lacks ${command}`);
  return problems;
};

const CHECKS: Array<[string, Check]> = [
  ['the services use the expected images, each pinned to an exact version', checkImages],
  [
    'the worker and the bot are built from the Dockerfile and wired to temporal and mongo',
    checkVouchServices,
  ],
  [
    'each service gets only its own settings (no env_file; no database secret for Vouch)',
    checkPerServiceEnvironments,
  ],
  ['secrets are files under ./secrets, read through <NAME>_FILE, never environment values', checkSecrets],
  ['MongoDB runs with authentication and a least-privilege application user', checkMongoAuth],
  ["Caddy terminates TLS and forwards the bot's paths to every bot replica", checkProxy],
  [
    'every long-running service has a health check; the bot asks /healthz, the worker its heartbeat',
    checkHealth,
  ],
  ['policies.yml is mounted read-only into the worker', checkPolicies],
  ['every variable is documented in .env.example, and the mandatory ones are enforced', checkVariables],
  ['admin-tools sets up the schema, the namespace and every search attribute, in order', checkTemporalSetup],
  ['depends_on targets exist and their conditions can be met', checkDependsOn],
  ['the Dockerfile is multi-stage, pinned, runs as a non-root user and bakes in no secrets', checkDockerfile],
  ['.dockerignore keeps local state and secrets out of the build context', checkDockerignore],
  ['README documents production and backups with commands', checkReadme],
];

const allProblems = (files: StackFiles) => CHECKS.flatMap(([, check]) => check(files));

// ---------------------------------------------------------------------------------------------------

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`mutation target ${String(from)} not found: update this test`);
  return changed;
}

type Mutation = [string, (f: StackFiles) => StackFiles, RegExp];
const compose = (edit: (t: string) => string) => (f: StackFiles) => ({ ...f, compose: edit(f.compose) });

const MUTATIONS: Mutation[] = [
  [
    'a search attribute is no longer registered',
    compose((t) => replaceOnce(t, /^.*--name VouchPhase --type Keyword.*\n/m, '')),
    /search attribute VouchPhase is not registered/,
  ],
  [
    'a search attribute is registered with another type',
    compose((t) => replaceOnce(t, '--name VouchSeverity --type Keyword', '--name VouchSeverity --type Text')),
    /VouchSeverity is registered as Text/,
  ],
  [
    'the server image is replaced by auto-setup',
    compose((t) => replaceOnce(t, /temporalio\/server:/, 'temporalio/auto-setup:')),
    /service temporal: image temporalio\/auto-setup/,
  ],
  [
    'mongo is not version 7',
    compose((t) => replaceOnce(t, 'image: mongo:7', 'image: mongo:6')),
    /service mongo: image/,
  ],
  [
    'the visibility schema is not migrated',
    compose((t) => replaceOnce(t, /^.*--db temporal_visibility update-schema.*\n/m, '')),
    /update-schema on the temporal_visibility database/,
  ],
  [
    'the server does not wait for the schema job',
    compose((t) =>
      replaceOnce(t, /(temporal-schema:\n\s+condition: )service_completed_successfully/, '$1service_started'),
    ),
    /service temporal: must wait for temporal-schema/,
  ],
  [
    'the compose file uses an undocumented variable',
    compose((t) => replaceOnce(t, 'BIND_ON_IP: 0.0.0.0', 'BIND_ON_IP: ${TEMPORAL_BIND_IP:-0.0.0.0}')),
    /uses \$\{TEMPORAL_BIND_IP\}, which \.env\.example lacks/,
  ],
  [
    'a mandatory secret gets a default',
    compose((t) => replaceOnce(t, /\$\{VOUCH_PUBLIC_URL:\?[^}]*\}/, '${VOUCH_PUBLIC_URL:-http://localhost}')),
    /VOUCH_PUBLIC_URL:-http:\/\/localhost\} must be/,
  ],
  [
    'the worker and the bot get the MongoDB address as a value',
    compose((t) =>
      replaceOnce(t, 'MONGODB_URL_FILE: /run/secrets/mongodb_url', 'MONGODB_URL: mongodb://mongo:27017'),
    ),
    /MongoDB is not reached through the mongodb_url secret/,
  ],
  [
    'the bot is built from another Dockerfile',
    compose((t) => t.replace(/dockerfile: Dockerfile/g, 'dockerfile: Dockerfile.dev')),
    /builds from Dockerfile\.dev/,
  ],
  [
    'the bot runs the wrong entry point',
    compose((t) => replaceOnce(t, "'dist/bot/main.js'", "'dist/bot/app.js'")),
    /service vouch-bot: command/,
  ],
  [
    'a dependency names a service that does not exist',
    compose((t) => replaceOnce(t, /(\n\s+)mongo:(\n\s+condition: service_healthy)/, '$1mongodb:$2')),
    /depends on mongodb, which does not exist/,
  ],
  [
    'a dependency waits for health that is never reported',
    compose((t) =>
      replaceOnce(
        t,
        /temporal-setup:(\n\s+condition: )service_completed_successfully/,
        'temporal-schema:$1service_healthy',
      ),
    ),
    /waits for temporal-schema to be healthy, but temporal-schema has no healthcheck/,
  ],
  [
    'a configuration variable is missing from .env.example',
    (f) => ({ ...f, envExample: replaceOnce(f.envExample, /^# VOUCH_DATA_DIR=.*\n/m, '') }),
    /VOUCH_DATA_DIR \(lib\/config\.ts\) is neither set/,
  ],
  [
    '.env.example ships a usable encryption key',
    (f) => ({
      ...f,
      envExample: replaceOnce(
        f.envExample,
        /^# VOUCH_ENCRYPTION_KEY=.*$/m,
        `# VOUCH_ENCRYPTION_KEY=${'A'.repeat(43)}=`,
      ),
    }),
    /VOUCH_ENCRYPTION_KEY is a usable key/,
  ],
  [
    '.env.example has a stray variable',
    (f) => ({ ...f, envExample: `${f.envExample}SLACK_BOT_TOKN=xoxb-replace-me\n` }),
    /SLACK_BOT_TOKN is used neither/,
  ],
  [
    'an image floats on a major version',
    compose((t) => replaceOnce(t, 'image: postgres:16.10', 'image: postgres:16')),
    /service postgresql: image postgres:16 is not pinned/,
  ],
  [
    'the proxy image floats',
    compose((t) => replaceOnce(t, /image: caddy:.*/, 'image: caddy:2')),
    /service caddy: image caddy:2 does not match/,
  ],
  [
    'the worker reads the shared env file again',
    compose((t) => replaceOnce(t, /(\n {2}vouch-worker:\n)/, '$1    env_file: .env\n')),
    /service vouch-worker: reads an env_file/,
  ],
  [
    'the worker is given the PostgreSQL password',
    compose((t) =>
      replaceOnce(t, /(\n {2}vouch-worker:[\s\S]*?secrets:\n)/, '$1      - postgres_password\n'),
    ),
    /service vouch-worker: is given postgres_password, a database's secret/,
  ],
  [
    'the bot is given a setting only the worker uses',
    compose((t) =>
      replaceOnce(
        t,
        /(\n\s+)SLACK_APP_TOKEN_FILE: (.*)/,
        '$1SLACK_APP_TOKEN_FILE: $2$1VOUCH_LLM_API_KEY_FILE: /run/secrets/vouch_llm_api_key',
      ),
    ),
    /service vouch-bot: is given VOUCH_LLM_API_KEY_FILE, which only vouch-worker uses/,
  ],
  [
    'a secret is passed as a value from .env',
    compose((t) =>
      replaceOnce(
        t,
        'SLACK_SIGNING_SECRET_FILE: /run/secrets/slack_signing_secret',
        'SLACK_SIGNING_SECRET: ${SLACK_SIGNING_SECRET:?x}',
      ),
    ),
    /vouch-bot: SLACK_SIGNING_SECRET is a value in its environment[\s\S]*interpolates the secret \$\{SLACK_SIGNING_SECRET\}/,
  ],
  [
    'a _FILE variable names a secret the service is not given',
    compose((t) =>
      replaceOnce(t, /(\n {2}vouch-bot:[\s\S]*?secrets:\n[\s\S]*?) {6}- slack_signing_secret\n/, '$1'),
    ),
    /vouch-bot: SLACK_SIGNING_SECRET_FILE names secret slack_signing_secret, which it is not given/,
  ],
  [
    'PostgreSQL takes its password from .env',
    compose((t) =>
      replaceOnce(
        t,
        'POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password',
        'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?x}',
      ),
    ),
    /postgresql: the password is not read from the postgres_password secret/,
  ],
  [
    'MongoDB runs without authentication',
    compose((t) => replaceOnce(t, /^\s+MONGO_INITDB_ROOT_PASSWORD_FILE: .*\n/m, '')),
    /service mongo: authentication is off/,
  ],
  [
    'the application user is not created',
    (f) => ({ ...f, mongoInit: replaceOnce(f.mongoInit, "role: 'readWrite'", "role: 'root'") }),
    /does not create a readWrite user/,
  ],
  [
    'the bot publishes a fixed host port again',
    compose((t) => replaceOnce(t, /(\n\s+)expose:\n\s+- '3000'/, "$1ports:$1  - '3000:3000'")),
    /service vouch-bot: publishes a host port/,
  ],
  [
    'the proxy no longer forwards the enrollment pages',
    (f) => ({ ...f, caddyfile: replaceOnce(f.caddyfile, ' /enroll/*', '') }),
    /\/enroll\/\* is not forwarded to the bot/,
  ],
  [
    'the proxy no longer forwards the answer pages',
    (f) => ({ ...f, caddyfile: replaceOnce(f.caddyfile, ' /answer/*', '') }),
    /\/answer\/\* is not forwarded to the bot/,
  ],
  [
    "the proxy sends the bot's traffic to another port",
    (f) => ({ ...f, caddyfile: replaceOnce(f.caddyfile, /port 3000/, 'port 8080') }),
    /does not balance over every vouch-bot replica on BOT_PORT 3000/,
  ],
  [
    'the proxy forwards to an intake that does not exist',
    (f) => ({ ...f, caddyfile: `${f.caddyfile}\nhandle /v1/* {\n\treverse_proxy intake:8088\n}\n` }),
    /forwards to intake, a service that does not exist/,
  ],
  [
    'the Web UI is published on every interface',
    compose((t) => replaceOnce(t, "'${TEMPORAL_PUBLISH_IP:-127.0.0.1}:8080:8080'", "'8080:8080'")),
    /service temporal-ui: publishes 8080:8080 on every interface/,
  ],
  [
    'the worker has no healthcheck',
    compose((t) => replaceOnce(t, /(\n {2}vouch-worker:[\s\S]*?)\n {4}healthcheck:\n( {6}.*\n)+/, '$1\n')),
    /service vouch-worker: no healthcheck/,
  ],
  [
    "the bot's healthcheck asks another path",
    compose((t) => replaceOnce(t, '3000/healthz', '3000/')),
    /vouch-bot: the healthcheck does not ask \/healthz/,
  ],
  [
    "the worker's healthcheck checks another file",
    compose((t) => replaceOnce(t, "'/tmp/vouch/worker-alive', '30'", "'/tmp/other', '30'")),
    /does not check the heartbeat file \/tmp\/vouch\/worker-alive/,
  ],
  [
    'policies.yml is mounted writable',
    compose((t) =>
      replaceOnce(t, './policies.yml:/etc/vouch/policies.yml:ro', './policies.yml:/etc/vouch/policies.yml'),
    ),
    /policies\.yml is not mounted read-only at \/etc\/vouch\/policies\.yml/,
  ],
  [
    '.env.example offers a setting Compose never passes',
    (f) => ({
      ...f,
      envExample: replaceOnce(f.envExample, '# LOG_LEVEL=info', '# LOG_LEVEL=info\n# BOT_PORT=3000'),
    }),
    /BOT_PORT is offered as a stack setting, but docker-compose\.yml never passes it/,
  ],
  [
    'the image floats on Node 20',
    (f) => ({
      ...f,
      dockerfile: f.dockerfile.replace(/node:20\.\d+\.\d+-bookworm-slim/g, 'node:20-bookworm-slim'),
    }),
    /is not an exact node:20\.x\.y-bookworm-slim release/,
  ],
  [
    'the README loses its backup section',
    (f) => ({ ...f, readme: replaceOnce(f.readme, /^### Backups and restore$/m, '### Backups') }),
    /README has no "Backups and restore" section/,
  ],
  [
    'the README forgets the PostgreSQL visibility database',
    (f) => ({
      ...f,
      readme: f.readme.replace(/^.*pg_dump.*$/gm, (line) =>
        line.replaceAll('temporal_visibility', 'visibility'),
      ),
    }),
    /pg_dump\\b\.\*temporal_visibility/,
  ],
  [
    'the image runs as root',
    (f) => ({ ...f, dockerfile: replaceOnce(f.dockerfile, /^USER .*$/m, 'USER root') }),
    /final stage runs as root/,
  ],
  [
    'the image runs the worker without its heap limit',
    (f) => ({ ...f, dockerfile: replaceOnce(f.dockerfile, /"--max-old-space-size=\d+", /, '') }),
    /CMD is not the worker as compose runs it/,
  ],
  [
    'compose runs the worker with another heap limit',
    compose((t) => replaceOnce(t, /--max-old-space-size=\d+/, '--max-old-space-size=4096')),
    /service vouch-worker: command .*, expected node --max-old-space-size=640 dist\/worker\/main\.js/,
  ],
  [
    'the image has no USER',
    (f) => ({ ...f, dockerfile: replaceOnce(f.dockerfile, /^USER .*\n/m, '') }),
    /final stage has no USER/,
  ],
  [
    'the image bakes in a secret',
    (f) => ({ ...f, dockerfile: replaceOnce(f.dockerfile, /^USER /m, 'ENV SLACK_BOT_TOKEN=xoxb-1\nUSER ') }),
    /bakes a secret/,
  ],
  [
    '.dockerignore lets .env into the build context',
    (f) => ({ ...f, dockerignore: replaceOnce(f.dockerignore, /^\.env$/m, '') }),
    /does not exclude \.env/,
  ],
];

// ---------------------------------------------------------------------------------------------------
// Compose itself (no engine needed for `config`)

function findCompose(): string[] | undefined {
  for (const cmd of [['docker-compose'], ['docker', 'compose']]) {
    const [bin, ...args] = cmd as [string, ...string[]];
    const r = spawnSync(bin, [...args, 'version'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return cmd;
  }
  return undefined;
}

/**
 * Runs `<compose> -f docker-compose.yml --env-file <envFile> config <args>` in a scratch copy of the
 * project's stack files (env_file: .env must exist, and the working tree's .env is never touched), with
 * a bare environment so that variables of the shell running the tests cannot fill in for missing ones.
 */
function runComposeConfig(cmd: string[], envFile: string, args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-compose-'));
  try {
    for (const name of Object.values(STACK_FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.copyFileSync(path.join(root, name), path.join(dir, name));
    }
    fs.writeFileSync(path.join(dir, 'test.env'), envFile);
    fs.writeFileSync(path.join(dir, '.env'), envFile);
    const [bin, ...pre] = cmd as [string, ...string[]];
    return spawnSync(bin, [...pre, '-f', 'docker-compose.yml', '--env-file', 'test.env', 'config', ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const composeCmd = findCompose();
const itIfCompose = composeCmd ? it : it.skip;

describe('production stack: docker-compose.yml, Dockerfile, .env.example', () => {
  it.each(CHECKS)('%s', (_name, check) => {
    expect(check(realFiles())).toEqual([]);
  });

  describe('each check fails on a broken stack', () => {
    it.each(MUTATIONS)('%s', (_name, mutate, expected) => {
      expect(allProblems(mutate(realFiles())).join('\n')).toMatch(expected);
    });
  });

  it('deploy/make-secrets.sh writes every secret the stack mounts, which the worker and the bot accept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-secrets-'));
    try {
      const secretsDir = path.join(dir, 'secrets');
      const run = () =>
        spawnSync('sh', [path.join(root, 'deploy', 'make-secrets.sh'), secretsDir], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'signing' },
        });
      expect(run().status).toBe(0);
      const doc = parse(realFiles().compose) as { secrets: Record<string, { file: string }> };
      const defined = Object.values(doc.secrets).map((s) => path.basename(s.file));
      expect(fs.readdirSync(secretsDir).sort()).toEqual(defined.sort());
      expect(fs.statSync(secretsDir).mode & 0o777).toBe(0o700);
      const read = (name: string) => fs.readFileSync(path.join(secretsDir, name), 'utf8');
      expect(read('mongodb_url')).toContain(`vouch:${read('mongo_vouch_password').trim()}@mongo:27017/`);
      const before = read('vouch_encryption_key');
      expect(run().stdout).toMatch(/kept\s+\S+vouch_encryption_key/);
      expect(read('vouch_encryption_key')).toBe(before);
      // The containers' view: each /run/secrets/<name> is the file written above.
      const services = servicesOf(realFiles().compose);
      for (const name of Object.keys(VOUCH_SERVICES)) {
        const env = Object.fromEntries(
          Object.entries(environmentOf(services[name]))
            .filter(([, v]) => !/^\$\{/.test(v))
            .map(([k, v]) => [k, v.replace(/^\/run\/secrets\//, `${secretsDir}/`)]),
        );
        const config = loadConfig({ ...env, VOUCH_PUBLIC_URL: 'https://vouch.example.com' });
        expect(config.mongo.url).toMatch(
          /^mongodb:\/\/vouch:[0-9a-f]{48}@mongo:27017\/vouch\?authSource=vouch$/,
        );
        expect(config.encryptionKey?.length).toBe(32);
        expect(config.slack.botToken).toBe('xoxb-test');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('compose config (no Docker engine needed)', () => {
    if (!composeCmd)
      console.log(
        'compose.test: neither docker-compose nor `docker compose` is installed; skipping the `config` checks ' +
          "(install Debian's docker-compose: apt-get install -y docker-compose)",
      );
    const envExample = () => fs.readFileSync(path.join(root, '.env.example'), 'utf8');

    itIfCompose('accepts the file with .env.example (config -q)', () => {
      const r = runComposeConfig(composeCmd ?? [], envExample(), ['-q']);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    });

    itIfCompose('refuses to start without a mandatory setting, naming it', () => {
      for (const name of MANDATORY) {
        const env = envExample().replace(new RegExp(`^${name}=.*$`, 'm'), '');
        const r = runComposeConfig(composeCmd ?? [], env, ['-q']);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`set ${name} in .env`);
      }
    });

    itIfCompose('gives each service only its own settings, and the bot no host port', () => {
      const env = `${envExample()}\nMONGODB_URL=mongodb://elsewhere:27017\nPOSTGRES_PASSWORD=leaked\nBOT_PORT=3100\nVOUCH_OPERATORS=U0123ABCD\n`;
      const r = runComposeConfig(composeCmd ?? [], env, []);
      expect(r.status).toBe(0);
      const services = servicesOf(r.stdout);
      for (const name of Object.keys(VOUCH_SERVICES)) {
        const e = environmentOf(services[name]);
        expect(e).toMatchObject({
          TEMPORAL_ADDRESS: 'temporal:7233',
          MONGODB_URL_FILE: '/run/secrets/mongodb_url',
          SLACK_BOT_TOKEN_FILE: '/run/secrets/slack_bot_token',
        });
        // What .env says reaches a service only through docker-compose.yml, never wholesale.
        expect(e).not.toHaveProperty('MONGODB_URL');
        expect(e).not.toHaveProperty('BOT_PORT', '3100');
        expect(JSON.stringify(services[name])).not.toMatch(/leaked|POSTGRES_PASSWORD|postgres_password/);
      }
      expect(environmentOf(services['vouch-bot']).VOUCH_OPERATORS).toBe('U0123ABCD');
      expect(environmentOf(services['vouch-worker'])).not.toHaveProperty('VOUCH_OPERATORS');
      expect(services['vouch-bot']?.ports).toBeUndefined();
      expect(JSON.stringify(services.caddy?.ports)).toMatch(/443/);
      expect(JSON.stringify(services.temporal?.ports)).toMatch(/127\.0\.0\.1/);
    });
  });
});
