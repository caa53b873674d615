import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { childEnv } from '../lib/config';
import { commandExists, runStep } from './run';
import type { Progress } from './provision';

/**
 * The real Chromium the browser tests drive (with puppeteer-core, which never downloads a browser).
 * Found as VOUCH_CHROMIUM or on the PATH; where it is missing and this is a Debian-like machine run as
 * root, Debian's `chromium` package is installed, as the servers are provisioned. Where it can be had
 * in none of these ways the result says why, and the browser tests skip with that reason.
 */
export type BrowserProvision = { chromium: string } | { missing: string };

const ON_PATH = ['chromium', 'chromium-browser'];

export async function provisionBrowser(
  configured: string | undefined,
  progress: Progress = () => {},
): Promise<BrowserProvision> {
  if (configured)
    return runs(configured)
      ? { chromium: configured }
      : { missing: `VOUCH_CHROMIUM=${configured} does not run (\`${configured} --version\` failed)` };
  const found = findOnPath();
  if (found) {
    progress(`Chromium: ${found}`);
    return { chromium: found };
  }
  if (process.getuid?.() !== 0 || !commandExists('apt-get'))
    return {
      missing:
        "Chromium was not found on the PATH and cannot be installed here (that needs root and apt-get): install Debian's chromium, or set VOUCH_CHROMIUM to a Chromium binary",
    };
  const started = Date.now();
  progress("Chromium: installing Debian's chromium package (first time only, about a minute)…");
  try {
    await aptInstallChromium();
  } catch (err) {
    return { missing: `apt-get could not install chromium: ${(err as Error).message}` };
  }
  const installed = findOnPath();
  if (!installed) return { missing: 'apt-get installed chromium, but no chromium binary is on the PATH' };
  progress(`Chromium: installed in ${((Date.now() - started) / 1000).toFixed(1)} s (${installed})`);
  return { chromium: installed };
}

function findOnPath(): string | undefined {
  for (const name of ON_PATH) {
    if (!commandExists(name)) continue;
    const resolved = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (resolved && runs(resolved)) return fs.realpathSync(resolved);
  }
  return undefined;
}

function runs(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

async function aptInstallChromium(): Promise<void> {
  // Other installs on the machine may hold dpkg's lock for a while: wait for it rather than fail.
  const install = [
    '-o',
    'DPkg::Lock::Timeout=600',
    'install',
    '-y',
    '-qq',
    '--no-install-recommends',
    'chromium',
  ];
  const opts = {
    env: childEnv({ DEBIAN_FRONTEND: 'noninteractive' }),
    hint: "install Debian's chromium package by hand (apt-get install chromium), or set VOUCH_CHROMIUM",
  };
  try {
    await runStep('apt-get', install, opts);
  } catch {
    // A fresh machine may have no package lists yet.
    await runStep('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-qq'], opts);
    await runStep('apt-get', install, opts);
  }
}
