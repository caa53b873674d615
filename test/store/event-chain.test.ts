import fc from 'fast-check';
import {
  type ChainHead,
  chainEvents,
  describeBreak,
  genesisHash,
  storable,
  verifyAudit,
  verifyChain,
  auditHash,
} from '../../store/event-chain';

/** A transcript as the workflow stores it: entry n at position n-1 with key `n`. */
const eventArb = fc.record({
  at: fc
    .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  actor: fc.constantFrom('vouch', 'U0ANA', 'cli:ana'),
  kind: fc.constantFrom('alert_received', 'reminder', 'employee_answer', 'outcome', 'delivery'),
  n: fc.integer({ min: 0, max: 9 }),
  text: fc.string({ maxLength: 12 }),
  nested: fc.record({ channel: fc.string({ maxLength: 6 }), ok: fc.boolean() }),
});
const transcriptArb = fc.array(eventArb, { minLength: 1, maxLength: 12 });

function chained(alertId: string, raw: object[]): { events: Record<string, unknown>[]; head: ChainHead } {
  const { events, last } = chainEvents(
    genesisHash(alertId),
    raw.map((e, i) => ({ ...e, key: String(i + 1) })),
  );
  return {
    events: events.map((e) => storable(e) as Record<string, unknown>),
    head: { hash: last, count: events.length },
  };
}

/** A different JSON value of the same field. */
function changed(value: unknown): unknown {
  if (typeof value === 'string') return `${value}x`;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (value && typeof value === 'object') return { ...value, extra: 1 };
  return 'x';
}

describe('the event chain', () => {
  it('an untouched chain verifies, ending at its head', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), transcriptArb, (alertId, raw) => {
        const { events, head } = chained(alertId, raw);
        expect(verifyChain(alertId, events, head)).toEqual({ ok: true, count: raw.length, head: head.hash });
      }),
    );
  });

  it('an edit of any field of any event names that event as edited', () => {
    fc.assert(
      fc.property(transcriptArb, fc.nat(), fc.nat(), (raw, pick, fieldPick) => {
        const { events, head } = chained('a-1', raw);
        const position = pick % events.length;
        const fields = Object.keys(events[position]!);
        const field = fields[fieldPick % fields.length]!;
        events[position] = { ...events[position], [field]: changed(events[position]![field]) };
        const r = verifyChain('a-1', events, head);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.break.position).toBe(position);
        expect(r.break.problem).toBe('edited');
      }),
    );
  });

  it('a removed field or an added one is an edit too', () => {
    const { events, head } = chained('a-1', [{ at: 't', actor: 'vouch', kind: 'reminder', n: 1 }]);
    const { n: _n, ...without } = events[0]!;
    expect(verifyChain('a-1', [without], head)).toMatchObject({ ok: false, break: { problem: 'edited' } });
    expect(verifyChain('a-1', [{ ...events[0], note: 'hi' }], head)).toMatchObject({
      ok: false,
      break: { problem: 'edited', position: 0, key: '1', kind: 'reminder' },
    });
  });

  it('a deleted event is named as missing, whether pulled out, emptied or the last one', () => {
    fc.assert(
      fc.property(
        transcriptArb.filter((t) => t.length >= 2),
        fc.nat(),
        (raw, pick) => {
          const { events, head } = chained('a-1', raw);
          const position = pick % events.length;
          const pulled = events.filter((_, i) => i !== position);
          const r = verifyChain('a-1', pulled, head);
          expect(r).toMatchObject({ ok: false, break: { problem: 'missing', key: String(position + 1) } });
          const emptied = events.map((e, i) => (i === position ? null : e));
          expect(verifyChain('a-1', emptied, head)).toMatchObject({
            ok: false,
            break: { problem: 'missing', position, key: String(position + 1) },
          });
        },
      ),
    );
  });

  it('two swapped events are named as reordered, at the first of them', () => {
    fc.assert(
      fc.property(
        transcriptArb.filter((t) => t.length >= 2),
        fc.nat(),
        fc.nat(),
        (raw, a, b) => {
          const { events, head } = chained('a-1', raw);
          const i = a % events.length;
          let j = b % events.length;
          if (i === j) j = (j + 1) % events.length;
          const swapped = [...events];
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          const r = verifyChain('a-1', swapped, head);
          expect(r).toMatchObject({ ok: false, break: { problem: 'reordered', position: Math.min(i, j) } });
        },
      ),
    );
  });

  it('events cannot move to another alert, and a wrong head is named', () => {
    const { events, head } = chained('a-1', [{ at: 't', actor: 'vouch', kind: 'outcome' }]);
    expect(verifyChain('a-2', events, head)).toMatchObject({
      ok: false,
      break: { problem: 'edited', position: 0 },
    });
    expect(verifyChain('a-1', events, { ...head, hash: '0'.repeat(64) })).toMatchObject({
      ok: false,
      break: { problem: 'head_mismatch' },
    });
    expect(verifyChain('a-1', [...events, { ...events[0], key: '2' }], head)).toMatchObject({ ok: false });
  });

  it('entries from before hashing are "not migrated", not tampered', () => {
    const legacy = [{ at: 't', actor: 'vouch', kind: 'outcome', text: 'denied', key: '1' }];
    const r = verifyChain('a-1', legacy, undefined);
    expect(r).toMatchObject({ ok: false, break: { problem: 'not_migrated', position: 0 } });
    if (!r.ok)
      expect(describeBreak(r.break)).toBe(
        'event 1 (key 1, kind outcome, at t): not migrated: stored before events were hashed',
      );
  });

  it('audit entries are hashed on their own: an edited or moved entry is named', () => {
    const entry = storable({
      at: 't',
      actor: 'U0BOB',
      kind: 'unauthorized_click',
      button: 'yes',
      key: 'click:1',
    });
    const hashed = { ...entry, hash: auditHash('a-1', entry) };
    expect(verifyAudit('a-1', [hashed])).toMatchObject({ ok: true, count: 1 });
    expect(verifyAudit('a-2', [hashed])).toMatchObject({
      ok: false,
      break: { problem: 'edited', record: 'audit' },
    });
    expect(verifyAudit('a-1', [{ ...hashed, button: 'no' }])).toMatchObject({
      ok: false,
      break: { problem: 'edited', key: 'click:1', kind: 'unauthorized_click' },
    });
  });

  it('stores and hashes text with a lone surrogate (a pasted Slack message) as well-formed', () => {
    const { events, head } = chained('a-1', [
      { at: 't', actor: 'U1', kind: 'employee_message', message: 'a\uD800b' },
    ]);
    expect(events[0]!.message).toBe('a\uFFFDb');
    expect(verifyChain('a-1', events, head).ok).toBe(true);
  });
});
