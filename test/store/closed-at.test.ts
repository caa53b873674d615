import { parseAlert } from '../../shared/alert';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { isolatedMongo } from '../helpers/servers';

/** closedAt is when the outcome was recorded, not the last write after it (reports and suppressions show it). */
describe('closedAt on FerretDB', () => {
  it('is set by the first progress write with an outcome and kept by later ones', async () => {
    const mongo = await isolatedMongo();
    try {
      let clock = new Date('2026-11-21T10:00:00Z');
      const store = alertStore(collections(mongo.db), () => clock);
      const alert = parseAlert({
        id: 'closed-at-1',
        type: 't',
        title: 't',
        severity: 'low',
        occurredAt: '2026-11-21T09:00:00Z',
        source: 's',
        employee: { email: 'a@b.co' },
      });
      await store.insert(alert, 'alert-closed-at-1');
      const write = (outcome: 'denied' | null, n: number) =>
        store.recordProgress(alert.id, {
          phase: outcome ? 'escalated' : 'awaiting_response',
          outcome,
          entries: [{ at: clock.toISOString(), actor: 'vouch', kind: 'reminder', n, key: `${n + 1}` }],
          persistedBefore: n,
        });
      await write(null, 0);
      expect((await store.get(alert.id))?.closedAt).toBeUndefined();
      clock = new Date('2026-11-21T10:05:00Z');
      await write('denied', 1);
      clock = new Date('2026-11-21T12:00:00Z'); // an operator closes the escalation two hours later
      await write('denied', 2);
      const doc = await store.get(alert.id);
      expect(doc?.closedAt?.toISOString()).toBe('2026-11-21T10:05:00.000Z');
      expect(doc?.updatedAt.toISOString()).toBe('2026-11-21T12:00:00.000Z');
      expect(doc?.transcript.map((t) => (t.kind === 'reminder' ? t.n : null))).toEqual([0, 1, 2]);
    } finally {
      await mongo.drop();
    }
  });
});
