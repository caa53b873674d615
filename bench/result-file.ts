import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { say } from './stack';

/**
 * One JSON file per run under bench/results/: `{ run, date, machine, options, figures }`. The machine's
 * load average at the start says whether other work shared it.
 */
const RESULTS_DIR = path.join(__dirname, 'results');

export function writeResult(
  run: string,
  options: Record<string, unknown>,
  figures: Record<string, unknown>,
): string {
  const date = new Date().toISOString();
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAtEnd: Number(os.loadavg()[0]!.toFixed(2)),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${run}-${date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ run, date, machine, options, figures }, null, 2)}\n`);
  say(`figures written to ${path.relative(process.cwd(), file)}`);
  return file;
}
