import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { say } from './stack';

/** Where every run leaves its figures, one JSON file per run; `npm run bench:chart` draws from them. */
export const RESULTS_DIR = path.join(__dirname, 'results');

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** The 1-minute load average when the run began: above 0 means other work shared the machine. */
  loadAtStart: number;
}

export interface BenchResult {
  run: string;
  date: string;
  machine: Machine;
  options: Record<string, unknown>;
  figures: Record<string, unknown>;
}

export function describeMachine(): Machine {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

/** Writes `<run>-<date>.json` under bench/results/ and returns its path. */
export function writeResult(
  run: string,
  machine: Machine,
  options: Record<string, unknown>,
  figures: Record<string, unknown>,
  dir = RESULTS_DIR,
): string {
  const date = new Date().toISOString();
  const result: BenchResult = { run, date, machine, options, figures };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${run}-${date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`figures written to ${path.relative(process.cwd(), file)}`);
  return file;
}

export function readResults(dir = RESULTS_DIR): BenchResult[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as BenchResult);
}
