import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, SECRET_FILE_VARIABLES, loadConfig } from '../../lib/config';
import { type ChartTools, provisionChartTools } from '../../infra/provision';
import { WORKER_HEAP_MIB, heapLimitFlag } from '../../worker/heap';

/**
 * The Helm chart (deploy/helm/vouch), checked with the real helm (lint, template) and Vouch's strict
 * validator (infra/k8s-validate), which decodes every rendered object into the official Kubernetes API
 * types and rejects unknown fields, wrong value types and unknown kinds: no cluster and no schema
 * download needed. Both tools are built from the Go module proxy and cached (infra/provision.ts).
 */

const root = path.resolve(__dirname, '..', '..');
const chart = path.join(root, 'deploy', 'helm', 'vouch');
const valuesFiles = {
  everything: path.join(chart, 'ci', 'test-values.yaml'),
  existingSecret: path.join(chart, 'ci', 'existing-secret-values.yaml'),
};

let tools: ChartTools;

beforeAll(async () => {
  // A fresh machine builds both from source (a few minutes on 2 cores); afterwards they are cached.
  tools = await provisionChartTools(loadConfig().cacheDir);
}, 900_000);

function helm(args: string[]) {
  return spawnSync(tools.helm, args, {
    encoding: 'utf8',
    timeout: 60_000,
    // No repositories, plugins or kubeconfig of the machine running the tests.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), HELM_CACHE_HOME: os.tmpdir() },
  });
}

function validate(manifests: string) {
  return spawnSync(tools.k8sValidate, [], { input: manifests, encoding: 'utf8', timeout: 60_000 });
}

/** `helm template` of the full test values with these `--set`s, failed or not. */
function renderEverythingWith(...sets: string[]) {
  return helm([
    'template',
    'vouch',
    chart,
    '-f',
    valuesFiles.everything,
    ...sets.flatMap((v) => ['--set', v]),
  ]);
}

function render(...args: string[]): string {
  const r = helm(['template', 'vouch', chart, '--namespace', 'vouch', ...args]);
  if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return r.stdout;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function objectsOf(manifests: string): K8sObject[] {
  return parseAllDocuments(manifests)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const containerOf = (deployment: K8sObject): any => deployment.spec?.template.spec.containers[0];
/** A Kubernetes quantity of memory (`1280Mi`, `1Gi`) in MiB. */
const mebibytes = (quantity: string): number => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory ${quantity}: expected <n>Mi or <n>Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};
const envOf = (deployment: K8sObject): Record<string, string> =>
  Object.fromEntries(
    (containerOf(deployment).env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
  );

/** The VOUCH_TEAMS_* variables docker-compose.yml gives the bot and the worker (its anchor included). */
function composeTeamsVariables(): { bot: string[]; worker: string[] } {
  const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  const teamsOf = (service: string) =>
    Object.keys(compose.services[service]!.environment)
      .filter((v) => v.startsWith('VOUCH_TEAMS_'))
      .sort();
  return { bot: teamsOf('vouch-bot'), worker: teamsOf('vouch-worker') };
}

describe('Helm chart deploy/helm/vouch', () => {
  it.each(Object.entries(valuesFiles))('helm lint --strict passes (%s values)', (_name, values) => {
    const r = helm(['lint', chart, '--strict', '-f', values]);
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({
      status: 0,
      out: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed'),
    });
  });

  it.each(Object.entries(valuesFiles))(
    'every rendered object decodes strictly into the Kubernetes API types (%s values)',
    (_name, values) => {
      const r = validate(render('-f', values));
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toMatch(/k8s-validate: \d+ objects valid/);
    },
  );

  it('renders the worker with probes on its heartbeat, resources, an HPA and a PodDisruptionBudget', () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const worker = find(objects, 'Deployment', 'vouch-worker');
    const env = envOf(worker);
    const container = containerOf(worker);
    expect(container.command).toEqual(['node', heapLimitFlag(), 'dist/worker/main.js']);
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe])
      expect(probe.exec.command).toEqual([
        'node',
        'dist/worker/health-check.js',
        env.VOUCH_HEALTH_FILE,
        '30',
      ]);
    expect(container.resources).toMatchObject({
      requests: { cpu: expect.any(String) },
      limits: { memory: expect.any(String) },
    });
    // Room above the heap for what is not heap (the Temporal core, buffers: RSS peaked about 320 MiB above it).
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(WORKER_HEAP_MIB + 320);
    // The HPA owns the replica count.
    expect(worker.spec).not.toHaveProperty('replicas');
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'vouch-worker');
    expect(hpa.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'vouch-worker',
    });
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find(objects, 'PodDisruptionBudget', 'vouch-worker');
    expect(pdb.spec?.selector.matchLabels).toEqual(worker.spec?.selector.matchLabels);
    expect(worker.spec?.template.metadata.labels).toMatchObject(pdb.spec?.selector.matchLabels);
    expect(env.VOUCH_POLICIES_FILE).toBe('/etc/vouch/policies.yml');
    expect(find(objects, 'ConfigMap', 'vouch-policies')).toBeDefined();
  });

  it("gives the worker the verdict receivers, their secrets and Splunk's token, which its config loads", () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const env = envOf(find(objects, 'Deployment', 'vouch-worker'));
    const secret = find(objects, 'Secret', 'vouch-secrets') as unknown as {
      stringData: Record<string, string>;
    };
    // The Secret's keys as the files Kubernetes mounts, at the paths the _FILE variables name.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-helm-secrets-'));
    const processEnv: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(env)) {
      if (!name.endsWith('_FILE') || !value.startsWith('/run/secrets/vouch/')) {
        processEnv[name] = value;
        continue;
      }
      const file = path.join(dir, path.basename(value));
      fs.writeFileSync(file, secret.stringData[path.basename(value)] ?? '');
      processEnv[name] = file;
    }
    delete processEnv.VOUCH_POLICIES_FILE;
    delete processEnv.VOUCH_HEALTH_FILE;
    try {
      const config = loadConfig(processEnv, dir);
      expect(config.verdicts.webhooks).toEqual([{ name: 'siem', url: 'https://siem.example.com/vouch' }]);
      expect(Object.keys(config.verdicts.secrets)).toEqual(['siem']);
      expect(config.verdicts.splunk).toEqual({
        url: 'https://splunk.example.com:8088',
        token: '11111111-2222-3333-4444-555555555555',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the bot with replicas, /healthz probes, a Service and an Ingress for its paths and the intake only', () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const bot = find(objects, 'Deployment', 'vouch-bot');
    const container = containerOf(bot);
    expect(bot.spec?.replicas).toBeGreaterThanOrEqual(2);
    for (const probe of [container.livenessProbe, container.readinessProbe])
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([
      { name: 'http', containerPort: Number(envOf(bot).BOT_PORT), protocol: 'TCP' },
      { name: 'teams', containerPort: Number(envOf(bot).VOUCH_TEAMS_PORT), protocol: 'TCP' },
    ]);
    const service = find(objects, 'Service', 'vouch-bot');
    expect(service.spec?.selector).toEqual(bot.spec?.selector.matchLabels);
    expect(service.spec?.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'teams', port: 3978, targetPort: 'teams', protocol: 'TCP' },
    ]);
    const ingress = find(objects, 'Ingress', 'vouch');
    const paths = ingress.spec?.rules[0].http.paths.map(
      (p: { path: string; pathType: string }) => `${p.pathType} ${p.path}`,
    );
    expect(paths).toEqual([
      'Exact /slack/events',
      'Prefix /enroll/',
      'Prefix /answer/',
      'Prefix /passkey/',
      'Prefix /assets/',
      'Exact /api/messages',
      'Prefix /v1/',
    ]);
    const teamsPath = ingress.spec?.rules[0].http.paths.find(
      (p: { path: string }) => p.path === '/api/messages',
    );
    expect(teamsPath.backend.service).toEqual({ name: 'vouch-bot', port: { name: 'teams' } });
    expect(ingress.spec?.tls[0].hosts).toEqual(['vouch.example.com']);
  });

  it("gives the worker and the bot the compose stack's Teams settings, with the app password as a secret file", () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const compose = composeTeamsVariables();
    const bot = envOf(find(objects, 'Deployment', 'vouch-bot'));
    const worker = envOf(find(objects, 'Deployment', 'vouch-worker'));
    expect(
      Object.keys(bot)
        .filter((v) => v.startsWith('VOUCH_TEAMS_'))
        .sort(),
    ).toEqual(compose.bot);
    expect(
      Object.keys(worker)
        .filter((v) => v.startsWith('VOUCH_TEAMS_'))
        .sort(),
    ).toEqual(compose.worker);
    expect(bot).toMatchObject({
      VOUCH_TEAMS_APP_ID: '00000000-0000-4000-8000-00000000a991',
      VOUCH_TEAMS_TENANT_ID: '00000000-0000-4000-8000-0000000071e7',
      VOUCH_TEAMS_OPERATORS_CONVERSATION: '19:operators@thread.tacv2',
      VOUCH_TEAMS_OPERATORS: '00000000-0000-4000-8000-0000000000a1',
      VOUCH_TEAMS_PORT: '3978',
      VOUCH_TEAMS_APP_PASSWORD_FILE: '/run/secrets/vouch/vouch_teams_app_password',
    });
    expect(bot).not.toHaveProperty('VOUCH_TEAMS_APP_PASSWORD');
    const secret = find(objects, 'Secret', 'vouch-secrets') as unknown as {
      stringData: Record<string, string>;
    };
    expect(secret.stringData.vouch_teams_app_password).toBe('test-teams-app-password');
    // The rendered settings load: the config module takes them as the bot would.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-helm-teams-'));
    fs.writeFileSync(path.join(dir, 'vouch_teams_app_password'), secret.stringData.vouch_teams_app_password!);
    const teams = loadConfig({
      ...bot,
      VOUCH_TEAMS_APP_PASSWORD_FILE: path.join(dir, 'vouch_teams_app_password'),
      MONGODB_URL_FILE: '',
      SLACK_BOT_TOKEN_FILE: '',
      SLACK_SIGNING_SECRET_FILE: '',
      SLACK_APP_TOKEN_FILE: '',
      VOUCH_ENCRYPTION_KEY_FILE: '',
      VOUCH_PREVIOUS_ENCRYPTION_KEYS_FILE: '',
    }).teams;
    expect(teams).toMatchObject({ appPassword: 'test-teams-app-password', port: 3978 });
    // Graph lookups: the worker asks Graph, the bot reads what it found; both are told.
    expect(teams?.graph).toEqual({
      url: 'https://graph.microsoft.com',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(worker).toMatchObject({
      VOUCH_GRAPH_LOOKUP: 'true',
      VOUCH_GRAPH_URL: 'https://graph.microsoft.com',
    });
  });

  it('renders for Teams alone: no Slack secrets needed, but the app password and tenant are', () => {
    const teamsAlone = [
      '-f',
      valuesFiles.everything,
      '--set',
      'secrets.slackBotToken=',
      '--set',
      'secrets.slackSigningSecret=',
    ];
    const secret = find(objectsOf(render(...teamsAlone)), 'Secret', 'vouch-secrets') as unknown as {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toMatchObject({ slack_bot_token: '', slack_signing_secret: '' });
    const noPassword = helm([
      'template',
      'vouch',
      chart,
      ...teamsAlone,
      '--set',
      'secrets.teamsAppPassword=',
    ]);
    expect(noPassword.status).not.toBe(0);
    expect(noPassword.stderr).toMatch(/secrets\.teamsAppPassword is required with teams\.appId/);
    const noTenant = helm(['template', 'vouch', chart, ...teamsAlone, '--set', 'teams.tenantId=']);
    expect(noTenant.status).not.toBe(0);
    expect(noTenant.stderr).toMatch(/teams\.tenantId is required with teams\.appId/);
    // Without Teams, the Teams port, Service port, Ingress path and secret file are left out (an existing
    // Secret made before Teams needs no new key).
    const withoutTeams = objectsOf(render('-f', valuesFiles.existingSecret));
    for (const name of ['vouch-bot', 'vouch-worker']) {
      const deployment = find(withoutTeams, 'Deployment', name);
      expect(envOf(deployment)).not.toHaveProperty('VOUCH_TEAMS_APP_PASSWORD_FILE');
      const volume = deployment.spec?.template.spec.volumes.find(
        (v: { name: string }) => v.name === 'secrets',
      );
      expect(volume.secret.items.map((i: { key: string }) => i.key)).not.toContain(
        'vouch_teams_app_password',
      );
    }
    const graphWithoutTeams = renderEverythingWith('teams.appId=');
    expect(graphWithoutTeams.status).not.toBe(0);
    expect(graphWithoutTeams.stderr).toMatch(/teams\.graphLookup needs teams\.appId/);
    const objects = objectsOf(
      render('-f', valuesFiles.everything, '--set', 'teams.appId=', '--set', 'teams.graphLookup=false'),
    );
    expect(
      containerOf(find(objects, 'Deployment', 'vouch-bot')).ports.map((p: { name: string }) => p.name),
    ).toEqual(['http']);
    const paths = find(objects, 'Ingress', 'vouch').spec?.rules[0].http.paths.map(
      (p: { path: string }) => p.path,
    );
    expect(paths).not.toContain('/api/messages');
  });

  it('renders the codec server with /healthz probes on its port and a Service', () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const codec = find(objects, 'Deployment', 'vouch-codec');
    const container = containerOf(codec);
    const env = envOf(codec);
    expect(container.command).toEqual(['node', 'dist/codec-server/main.js']);
    expect(env).toMatchObject({ VOUCH_CODEC_PORT: '8234', TEMPORAL_UI_URL: 'https://temporal.example.com' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8234, protocol: 'TCP' }]);
    for (const probe of [container.livenessProbe, container.readinessProbe])
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    const service = find(objects, 'Service', 'vouch-codec');
    expect(service.spec?.selector).toEqual(codec.spec?.selector.matchLabels);
    expect(codec.spec?.template.metadata.labels).toMatchObject(service.spec?.selector);
    expect(service.spec?.ports).toEqual([{ name: 'http', port: 8234, targetPort: 'http', protocol: 'TCP' }]);
    // Its selector picks neither the bot nor the worker.
    expect(find(objects, 'Deployment', 'vouch-bot').spec?.template.metadata.labels).not.toMatchObject(
      service.spec?.selector,
    );
  });

  it('leaves the codec server out with codec.enabled=false, and then needs no codec token', () => {
    const objects = objectsOf(
      render('-f', valuesFiles.everything, '--set', 'codec.enabled=false', '--set', 'secrets.codecToken='),
    );
    expect(objects.filter((o) => o.metadata.name === 'vouch-codec')).toEqual([]);
    const secret = find(objects, 'Secret', 'vouch-secrets') as unknown as { stringData: object };
    expect(Object.keys(secret.stringData)).not.toContain('vouch_codec_token');
    const r = renderEverythingWith('secrets.codecToken=');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/secrets\.codecToken is required for the codec server/);
  });

  it('hands each process only its own secrets, as files read through <NAME>_FILE', () => {
    const objects = objectsOf(render('-f', valuesFiles.everything));
    const known = new Set([
      ...Object.keys(CONFIG_VARIABLES),
      ...SECRET_FILE_VARIABLES.map((v) => `${v}_FILE`),
      'NODE_ENV',
    ]);
    const secret = find(objects, 'Secret', 'vouch-secrets');
    for (const name of ['vouch-worker', 'vouch-bot', 'vouch-codec', 'vouch-intake']) {
      const deployment = find(objects, 'Deployment', name);
      const env = envOf(deployment);
      for (const variable of Object.keys(env)) expect(known).toContain(variable);
      for (const variable of SECRET_FILE_VARIABLES) expect(env).not.toHaveProperty(variable);
      // Every process that opens Temporal payloads still opens those sealed before a key rotation.
      expect(env).toHaveProperty('VOUCH_PREVIOUS_ENCRYPTION_KEYS_FILE');
      const volume = deployment.spec?.template.spec.volumes.find(
        (v: { name: string }) => v.name === 'secrets',
      );
      expect(volume.secret.secretName).toBe('vouch-secrets');
      const mounted = volume.secret.items.map((i: { key: string }) => i.key).sort();
      // Every _FILE variable points at a mounted key, and every mounted key is read.
      const read = Object.entries(env)
        .filter(
          ([k]) =>
            k.endsWith('_FILE') &&
            !['VOUCH_POLICIES_FILE', 'VOUCH_HEALTH_FILE', 'VOUCH_SOURCES_FILE'].includes(k),
        )
        .map(([, v]) => path.basename(v))
        .sort();
      expect(read).toEqual(mounted);
      for (const key of mounted)
        expect(Object.keys((secret as unknown as { stringData: object }).stringData)).toContain(key);
    }
    expect(envOf(find(objects, 'Deployment', 'vouch-worker'))).not.toHaveProperty(
      'SLACK_SIGNING_SECRET_FILE',
    );
    expect(envOf(find(objects, 'Deployment', 'vouch-bot'))).not.toHaveProperty('VOUCH_LLM_API_KEY_FILE');
    // The codec server holds the payload keys and its token, nothing of Slack or MongoDB.
    expect(
      Object.keys(envOf(find(objects, 'Deployment', 'vouch-codec')))
        .filter((v) => v.endsWith('_FILE'))
        .sort(),
    ).toEqual(['VOUCH_CODEC_TOKEN_FILE', 'VOUCH_ENCRYPTION_KEY_FILE', 'VOUCH_PREVIOUS_ENCRYPTION_KEYS_FILE']);
    for (const name of ['vouch-worker', 'vouch-bot'])
      expect(envOf(find(objects, 'Deployment', name))).not.toHaveProperty('VOUCH_CODEC_TOKEN_FILE');
  });

  it('uses an existing Secret instead of creating one, and fixed replicas without the HPA', () => {
    const objects = objectsOf(render('-f', valuesFiles.existingSecret));
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const worker = find(objects, 'Deployment', 'vouch-worker');
    expect(worker.spec?.replicas).toBe(3);
    expect(containerOf(worker).image).toMatch(/@sha256:0{64}$/);
    const volume = worker.spec?.template.spec.volumes.find((v: { name: string }) => v.name === 'secrets');
    expect(volume.secret.secretName).toBe('vouch-secrets');
  });

  it('refuses to render without the mandatory secrets, naming the value to set', () => {
    const r = helm(['template', 'vouch', chart]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/secrets\.\w+ is required \(or set secrets\.existingSecret\)/);
  });

  it.each([
    ['a misspelt value', ['--set', 'workr.replicas=3'], /additional properties 'workr' not allowed/],
    [
      'a value of the wrong type',
      ['--set', 'worker.replicas=two'],
      /'\/worker\/replicas': got string, want integer/,
    ],
    ['a bad Temporal address', ['--set', 'temporal.address=temporal'], /'\/temporal\/address'/],
    [
      'a codec token shorter than 32 characters',
      ['--set', 'secrets.codecToken=short'],
      /'\/secrets\/codecToken'/,
    ],
  ])('values.schema.json refuses %s, naming it', (_name, args, expected) => {
    const r = helm(['template', 'vouch', chart, '-f', valuesFiles.everything, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(expected);
  });

  it('renders the intake with /healthz readiness, a Service, sources.yml from a ConfigMap and the Ingress path /v1/', () => {
    const sources = 'lab:\n  map:\n    type: "\'lab.event\'"\n';
    const objects = objectsOf(
      render('-f', valuesFiles.everything, '--set-string', `intake.sources=${sources}`),
    );
    const intake = find(objects, 'Deployment', 'vouch-intake');
    const container = containerOf(intake);
    const env = envOf(intake);
    expect(container.command).toEqual(['node', 'dist/intake/main.js']);
    expect(env).toMatchObject({
      VOUCH_INTAKE_HOST: '0.0.0.0',
      VOUCH_INTAKE_PORT: '8088',
      VOUCH_SOURCES_FILE: '/etc/vouch/sources.yml',
    });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8088, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    const configMap = find(objects, 'ConfigMap', 'vouch-sources') as unknown as {
      data: Record<string, string>;
    };
    expect(configMap.data['sources.yml']).toBe(sources);
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'sources');
    expect(`${mount.mountPath}/sources.yml`).toBe(env.VOUCH_SOURCES_FILE);
    const service = find(objects, 'Service', 'vouch-intake');
    expect(service.spec?.selector).toEqual(intake.spec?.selector.matchLabels);
    expect(find(objects, 'Deployment', 'vouch-bot').spec?.template.metadata.labels).not.toMatchObject(
      service.spec?.selector,
    );
    const ingress = find(objects, 'Ingress', 'vouch');
    const intakePath = ingress.spec?.rules[0].http.paths.find((p: { path: string }) => p.path === '/v1/');
    expect(intakePath.backend.service).toEqual({ name: 'vouch-intake', port: { name: 'http' } });
    // Nothing of Slack: MongoDB's URL, the payload keys and the sources' signing secrets only.
    expect(
      Object.keys(env)
        .filter((v) => v.endsWith('_FILE') && v !== 'VOUCH_SOURCES_FILE')
        .sort(),
    ).toEqual([
      'MONGODB_URL_FILE',
      'VOUCH_ENCRYPTION_KEY_FILE',
      'VOUCH_PREVIOUS_ENCRYPTION_KEYS_FILE',
      'VOUCH_SOURCE_SECRETS_FILE',
    ]);

    const without = objectsOf(render('-f', valuesFiles.everything, '--set', 'intake.enabled=false'));
    expect(without.filter((o) => o.metadata.name.startsWith('vouch-intake'))).toEqual([]);
    const paths = find(without, 'Ingress', 'vouch').spec?.rules[0].http.paths.map(
      (p: { path: string }) => p.path,
    );
    expect(paths).toEqual([
      '/slack/events',
      '/enroll/',
      '/answer/',
      '/passkey/',
      '/assets/',
      '/api/messages',
    ]);
    const secret = find(without, 'Secret', 'vouch-secrets') as unknown as { stringData: object };
    expect(Object.keys(secret.stringData)).not.toContain('vouch_source_secrets');
    // Without sources.yml the intake still runs (/v1/alerts); no ConfigMap, no file.
    const plain = objectsOf(render('-f', valuesFiles.everything));
    expect(plain.filter((o) => o.metadata.name === 'vouch-sources')).toEqual([]);
    expect(envOf(find(plain, 'Deployment', 'vouch-intake'))).not.toHaveProperty('VOUCH_SOURCES_FILE');
  });

  describe('the validator rejects a broken object', () => {
    const broken: Array<[string, (manifests: string) => string, RegExp]> = [
      [
        'an unknown field',
        (m) =>
          m.replace(
            /^(\s+)terminationGracePeriodSeconds:/m,
            '$1terminationGracePeriod: 30\n$1terminationGracePeriodSeconds:',
          ),
        /Deployment "vouch-worker".*unknown field "terminationGracePeriod"/,
      ],
      [
        'a field in the wrong place',
        (m) =>
          m.replace(
            /^(\s+)readinessProbe:\n(\s+)httpGet:/m,
            '$1readinessProbe:\n$2path: /healthz\n$2httpGet:',
          ),
        /Deployment "vouch-bot".*unknown field "path"/,
      ],
      [
        'a value of the wrong type',
        (m) => m.replace(/minAvailable: 1/, 'minAvailable: [1]'),
        /PodDisruptionBudget "vouch-worker"/,
      ],
      [
        'a misspelt kind',
        (m) => m.replace('kind: HorizontalPodAutoscaler', 'kind: HorizontalPodAutoScaler'),
        /autoscaling\/v2 HorizontalPodAutoScaler "vouch-worker".*not a Kubernetes API type/,
      ],
      [
        'a duplicated field',
        (m) =>
          m.replace(
            /^(\s+)automountServiceAccountToken: false\n/m,
            '$1automountServiceAccountToken: false\n$1automountServiceAccountToken: true\n',
          ),
        /duplicate field|already set|mapping key .* already defined/,
      ],
    ];
    it.each(broken)('%s', (_name, breakIt, expected) => {
      const manifests = render('-f', valuesFiles.everything);
      const damaged = breakIt(manifests);
      expect(damaged).not.toBe(manifests);
      const r = validate(damaged);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(expected);
    });
  });
});
