import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** `npm run bench:chart` draws a PNG from the results' JSON files (vega-lite → vega SVG → resvg). */
jest.setTimeout(60_000);

const run = promisify(execFile);
const ROOT = path.join(__dirname, '../..');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function interviewRun(concurrency: number, p99: number) {
  return {
    run: 'interviews',
    date: `2026-12-04T0${concurrency % 10}:00:00.000Z`,
    machine: { cores: 2, cpu: 'Test CPU', memoryGiB: 24, node: 'v20.20.2', os: 'Linux', loadAtStart: 0 },
    options: { alerts: 200, seconds: 15, concurrency },
    figures: {
      'alert → DM': { p50: p99 / 3, p99, rate: 5, runs: 200 },
      'bare workflow': { p50: p99 / 9, p99: p99 / 3, rate: 30, runs: 200 },
    },
  };
}

function chart(dir: string, out: string) {
  return run(process.execPath, ['--import', 'tsx', 'bench/chart-cli.ts', '--results', dir, '--out', out], {
    cwd: ROOT,
  });
}

it('renders a PNG 1200 pixels wide from sample interview runs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-chart-'));
  for (const [c, p99] of [
    [4, 600],
    [16, 4000],
    [50, 17000],
  ] as const)
    fs.writeFileSync(path.join(dir, `interviews-${c}.json`), JSON.stringify(interviewRun(c, p99)));
  const out = path.join(dir, 'chart.png');
  await chart(dir, out);
  const png = fs.readFileSync(out);
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  expect(width).toBe(1200);
  expect(height).toBeGreaterThan(400);
  expect(height).toBeLessThan(900);
  // A chart with lines, text and a legend, not an empty canvas.
  expect(png.length).toBeGreaterThan(20_000);
});

it('says which run to make when the results hold no interview run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-chart-'));
  await expect(chart(dir, path.join(dir, 'chart.png'))).rejects.toMatchObject({
    stderr: expect.stringContaining('npm run bench -- --only interviews'),
  });
  expect(fs.existsSync(path.join(dir, 'chart.png'))).toBe(false);
});
