import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ENCRYPTED_ENCODING, EncryptionCodec, vouchDataConverter } from '../../lib/payload-codec';
import { keyId } from '../../lib/secret-box';
import { startInterview } from '../../producer';
import { employeeReply, interviewState } from '../../shared/messages';
import { cliEnv, runCli } from '../helpers/cli';
import { extractPayloads } from '../helpers/history';
import {
  BOB,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  setPolicy,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { devServerConnections, testServers, uniqueName } from '../helpers/servers';

/**
 * On the suite's dev server, with a worker that encrypts payloads: what an interview writes to Temporal
 * is ciphertext to anyone reading the history without the key, plain alerts still run, and a rotation
 * leaves what the old key sealed readable while it is listed.
 */
describe('Temporal payloads are encrypted', () => {
  const oldKey = randomBytes(32);
  const key = randomBytes(32);
  const keys = { current: key, previous: [oldKey] };
  let conns: Awaited<ReturnType<typeof devServerConnections>>;
  let vouchClient: Client;
  let h: Harness;
  beforeAll(async () => {
    conns = await devServerConnections(); // conns.client has no codec: it sees what Temporal stores
    vouchClient = new Client({
      connection: conns.client.connection,
      dataConverter: vouchDataConverter(keys),
    });
    h = await createHarness({
      timeSkipping: false,
      client: vouchClient,
      nativeConnection: conns.nativeConnection,
      dataConverter: vouchDataConverter(keys),
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await conns?.close();
  });

  const cli = (args: string[], current = key) =>
    runCli(
      args,
      cliEnv(h.mongo.db, {
        TEMPORAL_ADDRESS: testServers.temporalAddress,
        VOUCH_TASK_QUEUE: h.taskQueue,
        VOUCH_ENCRYPTION_KEY: current.toString('base64'),
      }),
    );

  /**
   * Every payload of a raw history but those Temporal keeps plain by design: search attributes, and the
   * SDK's own bookkeeping of a local activity (sequence number, attempt, times) in its marker's `data`.
   */
  const payloadsOf = (value: unknown, out: Payload[] = []): Payload[] => {
    if (!value || typeof value !== 'object') return out;
    for (const [k, child] of Object.entries(value)) {
      if (k === 'searchAttributes') continue;
      if (k === 'markerRecordedEventAttributes') {
        // The SDK's own bookkeeping: a local activity's ids and times, a patch's id.
        const {
          data: _bookkeeping,
          'patch-data': _patch,
          ...rest
        } = (child as { details?: Record<string, unknown> }).details ?? {};
        payloadsOf(rest, out);
        continue;
      }
      if (k === 'payloads' && Array.isArray(child)) out.push(...(child as Payload[]));
      else if (child && typeof child === 'object' && 'metadata' in child && 'data' in child)
        out.push(child as Payload);
      else payloadsOf(child, out);
    }
    return out;
  };
  const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString();

  it('a full interview started by `vouch alert` leaves no detail, justification or transcript text in the raw history', async () => {
    await setPolicy(h, 'codec.full', {
      followUps: { enabled: true, questions: 'scripted', maxQuestions: 1 },
    });
    const secret = await enroll(h, BOB.id);
    const id = uniqueName('enc');
    const marks = {
      detail: 'Detail-7c1f9e-203',
      sensitive: 'Sensitive-44aa91-account',
      description: 'Description-5e0d2b of the admin grant',
      justification: 'Justification-91b3 I added the admin for the audit',
      reply: 'Reply-3f8c27 the ticket is SEC-1234',
    };
    const started = await cli([
      'alert',
      ...['--id', id, '--type', 'codec.full', '--title', 'An admin was added', '--severity', 'high'],
      ...['--description', marks.description, '--occurred-at', '2026-11-21T10:15:00Z'],
      ...['--source', 'cloudtrail', '--email', BOB.email, '--detail', `sourceIp=${marks.detail}`],
      ...['--detail', `account=${marks.sensitive}`, '--sensitive', 'account'],
    ]);
    expect(started).toMatchObject({ status: 0 });
    const handle = vouchClient.workflow.getHandle(`alert-${id}`);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'confirmed', marks.justification);
    expect(await submitCode(h, handle, BOB.id, validCode(secret))).toMatchObject({ accepted: true });
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        Boolean(c.args.thread_ts) && Array.isArray(c.args.blocks) && JSON.stringify(c.args).includes('?'),
    );
    await handle.signal(employeeReply, { replyId: `D1:${id}`, slackUserId: BOB.id, text: marks.reply });
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    // Through the codec everything is there: the transcript holds the reply and the justification.
    const transcript = JSON.stringify((await handle.query(interviewState)).transcript);
    expect(transcript).toContain(marks.reply);
    expect(transcript).toContain(marks.justification);

    const history = await conns.client.workflow.getHandle(`alert-${id}`).fetchHistory();
    const raw = historyToJSON(history) + extractPayloads(history);
    for (const text of Object.values(marks)) expect(raw).not.toContain(text);
    const payloads = payloadsOf(history);
    expect(payloads.length).toBeGreaterThan(10);
    expect(payloads.filter((p) => encodingOf(p) !== ENCRYPTED_ENCODING)).toEqual([]);
    // And the test can fail: the same payloads, decrypted, carry every marker.
    const opened = await new EncryptionCodec(keys).decode(payloads);
    const plain = opened.map((p) => Buffer.from(p.data ?? []).toString()).join('\n');
    for (const text of Object.values(marks)) expect(plain).toContain(text);
  });

  it('an alert started by a plain Temporal client (no codec) still runs to its end', async () => {
    const alert = alertFor(BOB, { details: { sourceIp: 'Plain-0b7e-ip' }, type: 'codec.plain' });
    const { workflowId } = await startInterview(conns.client, alert, { taskQueue: h.taskQueue });
    const handle = vouchClient.workflow.getHandle(workflowId);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    // Its own input stays as the producer sent it (readable); what Vouch wrote after is encrypted.
    const history = await conns.client.workflow.getHandle(workflowId).fetchHistory();
    const payloads = payloadsOf(history);
    const input = payloadsOf(history.events?.[0]);
    expect(input.map(encodingOf)).toContain('json/plain');
    expect(historyToJSON(history) + extractPayloads(history)).toContain('Plain-0b7e-ip');
    expect(payloads.slice(input.length).filter((p) => encodingOf(p) !== ENCRYPTED_ENCODING)).toEqual([]);
  });

  it('after a rotation, what the old key sealed still decodes while the old key is listed', async () => {
    const id = uniqueName('rot');
    // A producer (here the CLI) still on the old key starts an interview after the worker has rotated.
    const started = await cli(
      [
        'alert',
        ...['--id', id, '--type', 'codec.rotated', '--title', 'Rotated', '--severity', 'low'],
        ...['--occurred-at', '2026-11-21T10:15:00Z', '--source', 'test', '--email', BOB.email],
        ...['--detail', 'sourceIp=Rotated-9d2c-ip'],
      ],
      oldKey,
    );
    expect(started).toMatchObject({ status: 0 });
    const workflowId = `alert-${id}`;
    const raw = await conns.client.workflow.getHandle(workflowId).fetchHistory();
    const input = payloadsOf(raw.events?.[0]?.workflowExecutionStartedEventAttributes?.input);
    const keyIds = input.map((p) => Buffer.from(p.metadata?.['encryption-key-id'] ?? []).toString());
    expect(keyIds).toContain(keyId(oldKey));

    const handle = vouchClient.workflow.getHandle(workflowId);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    // The worker (new key current, old key listed) has just read that input to run the interview;
    // with the old key unlisted it could not, and the error names the key to add.
    const [opened] = await new EncryptionCodec(keys).decode(input);
    expect(Buffer.from(opened!.data ?? []).toString()).toContain('Rotated-9d2c-ip');
    const unlisted = await new EncryptionCodec({ current: key }).decode(input).catch((e: Error) => e);
    expect(String(unlisted)).toContain(`sealed with key ${keyId(oldKey)}, which is neither`);
  });
});
