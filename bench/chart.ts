import { Resvg } from '@resvg/resvg-js';
import type { BenchResult } from './results';

/** The PNG's width in pixels; its height follows the chart's proportions. */
export const CHART_WIDTH = 1200;
const FONT = 'DejaVu Sans';

interface Point {
  inFlight: number;
  path: string;
  percentile: string;
  ms: number;
}

/** The newest interview run at each concurrency, by concurrency. */
function newestByConcurrency(results: BenchResult[]): BenchResult[] {
  const newest = new Map<number, BenchResult>();
  for (const r of results.filter((r) => r.run === 'interviews'))
    if ((newest.get(Number(r.options.concurrency))?.date ?? '') < r.date)
      newest.set(Number(r.options.concurrency), r);
  return [...newest.values()].sort((a, b) => Number(a.options.concurrency) - Number(b.options.concurrency));
}

/** p50 and p99 of alert → DM and of the bare workflow against the number in flight. */
export function latencyPoints(runs: BenchResult[]): Point[] {
  const points: Point[] = [];
  for (const r of runs)
    for (const path of ['alert → DM', 'bare workflow'])
      for (const percentile of ['p50', 'p99'] as const) {
        const ms = (r.figures[path] as Record<string, number> | undefined)?.[percentile];
        if (ms !== undefined)
          points.push({ inFlight: Number(r.options.concurrency), path, percentile, ms: Math.round(ms) });
      }
  return points;
}

/** The chart as PNG bytes: vega-lite compiles the spec, vega draws it as SVG, resvg rasterizes it. */
export async function renderLatencyChart(results: BenchResult[]): Promise<Buffer> {
  const runs = newestByConcurrency(results);
  const points = latencyPoints(runs);
  if (points.length === 0)
    throw new Error('no interview run in the results: run npm run bench -- --only interviews');
  const machine = runs.at(-1)!.machine;
  // Other work on the machine shows in the load average each run began with.
  const loads = runs.map((r) => r.machine.loadAtStart);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Latency against load',
      subtitle: `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}; load average at start ${Math.min(...loads)}–${Math.max(...loads)}`,
    },
    width: 560,
    height: 320,
    background: 'white',
    config: { font: FONT },
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'inFlight',
        type: 'quantitative',
        scale: { type: 'log' },
        axis: { values: [...new Set(points.map((p) => p.inFlight))], title: 'in flight (concurrency)' },
      },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency, ms (log scale)' },
      color: { field: 'path', type: 'nominal', title: null },
      strokeDash: {
        field: 'percentile',
        type: 'nominal',
        title: null,
        legend: { symbolType: 'stroke', symbolStrokeColor: 'black', symbolStrokeWidth: 2 },
      },
      detail: { field: 'percentile' },
    },
  };
  // ESM only, with a top-level await: loaded by import(), not require().
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: CHART_WIDTH },
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
  })
    .render()
    .asPng();
  return Buffer.from(png);
}
