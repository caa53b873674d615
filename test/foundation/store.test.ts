import { alertStore } from '../../store/alerts';
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

  it('upserts with findOneAndUpdate: creates once, then returns the existing document unchanged', async () => {
    const store = alertStore(collections(mongo.db));
    const created = await store.upsert({ ...alert, id: 'store-3', title: 'first' }, 'alert-store-3');
    const again = await store.upsert({ ...alert, id: 'store-3', title: 'second' }, 'alert-store-3');
    expect(created.input.title).toBe('first');
    expect(again.input.title).toBe('first');
    expect(again.createdAt.getTime()).toBe(created.createdAt.getTime());
    const phased = await store.setPhase('store-3', 'closed', 'confirmed_verified');
    expect(phased).toMatchObject({ phase: 'closed', outcome: 'confirmed_verified' });
    expect(phased?.closedAt).toBeInstanceOf(Date);
  });

  it('appends a transcript entry once per key', async () => {
    const store = alertStore(collections(mongo.db));
    const entry = { at: '2026-11-21T10:00:01Z', actor: 'vouch', kind: 'dm_sent', text: 'asked the employee' };
    expect(await store.appendTranscript('store-1', 'dm:1', entry)).toBe(true);
    expect(await store.appendTranscript('store-1', 'dm:1', entry)).toBe(false);
    expect(await store.appendTranscript('store-1', 'reminder:1', { ...entry, kind: 'reminder' })).toBe(true);
    const doc = await store.get('store-1');
    expect(doc?.transcript.map((t) => t.key)).toEqual(['dm:1', 'reminder:1']);
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
