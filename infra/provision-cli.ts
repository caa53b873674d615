import { loadConfig } from '../lib/config';
import { provisionChartTools, provisionServers } from './provision';
import { runMain } from '../lib/main';
import { DEFAULT_MONGO_BACKEND } from './embedded-mongo';
import { postgresBinaries } from './postgres';

/**
 * `npm run provision`: installs or checks the cached Temporal and FerretDB binaries and the chart tools,
 * and checks that npm's PostgreSQL runs here unless SQLite is chosen.
 */
runMain(async () => {
  const started = Date.now();
  const config = loadConfig();
  const progress = (m: string) => console.log(`[provision] ${m}`);
  const bins = {
    ...(await provisionServers(config.cacheDir, progress)),
    ...(await provisionChartTools(config.cacheDir, progress)),
    ...((config.embedded.mongoBackend ?? DEFAULT_MONGO_BACKEND) === 'postgresql'
      ? { postgres: (await postgresBinaries()).postgres }
      : {}),
  };
  console.log(
    `[provision] ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${config.cacheDir})\n` +
      Object.entries(bins)
        .map(([k, v]) => `[provision]   ${k}: ${v}`)
        .join('\n'),
  );
});
