import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/**
 * One of Vouch's entry points (e.g. worker/main.ts) as its own process, with only the given
 * environment (plus PATH and HOME), as a container or a pod runs it. `output()` is stdout and stderr so far.
 */
export function startEntryPoint(
  entry: string,
  env: Record<string, string>,
  nodeOptions: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
