import { type PreparationFacts, alertStore } from '../../store/alerts';
import { sentStore } from '../../store/sent';
import { collections, ensureIndexes } from '../../store/collections';
import { DuplicateKeyError, StoreUnavailableError, connectMongo } from '../../store/mongo';
import { parseAlert } from '../../shared/alert';
import { isolatedMongo } from '../helpers/servers';

const alert = parseAlert({
  id: 'store-1',
  type: 'aws.admin_added',
  title: 'New admin added',
  severity: 'high',
  occurredAt: '2026-11-21T10:00:00Z',
  source: 'cloudtrail',
  employee: { email: 'ana@example.com' },
});

describe('data layer on FerretDB', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  beforeAll(async () => {
    mongo = await isolatedMongo();
    await ensureIndexes(mongo.db);
  });
  afterAll(async () => mongo?.drop());

  it('inserts an alert and reads it back', async () => {
    const store = alertStore(collections(mongo.db));
    await store.insert(alert, 'alert-store-1');
    const doc = await store.get('store-1');
    expect(doc?.input.title).toBe('New admin added');
    expect(doc?.phase).toBe('starting');
    expect(doc?.createdAt).toBeInstanceOf(Date);
  });

  it('reports a unique-index violation as a typed DuplicateKeyError', async () => {
    const store = alertStore(collections(mongo.db));
    await expect(store.insert(alert, 'alert-store-1')).rejects.toBeInstanceOf(DuplicateKeyError);
    // A different alert id with the same workflow id hits the unique workflowId index.
    await expect(store.insert({ ...alert, id: 'store-2' }, 'alert-store-1')).rejects.toMatchObject({
      name: 'DuplicateKeyError',
      collection: 'alerts',
    });
    expect(await collections(mongo.db).alerts.countDocuments({})).toBe(1);
  });

  it('creates an alert once: a retried create returns the stored one unchanged', async () => {
    const store = alertStore(collections(mongo.db));
    const created = await store.createOnce({ ...alert, id: 'store-3', title: 'first' }, 'alert-store-3');
    const again = await store.createOnce({ ...alert, id: 'store-3', title: 'second' }, 'alert-store-3');
    expect(again.input.title).toBe('first');
    expect(again.createdAt.getTime()).toBe(created.createdAt.getTime());
    expect(Array.isArray((await store.get('store-3'))?.transcript)).toBe(true);
  });

  it('stores an alert with its preparation facts in one insert; a later create writes them again', async () => {
    const store = alertStore(collections(mongo.db));
    const ana = { slackUserId: 'UANA0001', email: 'ana@example.com', name: 'Ana' };
    const create = (facts: PreparationFacts) =>
      store.createOnce({ ...alert, id: 'store-facts' }, 'alert-store-facts', facts);
    const facts = () => store.factsOf('store-facts');
    await create({ policySource: 'built-in default', employee: ana });
    expect(await facts()).toMatchObject({ policySource: 'built-in default', employee: ana });
    expect((await store.get('store-facts'))?.employeeSlackId).toBe('UANA0001');
    // A policy that turned interviews off resolves nobody: the employee asked before stays.
    await create({ policySource: 'policies/default', employee: null });
    expect(await facts()).toMatchObject({ policySource: 'policies/default', employee: ana });
  });

  it('records a step once: the first recorded result wins', async () => {
    const sent = sentStore(collections(mongo.db));
    expect(await sent.get('wf-1:dm')).toBeNull();
    expect(await sent.record('wf-1:dm', { ts: '1.1' })).toEqual({ ts: '1.1' });
    expect(await sent.record('wf-1:dm', { ts: '2.2' })).toEqual({ ts: '1.1' });
    expect(await sent.get('wf-1:dm')).toEqual({ ts: '1.1' });
    expect(await collections(mongo.db).sent.countDocuments({ _id: 'wf-1:dm' })).toBe(1);
  });

  it('a claimed step is filled by its holder, and a later claim answers with the result', async () => {
    const sent = sentStore(collections(mongo.db));
    expect(await sent.claim('wf-2:dm')).toEqual({ claimed: true });
    expect(await sent.claim('wf-2:dm')).toMatchObject({ heldSince: expect.any(Date) });
    expect(await sent.fill('wf-2:dm', { ts: '3.3' })).toEqual({ ts: '3.3' });
    expect(await sent.claim('wf-2:dm')).toEqual({ result: { ts: '3.3' } });
    // An attempt that found the holder's message in Slack records it over the claim as well.
    expect(await sent.claim('wf-3:dm')).toEqual({ claimed: true });
    expect(await sent.record('wf-3:dm', { ts: '4.4' })).toEqual({ ts: '4.4' });
    expect(await sent.get('wf-3:dm')).toEqual({ ts: '4.4' });
  });

  it('records progress by position, so a retried write never duplicates an entry', async () => {
    const store = alertStore(collections(mongo.db));
    const entry = (key: string) => ({
      key,
      at: '2026-11-21T10:00:01Z',
      actor: 'vouch',
      kind: 'reminder' as const,
      n: Number(key),
    });
    await store.recordProgress('store-3', {
      phase: 'awaiting_response',
      outcome: null,
      entries: [entry('1'), entry('2')],
      persistedBefore: 0,
    });
    await store.recordProgress('store-3', {
      phase: 'awaiting_response',
      outcome: null,
      entries: [entry('1'), entry('2')],
      persistedBefore: 0,
    }); // retried
    await store.recordProgress('store-3', {
      phase: 'closed',
      outcome: 'denied',
      entries: [entry('3')],
      persistedBefore: 2,
    });
    const doc = await store.get('store-3');
    expect(doc?.transcript.map((t) => t.key)).toEqual(['1', '2', '3']);
    expect(doc).toMatchObject({ phase: 'closed', outcome: 'denied' });
    expect(doc?.closedAt).toBeInstanceOf(Date);

    // A stale attempt from before the outcome (a local activity retried after its time ran out) lands late.
    await store.recordProgress('store-3', {
      phase: 'awaiting_response',
      outcome: null,
      entries: [entry('1')],
      persistedBefore: 0,
    });
    expect(await store.get('store-3')).toMatchObject({ phase: 'closed', outcome: 'denied' });
  });

  it('appends an audit entry once per key', async () => {
    const store = alertStore(collections(mongo.db));
    const entry = {
      at: '2026-11-21T10:00:01Z',
      actor: 'UOTHER1',
      kind: 'unauthorized_click' as const,
      button: 'vouch_yes',
    };
    expect(await store.appendAudit('store-1', 'click:1', entry)).toBe(true);
    expect(await store.appendAudit('store-1', 'click:1', entry)).toBe(false);
    expect(await store.appendAudit('store-1', 'click:2', entry)).toBe(true);
    expect((await store.get('store-1', { withAudit: true }))?.audit?.map((t) => t.key)).toEqual([
      'click:1',
      'click:2',
    ]);
  });

  it('appends an audit entry once even when the same key races (a click delivered twice at once)', async () => {
    const store = alertStore(collections(mongo.db));
    const entry = {
      at: '2026-11-21T10:00:02Z',
      actor: 'UOTHER1',
      kind: 'unauthorized_click' as const,
      button: 'vouch_yes',
    };
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        [1, 2, 3].map(() => store.appendAudit('store-1', `race:${round}`, entry)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    const keys = (await store.get('store-1', { withAudit: true }))?.audit?.map((t) => t.key) ?? [];
    expect(keys.filter((k) => k.startsWith('race:'))).toEqual([
      'race:0',
      'race:1',
      'race:2',
      'race:3',
      'race:4',
    ]);
  });

  it("keeps the workflow's transcript writes and the bot's audit entries when they race on one alert", async () => {
    const store = alertStore(collections(mongo.db));
    await store.insert({ ...alert, id: 'store-race' }, 'alert-store-race');
    const entry = (n: number) => ({
      key: `t${n}`,
      at: `2026-11-21T10:00:${String(n).padStart(2, '0')}Z`,
      actor: 'vouch',
      kind: 'reminder' as const,
      n,
    });
    for (let n = 0; n < 20; n++)
      await Promise.all([
        store.recordProgress('store-race', {
          phase: 'awaiting_response',
          outcome: null,
          entries: [entry(n)],
          persistedBefore: n,
        }),
        store.appendAudit('store-race', `click:${n}`, {
          at: entry(n).at,
          actor: 'UOTHER1',
          kind: 'unauthorized_click',
          button: 'vouch_yes',
        }),
      ]);
    const doc = await store.get('store-race', { withAudit: true });
    expect(doc?.transcript.map((t) => t.key)).toEqual(Array.from({ length: 20 }, (_, n) => `t${n}`));
    expect(doc?.audit?.map((t) => t.key)).toEqual(Array.from({ length: 20 }, (_, n) => `click:${n}`));
  });

  it('fails with a clear error when MongoDB cannot be reached', async () => {
    await expect(connectMongo('mongodb://127.0.0.1:1', 'x', { timeoutMs: 300 })).rejects.toThrow(
      StoreUnavailableError,
    );
    await expect(connectMongo('mongodb://127.0.0.1:1', 'x', { timeoutMs: 300 })).rejects.toThrow(
      /Check MONGODB_URL/,
    );
  });
});
