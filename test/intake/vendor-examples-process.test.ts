import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/processes';
import { loadSourceMappings, mapSourceBody, sourceNames } from '../../intake/source-mapping';
import { collections } from '../../store/collections';
import { sourceStore } from '../../store/sources';
import { startEntryPoint } from '../helpers/entry-point';
import {
  ANA,
  SECURITY_CHANNEL,
  answer,
  createDevServerHarness,
  dmSent,
  resultWithin,
  type Harness,
} from '../helpers/interview-harness';
import { testServers } from '../helpers/servers';

/**
 * Each shipped vendor mapping, end to end: the vendor's example webhook body posted to the intake
 * process (running with examples/sources.yml) starts an interview, the employee it names gets the DM,
 * and a "No" escalates it.
 */
const EXAMPLES = path.join(__dirname, '../../examples');
const SOURCES_FILE = path.join(EXAMPLES, 'sources.yml');
const payloadOf = (vendor: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'payloads', `${vendor}.json`), 'utf8'));

describe('the shipped vendor examples through the intake process', () => {
  let h: Harness;
  let url: string;
  let stop: () => Promise<void>;
  const tokens = new Map<string, string>();
  let vendors: string[] = [];

  beforeAll(async () => {
    h = await createDevServerHarness();
    vendors = sourceNames(await loadSourceMappings(SOURCES_FILE));
    for (const vendor of vendors) {
      const added = (await sourceStore(collections(h.mongo.db)).add(vendor, 'test')) as { token: string };
      tokens.set(vendor, added.token);
    }
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-intake-'));
    const proc = startEntryPoint('intake/main.ts', {
      VOUCH_INTAKE_PORT: String(port),
      VOUCH_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: h.mongo.db.databaseName,
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: h.taskQueue,
      VOUCH_SOURCES_FILE: SOURCES_FILE,
    });
    const deadline = Date.now() + 30_000;
    while (!proc.output().includes('intake listening')) {
      if (Date.now() > deadline || proc.child.exitCode !== null)
        throw new Error(`intake did not start:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    url = `http://127.0.0.1:${port}`;
    stop = async () => {
      proc.child.kill('SIGTERM');
      await proc.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }, 60_000);
  afterAll(async () => {
    await stop?.();
    await h?.teardown();
  });

  it('ships the six vendors the intake documents', () => {
    expect(vendors).toEqual(['azure-monitor', 'datadog', 'elastic', 'guardduty', 'panther', 'splunk']);
  });

  it.each(['azure-monitor', 'datadog', 'elastic', 'guardduty', 'panther', 'splunk'])(
    '%s: its example body starts an interview that asks the employee and escalates on "No"',
    async (vendor) => {
      const body = payloadOf(vendor);
      const mapped = await mapSourceBody(await loadSourceMappings(SOURCES_FILE), vendor, body, new Date());
      if (!mapped.ok) throw new Error(`example does not map: ${JSON.stringify(mapped.errors)}`);
      // Every example names Ana, whom the Slack stand-in knows.
      expect(mapped.alert.employee.email).toBe(ANA.email);

      const res = await fetch(`${url}/v1/sources/${vendor}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(vendor)}` },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      const { workflowId, alreadyExisted } = (await res.json()) as {
        workflowId: string;
        alreadyExisted: boolean;
      };
      expect(alreadyExisted).toBe(false);
      expect(workflowId).toBe(`alert-${mapped.alert.id}`);

      const handle = h.client.workflow.getHandle(workflowId);
      await dmSent(h, handle);
      const stored = await collections(h.mongo.db).alerts.findOne({ workflowId });
      expect(stored?.input).toMatchObject({ type: mapped.alert.type, source: vendor });
      await answer(handle, ANA.id, 'denied');
      expect((await resultWithin(handle)).outcome).toBe('denied');
      const posts = h.slack
        .callsTo('chat.postMessage')
        .filter(
          (c) =>
            c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(mapped.alert.id),
        );
      expect(posts.length).toBeGreaterThanOrEqual(1);
    },
    90_000,
  );
});
