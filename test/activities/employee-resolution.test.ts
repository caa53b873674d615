import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger';
import { parseAlert } from '../../shared/alert';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  createHarness,
  dmSent,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';

const entry = (draft: Parameters<typeof directoryEntrySchema.parse>[0]) => directoryEntrySchema.parse(draft);

/** Who an alert reaches: the directory operators maintain, never what earlier alerts claimed. */
describe('employee resolution through the directory', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
  });
  afterAll(async () => h?.teardown());

  const directory = () => directoryStore(collections(h.mongo.db));
  const dmsTo = (slackUserId: string, workflowId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === `D${slackUserId.slice(1)}` &&
          JSON.stringify(c.args.blocks ?? '').includes(workflowId),
      );
  const escalationMentions = (text: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .some((c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args).includes(text));

  it('a crafted alert {slackUserId: attacker, username: "ana"} binds nothing: a later username-only alert for ana never reaches the attacker', async () => {
    const crafted = await start(h, alertFor(ANA, { employee: { slackUserId: BOB.id, username: 'ana' } }));
    await dmSent(h, crafted); // the alert's own Slack id is authoritative for that alert
    await act(crafted, 'cancel');
    await crafted.result();
    expect(JSON.stringify(await collections(h.mongo.db).employees.find({}).toArray())).not.toContain('"ana"');

    // Without a directory entry, the username matches no one.
    const alone = await start(h, alertFor(ANA, { employee: { username: 'ana' } }));
    expect(await alone.result()).toMatchObject({ outcome: 'unknown_employee', phase: 'escalated' });
    expect(dmsTo(BOB.id, alone.workflowId)).toHaveLength(0);

    // With one, it reaches Ana's Slack id, and only hers.
    await directory().set(entry({ email: ANA.email, slackUserId: ANA.id, aliases: ['ana'] }), 'test');
    const listed = await start(h, alertFor(ANA, { employee: { username: 'ANA' } }));
    await dmSent(h, listed);
    expect(dmsTo(ANA.id, listed.workflowId)).toHaveLength(1);
    expect(dmsTo(BOB.id, listed.workflowId)).toHaveLength(0);
    await act(listed, 'cancel');
    await listed.result();
  });

  it('usernames learned by earlier versions (employees.username) are not trusted', async () => {
    // What the old resolver wrote after a crafted alert: the attacker's cached profile holding "carol".
    await collections(h.mongo.db).employees.updateOne(
      { _id: BOB.id },
      {
        $set: { username: 'carol', email: BOB.email, resolvedAt: new Date(), updatedAt: new Date() },
      } as never,
      { upsert: true },
    );
    const handle = await start(h, alertFor(BOB, { employee: { username: 'carol' } }));
    expect(await handle.result()).toMatchObject({ outcome: 'unknown_employee' });
    expect(dmsTo(BOB.id, handle.workflowId)).toHaveLength(0);
  });

  it('an unknown alias escalates unknown_employee, naming it', async () => {
    const alias = uniqueName('nobody');
    const handle = await start(h, alertFor(ANA, { employee: { username: alias } }));
    expect(await handle.result()).toMatchObject({ outcome: 'unknown_employee', phase: 'escalated' });
    expect(escalationMentions(alias)).toBe(true);
  });

  it('an alias of an entry without a Slack id is found in Slack by the entry’s email; the directory’s time zone wins', async () => {
    await directory().set(
      entry({ email: BOB.email, aliases: ['bstone-gh'], timeZone: 'Asia/Tokyo' }),
      'test',
    );
    const handle = await start(h, alertFor(BOB, { employee: { username: 'bstone-gh' } }));
    await dmSent(h, handle);
    expect(dmsTo(BOB.id, handle.workflowId)).toHaveLength(1);
    const resolved = await h.activities.prepareInterview({
      alert: parseAlert(alertFor(BOB, { employee: { username: 'bstone-gh' } })),
      workflowId: uniqueName('wf'),
    });
    expect(resolved.employee).toEqual({
      slackUserId: BOB.id,
      email: BOB.email,
      name: BOB.name,
      timeZone: 'Asia/Tokyo',
    });
    await act(handle, 'cancel');
    await handle.result();
  });

  it('an entry naming a Slack id another entry holds (an import cut short by a clash) is not trusted with it', async () => {
    await directory().set(entry({ email: BOB.email, slackUserId: BOB.id }), 'test');
    // What an interrupted import can leave: Ana's entry written with Bob's Slack id, the key still Bob's.
    await collections(h.mongo.db).directory.updateOne(
      { _id: ANA.email },
      { $set: { slackUserId: BOB.id, aliases: [], updatedAt: new Date(), updatedBy: 'test' } },
      { upsert: true },
    );
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    expect(dmsTo(BOB.id, handle.workflowId)).toHaveLength(0);
    expect(dmsTo(ANA.id, handle.workflowId)).toHaveLength(1); // found in Slack by her email instead
    await act(handle, 'cancel');
    await handle.result();
  });

  it('a removed entry stops resolving at once', async () => {
    await directory().set(
      entry({ email: 'dee@example.com', slackUserId: 'UDEE0004', aliases: ['dee'] }),
      'test',
    );
    await directory().remove('dee@example.com', 'test');
    const handle = await start(h, alertFor(ANA, { employee: { username: 'dee' } }));
    expect(await handle.result()).toMatchObject({ outcome: 'unknown_employee' });
  });
});

describe('without Slack connected', () => {
  let h: Harness;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    h = await createHarness({
      timeSkipping: true,
      logger: createLogger('worker', 'warn', sink),
      activityDeps: { slack: undefined },
    });
  });
  afterAll(async () => h?.teardown());

  it('an alert waits (never unknown_employee) and the worker says once that Slack is not connected', async () => {
    const first = await start(h, alertFor(ANA));
    const second = await start(h, alertFor({ email: 'someone@example.com' }));
    await waitUntil(() => lines.some((l) => l.includes('Slack is not connected')));
    await new Promise((r) => setTimeout(r, 3000)); // a few retries
    for (const handle of [first, second]) {
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const s = await state(handle);
      expect(s.outcome).toBeNull();
      expect(s.transcript.some((t) => t.kind === 'unknown_employee')).toBe(false);
    }
    const warnings = lines.filter((l) => l.includes('Slack is not connected'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
    expect(warnings[0]).toContain('SLACK_BOT_TOKEN');
    await Promise.all([first.terminate('test over'), second.terminate('test over')]);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
