import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { LOCKOUT_BASE_MS, verifyTotp } from '../../store/totp-verification';
import { createLogger } from '../../lib/logger';
import { codeAt } from '../../lib/totp';
import { collections } from '../../store/collections';
import { secondFactors } from '../../store/second-factors';
import {
  ANA,
  BOB,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  state,
  submitCode,
  type Harness,
} from '../helpers/interview-harness';
import { extractPayloads } from '../helpers/history';
import { isolatedMongo } from '../helpers/servers';
import { renderEvent } from '../../shared/record/render';

type Mongo = Awaited<ReturnType<typeof isolatedMongo>>;

describe('verification against the stored enrollment', () => {
  let mongo: Mongo;
  const key = randomBytes(32);
  beforeAll(async () => {
    mongo = await isolatedMongo();
  });
  afterAll(async () => mongo.drop());

  async function enrolled(user: string, at: Date): Promise<string> {
    const factors = secondFactors(collections(mongo.db), key);
    const { secret } = await factors.begin({ slackUserId: user }, 'test', at);
    await factors.confirm(user, codeAt(secret, at.getTime() - 60_000 * 5), 'test', at).catch(() => {});
    // Confirm with a code from an earlier window so the codes of `at` are still unspent.
    await collections(mongo.db).secondFactors.updateOne(
      { _id: user },
      { $set: { 'secondFactor.active': true, 'secondFactor.lastStep': -1 } },
    );
    return secret;
  }

  test('a replayed code is refused, also when two verifications race with it', async () => {
    const c = collections(mongo.db);
    let t = new Date('2026-11-21T10:00:00Z');
    const secret = await enrolled('URACE001', t);
    for (let round = 0; round < 5; round++) {
      t = new Date(t.getTime() + 30_000);
      const code = codeAt(secret, t.getTime());
      // Two workers check the same code at the same moment: exactly one may accept it.
      const results = await Promise.all([
        verifyTotp(c, key, 'URACE001', code, t),
        verifyTotp(c, key, 'URACE001', code, t),
        verifyTotp(c, key, 'URACE001', code, t),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['accepted', 'replayed', 'replayed']);
      expect((await verifyTotp(c, key, 'URACE001', code, t)).outcome).toBe('replayed');
      // An older code (still inside the ±1 window) is refused too.
      const older = codeAt(secret, t.getTime() - 30_000);
      expect((await verifyTotp(c, key, 'URACE001', older, t)).outcome).toBe('replayed');
      // Replayed codes count as failed attempts: clear them as an operator would.
      await secondFactors(c, key).unlock('URACE001', 'test', t);
    }
  });

  test('five failures lock the employee out for 15 minutes, then longer on a repeat; the lock expires', async () => {
    const c = collections(mongo.db);
    const t0 = new Date('2026-11-21T11:00:00Z');
    const secret = await enrolled('ULOCK001', t0);
    const wrong = (t: Date) => String((Number(codeAt(secret, t.getTime())) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 4; i++)
      expect(await verifyTotp(c, key, 'ULOCK001', wrong(t0), t0)).toEqual({ outcome: 'rejected' });
    const fifth = await verifyTotp(c, key, 'ULOCK001', wrong(t0), t0);
    expect(fifth).toEqual({ outcome: 'rejected', lockedUntil: new Date(t0.getTime() + LOCKOUT_BASE_MS) });

    // Locked: even the right code is refused, and the lock is in MongoDB (survives a restart).
    const t1 = new Date(t0.getTime() + 10 * 60_000);
    expect((await verifyTotp(c, key, 'ULOCK001', codeAt(secret, t1.getTime()), t1)).outcome).toBe('locked');
    const stored = await c.secondFactors.findOne({ _id: 'ULOCK001' });
    expect(stored?.secondFactor?.lockedUntil).toEqual(new Date(t0.getTime() + LOCKOUT_BASE_MS));

    // After expiry the right code works again.
    const t2 = new Date(t0.getTime() + LOCKOUT_BASE_MS + 1000);
    expect((await verifyTotp(c, key, 'ULOCK001', codeAt(secret, t2.getTime()), t2)).outcome).toBe('accepted');

    // A second lockout lasts twice as long.
    const t3 = new Date(t2.getTime() + 60_000);
    for (let i = 1; i <= 4; i++) await verifyTotp(c, key, 'ULOCK001', wrong(t3), t3);
    const again = await verifyTotp(c, key, 'ULOCK001', wrong(t3), t3);
    expect(again.lockedUntil).toEqual(new Date(t3.getTime() + 2 * LOCKOUT_BASE_MS));
    const t4 = new Date(t3.getTime() + LOCKOUT_BASE_MS + 1000);
    expect((await verifyTotp(c, key, 'ULOCK001', codeAt(secret, t4.getTime()), t4)).outcome).toBe('locked');
  });

  test('thirty wrong codes at once check exactly five; the rest are refused as locked', async () => {
    const c = collections(mongo.db);
    const t = new Date('2026-11-21T12:00:00Z');
    const secret = await enrolled('UPAR0001', t);
    const right = Number(codeAt(secret, t.getTime()));
    const wrong = Array.from({ length: 30 }, (_, i) => String((right + 1 + i) % 1_000_000).padStart(6, '0'));
    const results = await Promise.all(wrong.map((code) => verifyTotp(c, key, 'UPAR0001', code, t)));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(25);
    expect(results.filter((r) => r.outcome === 'rejected' && r.lockedUntil)).toHaveLength(1);
    // The lock is stored, so even the right code is refused now.
    expect((await verifyTotp(c, key, 'UPAR0001', String(right).padStart(6, '0'), t)).outcome).toBe('locked');
    expect((await c.secondFactors.findOne({ _id: 'UPAR0001' }))?.secondFactor?.lockedUntil).toEqual(
      new Date(t.getTime() + LOCKOUT_BASE_MS),
    );
  });

  test('an operator unlock opens a fresh window of five attempts', async () => {
    const c = collections(mongo.db);
    const t = new Date('2026-11-21T13:00:00Z');
    const secret = await enrolled('UUNL0001', t);
    const wrong = String((Number(codeAt(secret, t.getTime())) + 7) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) await verifyTotp(c, key, 'UUNL0001', wrong, t);
    expect((await verifyTotp(c, key, 'UUNL0001', wrong, t)).outcome).toBe('locked');
    await secondFactors(c, key).unlock('UUNL0001', 'test', t);
    expect((await verifyTotp(c, key, 'UUNL0001', codeAt(secret, t.getTime()), t)).outcome).toBe('accepted');
  });

  test('a crashed holder of the last attempt does not leave the employee locked forever', async () => {
    const c = collections(mongo.db);
    const t = new Date('2026-11-21T14:00:00Z');
    await enrolled('UCRA0001', t);
    const sf = (await c.secondFactors.findOne({ _id: 'UCRA0001' }))!.secondFactor!;
    const window = `attempts:UCRA0001:${sf.enrolledAt.getTime()}:${sf.lastStep}:${sf.lockouts}:0`;
    // Five attempts claimed, none of them wrote the lock (the process died after claiming).
    for (let n = 0; n < 5; n++) await c.claims.insertOne({ _id: `${window}:${n}`, at: t });
    expect(await verifyTotp(c, key, 'UCRA0001', '000000', new Date(t.getTime() + 1000))).toEqual({
      outcome: 'locked',
    });
    const later = new Date(t.getTime() + 2 * 60_000);
    expect(await verifyTotp(c, key, 'UCRA0001', '000000', later)).toEqual({
      outcome: 'locked',
      lockedUntil: new Date(later.getTime() + LOCKOUT_BASE_MS),
    });
    // Once that lock expires, a fresh window opens.
    const after = new Date(later.getTime() + LOCKOUT_BASE_MS + 1000);
    expect((await verifyTotp(c, key, 'UCRA0001', '000000', after)).outcome).toBe('rejected');
  });
});

describe('secrets and codes stay out of Temporal history and logs', () => {
  let h: Harness;
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (d: Buffer) => (logText += d.toString()));

  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true, logger: createLogger('test', 'trace', logs) });
  });
  afterAll(async () => h?.teardown());

  const spent: string[] = []; // the first test's secret and codes, looked for in the logs at the end
  const digits = (code: string) => new RegExp(`(?<![\\w-])${code}(?![\\w-])`);

  test('a full interview with wrong and right codes leaves no secret and no code behind', async () => {
    const secret = await enroll(h, ANA.id);
    const handle = await start(h, alertFor(ANA, { type: 'secrets.check' }));
    await dmSent(h, handle);
    await answer(handle, ANA.id, 'confirmed', 'it was me');
    const right = codeAt(secret, Date.now());
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    expect(await submitCode(h, handle, ANA.id, wrong)).toMatchObject({ accepted: false });
    expect(await submitCode(h, handle, ANA.id, right)).toMatchObject({ accepted: true });
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });

    const history = await handle.fetchHistory();
    const decoded = JSON.stringify(history) + extractPayloads(history);
    expect(decoded).toContain('{"outcome":"rejected"}'); // the search reads decoded payloads
    for (const text of [decoded, logText]) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(digits(right));
      expect(text).not.toMatch(digits(wrong));
    }
    spent.push(secret, right, wrong);
    const stored = JSON.stringify(
      await collections(h.mongo.db).alerts.findOne({ _id: handle.workflowId.replace(/^alert-/, '') }),
    );
    expect(stored).toContain('"kind":"second_factor_attempt","attempt":1,"limit":3,"result":"rejected"');
    expect(stored).not.toMatch(digits(right));
    expect(stored).not.toMatch(digits(wrong));
  });

  test('six open alerts × five parallel wrong codes: exactly five codes are checked, the rest refused as locked', async () => {
    const secret = await enroll(h, ANA.id); // a fresh enrollment: a fresh attempt window
    await setPolicy(h, 'secrets.parallel', { secondFactor: { required: true, attempts: 10 } });
    const handles = await Promise.all(
      Array.from({ length: 6 }, () => start(h, alertFor(ANA, { type: 'secrets.parallel' }))),
    );
    await Promise.all(handles.map((handle) => dmSent(h, handle)));
    await Promise.all(handles.map((handle) => answer(handle, ANA.id, 'confirmed', 'it was me')));
    const right = Number(codeAt(secret, Date.now()));
    const wrong = (i: number) => String((right + 1 + i) % 1_000_000).padStart(6, '0');
    const results = await Promise.all(
      handles.flatMap((handle, a) =>
        Array.from({ length: 5 }, (_, i) => submitCode(h, handle, ANA.id, wrong(a * 5 + i))),
      ),
    );
    expect(results.every((r) => !r.accepted)).toBe(true);
    const attempts = (await Promise.all(handles.map((handle) => state(handle))))
      .flatMap((s) => s.transcript)
      .flatMap((t) => (t.kind === 'second_factor_attempt' ? [t.result] : []));
    expect(attempts.filter((a) => a === 'rejected')).toHaveLength(5);
    expect(attempts.length).toBeGreaterThan(5);
    expect(attempts.filter((a) => a !== 'rejected' && a !== 'locked')).toEqual([]);
  });

  test('a secret the worker cannot decrypt fails closed with a clear log line, not a retry loop', async () => {
    const secret = await enroll(h, BOB.id, randomBytes(32)); // under a key the worker does not have
    const handle = await start(h, alertFor(BOB, { type: 'secrets.key' }));
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'confirmed');
    expect(await submitCode(h, handle, BOB.id, codeAt(secret, Date.now()))).toEqual({
      accepted: false,
      attemptsLeft: 2,
    });
    expect((await state(handle)).transcript.map(renderEvent)).toContain('attempt 1/3: unavailable');
    // The capture works (it holds the error line), and nothing from either interview leaked into it.
    for (const leaked of [...spent, secret]) expect(logText).not.toMatch(digits(leaked));
    expect(logText).toMatch(
      /"err":"sealed with key \w+ but VOUCH_ENCRYPTION_KEY is key \w+.*cannot decrypt the second factor/s,
    );
  });
});
