import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runMain } from '../lib/main';
import { renderLatencyChart } from './chart';
import { RESULTS_DIR, readResults } from './results';

/** `npm run bench:chart`: draws the latency chart from the JSON files of bench/results/. */
runMain(async () => {
  const { values } = parseArgs({
    options: {
      results: { type: 'string', default: RESULTS_DIR },
      out: { type: 'string', default: path.join(RESULTS_DIR, 'latency-vs-load.png') },
    },
  });
  fs.writeFileSync(values.out, await renderLatencyChart(readResults(values.results)));
  console.log(`[bench] chart written to ${path.relative(process.cwd(), values.out)}`);
});
