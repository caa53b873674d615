import { loadConfig } from '../lib/config';
import { provisionServers } from './provision';
import { runMain } from '../lib/main';

/** `npm run provision`: installs or checks the cached Temporal and FerretDB binaries. */
runMain(async () => {
  const started = Date.now();
  const config = loadConfig();
  const bins = await provisionServers(config.cacheDir, (m) => console.log(`[provision] ${m}`));
  console.log(
    `[provision] ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${config.cacheDir})\n` +
      Object.entries(bins)
        .map(([k, v]) => `[provision]   ${k}: ${v}`)
        .join('\n'),
  );
});
