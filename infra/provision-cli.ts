import { loadConfig } from '../lib/config';
import { provisionChartTools, provisionServers } from './provision';
import { runMain } from '../lib/main';

/** `npm run provision`: installs or checks the cached Temporal and FerretDB binaries, and the chart tools. */
runMain(async () => {
  const started = Date.now();
  const config = loadConfig();
  const progress = (m: string) => console.log(`[provision] ${m}`);
  const bins = {
    ...(await provisionServers(config.cacheDir, progress)),
    ...(await provisionChartTools(config.cacheDir, progress)),
  };
  console.log(
    `[provision] ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${config.cacheDir})\n` +
      Object.entries(bins)
        .map(([k, v]) => `[provision]   ${k}: ${v}`)
        .join('\n'),
  );
});
