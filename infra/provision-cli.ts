import { loadConfig } from '../lib/config';
import { provisionChartTools, provisionServers } from './provision';
import { runMain } from '../lib/main';
import { DEFAULT_MONGO_BACKEND } from './embedded-mongo';
import { postgresBinaries } from './postgres';
import { provisionBrowser } from './browser';

/**
 * `npm run provision`: installs or checks the cached Temporal and FerretDB binaries and the chart tools,
 * checks that npm's PostgreSQL runs here unless SQLite is chosen, and finds or installs the Chromium
 * of the browser tests (a Chromium that cannot be had only skips those tests).
 */
runMain(async () => {
  const started = Date.now();
  const config = loadConfig();
  const progress = (m: string) => console.log(`[provision] ${m}`);
  const browser = await provisionBrowser(config.chromium, progress);
  const bins = {
    ...(await provisionServers(config.cacheDir, progress)),
    ...(await provisionChartTools(config.cacheDir, progress)),
    ...((config.embedded.mongoBackend ?? DEFAULT_MONGO_BACKEND) === 'postgresql'
      ? { postgres: (await postgresBinaries()).postgres }
      : {}),
    chromium:
      'chromium' in browser ? browser.chromium : `none, the browser tests will skip: ${browser.missing}`,
  };
  console.log(
    `[provision] ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${config.cacheDir})\n` +
      Object.entries(bins)
        .map(([k, v]) => `[provision]   ${k}: ${v}`)
        .join('\n'),
  );
});
