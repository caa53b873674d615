import { spawn, spawnSync } from 'node:child_process';

/** Small helpers to run provisioning commands with readable failures. */
export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
}

export function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command; on failure throws ProvisionError with its output and the given hint. */
export function runStep(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; hint: string; onLine?: (line: string) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-8000);
      if (opts.onLine) for (const line of text.split('\n')) if (line.trim()) opts.onLine(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) =>
      reject(new ProvisionError(`${cmd} could not run: ${err.message}\n${opts.hint}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new ProvisionError(
            `\`${cmd} ${args.join(' ')}\` failed (exit ${code}).\n${output.trim()}\n\nHow to fix: ${opts.hint}`,
          ),
        );
    });
  });
}
