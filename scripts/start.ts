import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childEnv, loadConfig, missingForSlack } from '../lib/config';
import { runMain } from '../lib/main';
import { loadOrCreateEmbeddedCodecToken, loadOrCreateEmbeddedKey } from '../infra/encryption-key';
import { provisionServers } from '../infra/provision';
import { startTemporalDevServer, temporalHasSearchAttributes } from '../infra/servers';
import { chooseMongoBackend, startEmbeddedMongo } from '../infra/embedded-mongo';
import { ManagedProcess, ProcessTree } from '../infra/processes';
import { redactUrl } from '../store/mongo';
import { heapLimitFlag } from '../worker/heap';

/**
 * `npm start`: Vouch with embedded defaults. Starts (unless pointed elsewhere by TEMPORAL_ADDRESS or
 * MONGODB_URL) a Temporal dev server with its Web UI and FerretDB (on PostgreSQL or SQLite), all keeping data under the data
 * folder, then the worker and the bot, each in its own process group. SIGINT, SIGTERM or SIGHUP to
 * this process (the one npm runs directly: the script `exec`s node) stops all of them, the last
 * started first, within STOP_BUDGET_MS; if one dies, the rest are stopped.
 */
const ROOT = path.resolve(__dirname, '..');
const say = (m: string) => console.log(`[vouch] ${m}`);
/** The worker drains its tasks; the bot finishes its requests. */
const APP_GRACE_MS = 10_000;
/** After this, whatever has not stopped is killed. */
const STOP_BUDGET_MS = 15_000;

runMain(async () => {
  const config = loadConfig();
  const tree = new ProcessTree(STOP_BUDGET_MS);
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return; // npm forwards a terminal's Ctrl-C that this process also got: one stop
    stopping = true;
    say(`stopping (at most ${STOP_BUDGET_MS / 1000} s)…`);
    await tree.stopAll((name, ms) => say(`  ${name} stopped (${(ms / 1000).toFixed(1)} s)`));
    say('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // Whatever way this process ends, nothing it started outlives it.
  process.once('exit', () => tree.killAllNow());

  try {
    const bins = await provisionServers(config.cacheDir, (m) => say(m));
    const logDir = path.join(config.dataDir, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    const env: Record<string, string> = {};

    if (config.mongo.urlIsExternal) {
      say(`MongoDB: using ${redactUrl(config.mongo.url)} (MONGODB_URL)`);
    } else {
      const { backend, reason } = chooseMongoBackend(config.embedded.mongoBackend, config.dataDir);
      const mongo = await startEmbeddedMongo({
        backend,
        ferretdb: bins.ferretdb,
        dataDir: config.dataDir,
        mongoPort: config.embedded.mongoPort,
        postgresPort: config.embedded.postgresPort,
        logDir,
        tree,
      });
      env.MONGODB_URL = mongo.address;
      say(
        `MongoDB: embedded FerretDB at ${mongo.address} on ${backend} (${reason}), data in ${mongo.dataDir}`,
      );
    }

    if (config.temporal.addressIsExternal) {
      say(`Temporal: using ${config.temporal.address} (TEMPORAL_ADDRESS)`);
      const ok = await temporalHasSearchAttributes(config.temporal.address, config.temporal.namespace).catch(
        (e: Error) => {
          throw new Error(`cannot reach Temporal at ${config.temporal.address}: ${e.message}`);
        },
      );
      if (!ok)
        say(
          'warning: the Vouch search attributes are not all registered on that server: see docker-compose.yml (temporal-admin-tools) for the commands.',
        );
    } else {
      const temporal = await startTemporalDevServer({
        binary: bins.temporal,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        port: config.embedded.temporalPort,
        uiPort: config.embedded.uiPort,
        uiCodecEndpoint: `http://localhost:${config.codec.port}`,
        logFile: path.join(logDir, 'temporal.log'),
        tree,
      });
      env.TEMPORAL_ADDRESS = temporal.address;
      say(
        `Temporal: embedded dev server at ${temporal.address}, data in ${path.join(config.dataDir, 'temporal.sqlite')}`,
      );
    }

    if (!config.encryptionKey) {
      const key = loadOrCreateEmbeddedKey(config.dataDir);
      env.VOUCH_ENCRYPTION_KEY = key.key;
      say(
        `VOUCH_ENCRYPTION_KEY unset: using ${key.created ? 'a new key saved in' : 'the key in'} ${key.file}`,
      );
    }

    if (!config.codec.token) {
      const token = loadOrCreateEmbeddedCodecToken(config.dataDir);
      env.VOUCH_CODEC_TOKEN = token.key;
      say(
        `VOUCH_CODEC_TOKEN unset: using ${token.created ? 'a new token saved in' : 'the token in'} ${token.file}`,
      );
    }

    const launch = (name: string, entry: string, nodeOptions: string[] = []) => {
      if (stopping) return; // a signal came during start-up: start nothing more
      const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', path.join(ROOT, entry)], {
        env: childEnv(env),
        stdio: ['ignore', 'inherit', 'inherit'],
        detached: true,
      });
      child.once('exit', (code, signal) => {
        if (stopping) return;
        say(`${name} exited (${signal ?? `code ${code}`}); stopping the rest`);
        void stopAll(1);
      });
      tree.add(new ManagedProcess(name, child, undefined, true), APP_GRACE_MS);
    };

    launch('worker', 'worker/main.ts', [heapLimitFlag()]);
    launch('codec server', 'codec-server/main.ts');
    launch('intake', 'intake/main.ts');
    const missing = missingForSlack(config);
    // The bot serves Slack, Teams, or both: whichever is configured.
    if (missing.length === 0 || config.teams) launch('bot', 'bot/main.ts');

    const ui = config.temporal.addressIsExternal
      ? config.temporal.uiUrl
      : `http://localhost:${config.embedded.uiPort}`;
    say('Vouch is running.');
    say(`  Temporal Web UI: ${ui}/namespaces/${config.temporal.namespace}/workflows`);
    say(
      `  Codec server: http://localhost:${config.codec.port} (the Web UI decrypts payloads through it: sign in once at http://localhost:${config.codec.port}/login with the codec token, see README "Reading encrypted interviews")`,
    );
    say(`  Send a first alert: npx vouch alert --file examples/alert.json`);
    say(
      `  HTTP intake: POST http://${config.intake.host}:${config.intake.port}/v1/alerts (a token: npx vouch source add <name>; see README "HTTP intake")`,
    );
    say(
      fs.existsSync(config.policiesFile)
        ? `  Policies: the worker seeds ${path.relative(process.cwd(), config.policiesFile)} (see its log line "seeded …")`
        : `  Policies: no ${path.basename(config.policiesFile)}, so stored policies or the built-in default apply (start from examples/policies.yml)`,
    );
    if (missing.length > 0)
      say(
        `  Slack is not connected, so the bot is not running and no one can be messaged. Missing:\n` +
          missing.map((m) => `[vouch]    - ${m}`).join('\n') +
          `\n[vouch]  See "Connect Vouch to Slack" in README.md.`,
      );
    else
      say(
        `  Slack bot: ${config.slack.appToken ? 'Socket Mode' : `POST http://localhost:${config.slack.botPort}/slack/events`}`,
      );
    if (config.teams)
      say(
        `  Teams bot: POST http://localhost:${config.teams.port}/api/messages (see README "Connect Vouch to Teams")`,
      );
    say(`  Press Ctrl-C (or send SIGTERM to pid ${process.pid}) to stop.`);
  } catch (err) {
    await tree.stopAll();
    throw err;
  }
});
