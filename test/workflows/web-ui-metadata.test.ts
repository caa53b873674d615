import { randomBytes } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { ENCRYPTED_ENCODING } from '../../lib/payload-codec';
import { encryptedDataConverter, startInterview } from '../../producer';
import { cliEnv, runCli } from '../helpers/cli';
import {
  BOB,
  alertFor,
  answer,
  createHarness,
  dmSent,
  setPolicy,
  type Harness,
} from '../helpers/interview-harness';
import { devServerConnections, testServers, uniqueName } from '../helpers/servers';

/** What the Temporal Web UI's list and workflow page show for an interview: its summary and where it stands. */
describe('interviews carry a summary and current details for the Web UI', () => {
  const key = randomBytes(32);
  let conns: Awaited<ReturnType<typeof devServerConnections>>;
  let producer: Client;
  let h: Harness;
  beforeAll(async () => {
    conns = await devServerConnections(); // conns.client has no codec: it sees what Temporal stores
    producer = new Client({
      connection: conns.client.connection,
      dataConverter: encryptedDataConverter(key),
    });
    h = await createHarness({
      timeSkipping: false,
      client: producer,
      nativeConnection: conns.nativeConnection,
      dataConverter: encryptedDataConverter(key),
    });
    await setPolicy(h, 'webui.approval', { mode: 'approval' });
  });
  afterAll(async () => {
    await h?.teardown();
    await conns?.close();
  });

  /** The Web UI reads current details with this built-in query, as `temporal workflow describe` does. */
  const currentDetails = async (handle: WorkflowHandle) =>
    (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
  const storedSummaryEncoding = async (workflowId: string) => {
    const raw = await conns.client.workflowService.describeWorkflowExecution({
      namespace: conns.client.options.namespace,
      execution: { workflowId },
    });
    const encoding = raw.executionConfig?.userMetadata?.summary?.metadata?.encoding;
    return encoding ? Buffer.from(encoding).toString() : undefined;
  };

  it('startInterview sets a sealed summary naming severity, type, id and title, and static details', async () => {
    const alert = alertFor(BOB, {
      type: 'webui.login',
      severity: 'high',
      title: 'Login from\na new country',
    });
    const { handle } = await startInterview(producer, alert, { taskQueue: h.taskQueue });
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe(
      `[high] webui.login · alert ${alert.id} · Login from a new country`,
    );
    const details = await described.staticDetails();
    expect(details).toContain(`**Source:** ${alert.source}`);
    expect(details).toContain(`**Occurred at:** ${alert.occurredAt}`);
    // Temporal stores it sealed, like the memo: only the codec server shows it in the Web UI.
    expect(await storedSummaryEncoding(handle.workflowId)).toBe(ENCRYPTED_ENCODING);
    await handle.terminate('test done');
  });

  it('current details follow the phase: waiting for the answer, then escalated with its outcome', async () => {
    const { handle } = await startInterview(producer, alertFor(BOB), { taskQueue: h.taskQueue });
    await dmSent(h, handle);
    const waiting = await currentDetails(handle);
    expect(waiting).toMatch(/^\*\*Waiting for the employee's answer\*\* · answer due \d{4}-\d\d-\d\dT/);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied', phase: 'escalated' });
    expect(await currentDetails(handle)).toBe('**Escalated** · outcome `denied`');
  });

  it('an interview that needs approval says so while it waits', async () => {
    const { handle } = await startInterview(producer, alertFor(BOB, { type: 'webui.approval' }), {
      taskQueue: h.taskQueue,
    });
    let details = '';
    for (let i = 0; i < 100 && !details.startsWith('**Waiting for approval'); i += 1) {
      details = await currentDetails(handle);
      if (!details.startsWith('**Waiting for approval')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(details).toMatch(/^\*\*Waiting for approval in the security channel\*\* · approval due \d{4}-/);
    await handle.terminate('test done');
  });

  it('`vouch alert` starts the interview with the same summary', async () => {
    const id = uniqueName('webui-cli');
    const started = await runCli(
      [
        'alert',
        ...['--id', id, '--type', 'webui.cli', '--title', 'An admin was added', '--severity', 'critical'],
        ...['--occurred-at', '2026-11-21T10:15:00Z', '--source', 'cloudtrail', '--email', BOB.email],
      ],
      cliEnv(h.mongo.db, {
        TEMPORAL_ADDRESS: testServers.temporalAddress,
        VOUCH_TASK_QUEUE: h.taskQueue,
        VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      }),
    );
    expect(started).toMatchObject({ status: 0 });
    const handle = producer.workflow.getHandle(`alert-${id}`);
    expect(await (await handle.describe()).staticSummary()).toBe(
      `[critical] webui.cli · alert ${id} · An admin was added`,
    );
    await handle.terminate('test done');
  });
});
