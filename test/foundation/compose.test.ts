import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../lib/config';
import { SEARCH_ATTRIBUTES } from '../../shared/constants';

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
}

const STACK_FILES: Record<keyof StackFiles, string> = {
  compose: 'docker-compose.yml',
  envExample: '.env.example',
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
};

function realFiles(): StackFiles {
  const read = (name: string) => fs.readFileSync(path.join(root, name), 'utf8');
  return {
    compose: read(STACK_FILES.compose),
    envExample: read(STACK_FILES.envExample),
    dockerfile: read(STACK_FILES.dockerfile),
    dockerignore: read(STACK_FILES.dockerignore),
  };
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
  'vouch-worker': { command: ['node', 'dist/worker/main.js'], source: 'worker/main.ts' },
  'vouch-bot': { command: ['node', 'dist/bot/main.js'], source: 'bot/main.ts' },
} as const;

/** Secrets the stack must refuse to start without (`${NAME:?message}`). */
const MANDATORY = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'VOUCH_ENCRYPTION_KEY', 'POSTGRES_PASSWORD'];

const ADMIN_TOOLS = /^temporalio\/admin-tools:/;

type Check = (files: StackFiles) => string[];

const checkImages: Check = ({ compose }) => {
  const services = servicesOf(compose);
  const problems: string[] = [];
  const expected: Array<[string, RegExp]> = [
    ['postgresql', /^postgres:\d+(\.\d+)*$/],
    ['temporal', /^temporalio\/server:1\.\d+\.\d+$/],
    ['temporal-ui', /^temporalio\/ui:\d+\.\d+\.\d+$/],
    ['mongo', /^mongo:7(\.\d+)*$/],
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
    if (s.image && !/:[\w][\w.-]*$/.test(s.image))
      problems.push(`service ${name}: image ${s.image} has no tag`);
    if (s.image && /:latest$/.test(s.image)) problems.push(`service ${name}: image ${s.image} is not pinned`);
    if (!s.image && !s.build) problems.push(`service ${name}: neither image nor build`);
  }
  for (const name of ['postgresql', 'mongo'])
    if (!(services[name]?.volumes ?? []).some((v) => /^[\w-]+:\/\S+/.test(String(v))))
      problems.push(`service ${name}: its data is not on a named volume`);
  for (const name of ['postgresql', 'mongo', 'temporal'])
    if (!services[name]?.healthcheck?.test) problems.push(`service ${name}: no healthcheck`);
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
        `service ${name}: ${expected.source} (compiled to ${expected.command[1]}) does not exist`,
      );
    if (!listOf(s.env_file).includes('.env')) problems.push(`service ${name}: does not read .env (env_file)`);
    const env = environmentOf(s);
    if (env.TEMPORAL_ADDRESS !== 'temporal:7233')
      problems.push(`service ${name}: TEMPORAL_ADDRESS is ${env.TEMPORAL_ADDRESS}, expected temporal:7233`);
    if (env.MONGODB_URL !== 'mongodb://mongo:27017')
      problems.push(`service ${name}: MONGODB_URL is ${env.MONGODB_URL}, expected mongodb://mongo:27017`);
  }
  const botPorts = (services['vouch-bot']?.ports ?? []).map((p) =>
    typeof p === 'string' ? p : JSON.stringify(p),
  );
  if (!botPorts.some((p) => /:(\$\{BOT_PORT:-3000\}|3000)$/.test(p)))
    problems.push(`service vouch-bot: does not publish BOT_PORT (ports: ${JSON.stringify(botPorts)})`);
  return problems;
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
    if (!entry?.active) problems.push(`.env.example must set the mandatory ${name} (a placeholder)`);
    else if (!/replace-me/.test(entry.value))
      problems.push(`.env.example: ${name} must be a "replace-me" placeholder, never a real secret`);
  }
  // A value that would be accepted as a real key must not ship in an example file.
  const key = documented.get('VOUCH_ENCRYPTION_KEY')?.value ?? '';
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32)
    problems.push('.env.example: VOUCH_ENCRYPTION_KEY is a usable key; it must be a placeholder');
  for (const [name, { value }] of documented)
    if (/^xox[abpr]-\d+-/.test(value) || /^xapp-\d-/.test(value))
      problems.push(`.env.example: ${name} looks like a real Slack token`);
  // Every configuration variable is set by Compose for the worker and the bot, or documented.
  for (const name of Object.keys(CONFIG_VARIABLES))
    for (const service of Object.keys(VOUCH_SERVICES))
      if (!(name in environmentOf(services[service])) && !documented.has(name))
        problems.push(`${name} (lib/config.ts) is neither set for ${service} nor in .env.example`);
  // And nothing in .env.example is a typo or a leftover.
  const known = new Set([...Object.keys(CONFIG_VARIABLES), ...refs.map((r) => r.name)]);
  for (const name of documented.keys())
    if (!known.has(name))
      problems.push(`.env.example: ${name} is used neither by lib/config.ts nor by docker-compose.yml`);
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
    if (!/^FROM\s+node:20-bookworm-slim(\s+AS\s+\S+)?$/i.test(from))
      problems.push(`Dockerfile: "${from}" is not node:20-bookworm-slim`);
  const all = stages.flatMap((s) => s.instructions);
  if (!all.some((i) => /^RUN\s.*\bnpm run build\b/.test(i)))
    problems.push('Dockerfile never runs npm run build');
  if (!final.instructions.some((i) => /^RUN\s.*\bnpm ci\b.*--omit=dev/.test(i)))
    problems.push('Dockerfile: the final stage does not install with npm ci --omit=dev');
  if (!final.instructions.some((i) => /^COPY\s+--from=\S+\s+\S*\bdist\b/.test(i)))
    problems.push('Dockerfile: the final stage does not copy dist/ from the build stage');
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
  return ['node_modules', 'dist', 'data', '.git', 'coverage', '.env']
    .filter((e) => !entries.has(e))
    .map((e) => `.dockerignore does not exclude ${e}`);
};

const CHECKS: Array<[string, Check]> = [
  ['the services use the expected, pinned images', checkImages],
  [
    'the worker and the bot are built from the Dockerfile and wired to temporal and mongo',
    checkVouchServices,
  ],
  ['every variable is documented in .env.example, and the mandatory secrets are enforced', checkVariables],
  ['admin-tools sets up the schema, the namespace and every search attribute, in order', checkTemporalSetup],
  ['depends_on targets exist and their conditions can be met', checkDependsOn],
  ['the Dockerfile is multi-stage, runs as a non-root user and bakes in no secrets', checkDockerfile],
  ['.dockerignore keeps local state and secrets out of the build context', checkDockerignore],
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
    compose((t) => replaceOnce(t, /\$\{POSTGRES_PASSWORD:\?[^}]*\}/, '${POSTGRES_PASSWORD:-temporal}')),
    /POSTGRES_PASSWORD:-temporal\} must be/,
  ],
  [
    'the worker talks to an external MongoDB',
    compose((t) => replaceOnce(t, 'MONGODB_URL: mongodb://mongo:27017', 'MONGODB_URL: mongodb://db:27017')),
    /MONGODB_URL is mongodb:\/\/db:27017/,
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
        'temporal-ui:$1service_healthy',
      ),
    ),
    /waits for temporal-ui to be healthy, but temporal-ui has no healthcheck/,
  ],
  [
    'a configuration variable is missing from .env.example',
    (f) => ({ ...f, envExample: replaceOnce(f.envExample, /^# LOG_LEVEL=.*\n/m, '') }),
    /LOG_LEVEL \(lib\/config\.ts\) is neither set/,
  ],
  [
    '.env.example ships a usable encryption key',
    (f) => ({
      ...f,
      envExample: replaceOnce(
        f.envExample,
        /^VOUCH_ENCRYPTION_KEY=.*$/m,
        `VOUCH_ENCRYPTION_KEY=${'A'.repeat(43)}=`,
      ),
    }),
    /VOUCH_ENCRYPTION_KEY/,
  ],
  [
    '.env.example has a stray variable',
    (f) => ({ ...f, envExample: `${f.envExample}SLACK_BOT_TOKN=xoxb-replace-me\n` }),
    /SLACK_BOT_TOKN is used neither/,
  ],
  [
    'the image runs as root',
    (f) => ({ ...f, dockerfile: replaceOnce(f.dockerfile, /^USER .*$/m, 'USER root') }),
    /final stage runs as root/,
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
    for (const name of Object.values(STACK_FILES))
      fs.copyFileSync(path.join(root, name), path.join(dir, name));
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

    itIfCompose('refuses to start without a mandatory secret, naming it', () => {
      for (const name of MANDATORY) {
        const env = envExample().replace(new RegExp(`^${name}=.*$`, 'm'), '');
        const r = runComposeConfig(composeCmd ?? [], env, ['-q']);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`set ${name} in .env`);
      }
    });

    itIfCompose(
      'gives the worker and the bot the in-stack addresses over .env, and publishes BOT_PORT',
      () => {
        const env = `${envExample()}\nMONGODB_URL=mongodb://elsewhere:27017\nBOT_PORT=3100\n`;
        const r = runComposeConfig(composeCmd ?? [], env, []);
        expect(r.status).toBe(0);
        const services = servicesOf(r.stdout);
        for (const name of Object.keys(VOUCH_SERVICES)) {
          const e = environmentOf(services[name]);
          expect(e).toMatchObject({
            TEMPORAL_ADDRESS: 'temporal:7233',
            MONGODB_URL: 'mongodb://mongo:27017',
            SLACK_BOT_TOKEN: 'xoxb-replace-me',
          });
        }
        expect(environmentOf(services['vouch-bot']).BOT_PORT).toBe('3100');
        expect(JSON.stringify(services['vouch-bot']?.ports)).toMatch(/3100/);
        expect(JSON.stringify(services.temporal?.ports)).toMatch(/127\.0\.0\.1/);
      },
    );
  });
});
