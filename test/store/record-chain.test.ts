import { parseAlert } from '../../shared/alert';
import { event } from '../../shared/record/events';
import { toStoredInput } from '../../store/alert-details';
import { alertStore } from '../../store/alerts';
import { type AuditDoc, type StoredAlertDoc, collections } from '../../store/collections';
import { recordMigration } from '../../store/migration';
import { harnessWithCli, runCli } from '../helpers/cli';
import { ANA, SECURITY_CHANNEL, alertFor, answer, dmSent, start } from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';

/**
 * The stored record's hash chain, end to end: an interview's record verifies, any edit of it in
 * MongoDB is named, and alerts stored by the release before typed events migrate and then verify.
 */
describe('the record hash chain in MongoDB', () => {
  const ctx = harnessWithCli();
  const c = () => collections(ctx.h.mongo.db);
  const store = () => alertStore(c());
  let alertId: string;
  let original: StoredAlertDoc;

  beforeAll(async () => {
    const alert = alertFor(ANA);
    const handle = await start(ctx.h, alert);
    await dmSent(ctx.h, handle);
    await answer(handle, ANA.id, 'denied', 'not me');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    alertId = alert.id!;
    // An audit entry from outside the workflow, as the bot writes one.
    await store().appendAudit(
      alertId,
      'click:UBOB0002:1',
      event('unauthorized_click', 'UBOB0002', new Date().toISOString(), { button: 'vouch_confirm' }),
    );
    original = (await c().alerts.findOne({ _id: alertId }))!;
  }, 120_000);

  /** Tampers with the stored alert, verifies, and puts the original back. */
  async function tampered<T>(tamper: () => Promise<unknown>, check: () => Promise<T>): Promise<T> {
    await tamper();
    try {
      return await check();
    } finally {
      await c().alerts.replaceOne({ _id: alertId }, original);
    }
  }

  it('an interview stores its facts as fields and a head over its hashed events', () => {
    expect(original).toMatchObject({
      employee: { slackUserId: ANA.id, email: ANA.email, name: ANA.name },
      policySource: expect.any(String),
      dm: { channel: `D${ANA.id.slice(1)}`, ts: expect.any(String) },
      escalation: { channel: SECURITY_CHANNEL, ts: expect.any(String), awaitsClose: false },
      head: { hash: expect.stringMatching(/^[0-9a-f]{64}$/), count: original.transcript.length },
    });
    expect(original.transcript.every((e) => /^[0-9a-f]{64}$/.test(e.hash ?? ''))).toBe(true);
  });

  it('vouch report --verify: the chain holds, with its count and head', async () => {
    const r = await runCli(['report', alertId, '--verify'], ctx.env);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toBe(
      `${alertId}: chain holds: ${original.transcript.length} events, head ${original.head!.hash} (and 1 audit entries)\n`,
    );
  });

  it('an edit of any field of any stored event is named, event and field by field', async () => {
    for (const [i, event] of original.transcript.entries())
      for (const field of Object.keys(event)) {
        const v = await tampered(
          () => c().alerts.updateOne({ _id: alertId }, { $set: { [`transcript.${i}.${field}`]: 'edited' } }),
          () => store().verify(alertId),
        );
        expect({ field, status: v?.status, position: v?.break?.position }).toEqual({
          field,
          status: 'broken',
          position: i,
        });
      }
  });

  it('vouch report --verify fails naming the event after an edit, a deletion or a swap', async () => {
    const third = original.transcript[2]!;
    const edit = await tampered(
      () => c().alerts.updateOne({ _id: alertId }, { $set: { 'transcript.2.actor': 'cli:mallory' } }),
      () => runCli(['report', alertId, '--verify'], ctx.env),
    );
    expect(edit).toMatchObject({ status: 3, stdout: '' });
    expect(edit.stderr).toContain(
      `chain broken at event 3 (key 3, kind ${third.kind}, at ${third.at}): edited`,
    );

    const pulled = await tampered(
      () => c().alerts.updateOne({ _id: alertId }, { $pull: { transcript: original.transcript[1] } }),
      () => runCli(['report', alertId, '--verify'], ctx.env),
    );
    expect(pulled.status).toBe(3);
    expect(pulled.stderr).toContain('event 2 (key 2): missing: event 2 is missing (deleted)');

    const emptied = await tampered(
      () => c().alerts.updateOne({ _id: alertId }, { $unset: { 'transcript.1': '' } }),
      () => store().verify(alertId),
    );
    expect(emptied?.break).toMatchObject({ problem: 'missing', position: 1, key: '2' });

    const swapped = await tampered(
      () =>
        c().alerts.updateOne(
          { _id: alertId },
          { $set: { 'transcript.1': original.transcript[3], 'transcript.3': original.transcript[1] } },
        ),
      () => runCli(['report', alertId, '--verify'], ctx.env),
    );
    expect(swapped.status).toBe(3);
    expect(swapped.stderr).toContain('event 2 (key 4');
    expect(swapped.stderr).toContain('reordered');

    const lastDeleted = await tampered(
      () => c().alerts.updateOne({ _id: alertId }, { $pop: { transcript: 1 } }),
      () => store().verify(alertId),
    );
    expect(lastDeleted?.break).toMatchObject({ problem: 'missing', key: String(original.transcript.length) });

    const auditEntry = (await c().audit.findOne({ alertId }))!;
    await c().audit.updateOne({ _id: auditEntry._id }, { $set: { button: 'vouch_deny' } });
    const audit = await store().verify(alertId);
    await c().audit.replaceOne({ _id: auditEntry._id }, auditEntry);
    expect(audit?.break).toMatchObject({ record: 'audit', problem: 'edited', kind: 'unauthorized_click' });
    expect((await store().verify(alertId))?.status).toBe('holds');
  });

  it('a retried progress write writes identical hashes', async () => {
    const id = uniqueName('retry');
    await store().insert(parseAlert(alertFor(ANA, { id })), `alert-${id}`);
    const entry = (n: number) => ({
      ...event('reminder', 'vouch', `2026-11-21T10:00:0${n}Z`, { n }),
      key: String(n),
    });
    const progress = {
      phase: 'awaiting_response' as const,
      outcome: null,
      entries: [entry(1), entry(2)],
      persistedBefore: 0,
    };
    await store().recordProgress(id, progress);
    const first = await c().alerts.findOne({ _id: id });
    await store().recordProgress(id, progress);
    const again = await c().alerts.findOne({ _id: id });
    expect(again!.transcript).toEqual(first!.transcript);
    expect(again!.head).toEqual(first!.head);
    await store().recordProgress(id, { ...progress, entries: [entry(3)], persistedBefore: 2 });
    expect(await store().verify(id)).toMatchObject({ status: 'holds', count: 3 });
  });

  describe('alerts stored by the release before typed events', () => {
    const legacyId = uniqueName('legacy');
    const at = (s: number) => `2026-11-20T09:00:${String(s).padStart(2, '0')}.000Z`;
    const OLD = [
      ['vouch', 'alert_received', 'New admin added to the AWS account (high, from cloudtrail)'],
      ['vouch', 'policy', `policy policies/default; employee <@${ANA.id}>`],
      ['vouch', 'dm_sent', 'asked the employee in a direct message'],
      ['vouch', 'reminder', 'reminder 1 sent'],
      [`<@${ANA.id}>`, 'employee_answer', 'No, it wasn\'t me: "never"'],
      ['vouch', 'outcome', 'denied'],
      ['vouch', 'awaiting_close', `open until an operator closes it (vouch close ${legacyId})`],
      ['vouch', 'pagerduty', `incident triggered (dedup key ${legacyId})`],
      ['vouch', 'mystery', 'a kind no release wrote'],
    ];

    /** An alert as the release before typed events stored it, with its `sent` records and an audit entry. */
    async function insertLegacy(id: string) {
      const legacy = {
        _id: id,
        workflowId: `alert-${id}`,
        input: toStoredInput(parseAlert(alertFor(ANA, { id }))),
        employeeSlackId: ANA.id,
        phase: 'escalated',
        outcome: 'denied',
        createdAt: new Date(),
        updatedAt: new Date(),
        slack: { channel: 'DLEGACY', ts: '111.222' },
        transcript: OLD.map(([actor, kind, text], i) => ({
          at: at(i),
          actor,
          kind,
          text: text!.replace(legacyId, id),
          key: String(i + 1),
        })),
      } as unknown as StoredAlertDoc;
      await c().alerts.insertOne(legacy);
      await c().sent.insertOne({
        _id: `alert-${id}:escalation`,
        at: new Date(),
        result: { channel: SECURITY_CHANNEL, ts: '333.444' },
      });
      // The release before wrote audit entries as prose.
      await c().audit.insertOne({
        _id: `${id}:click:1`,
        alertId: id,
        at: at(30),
        actor: '<@UBOB0002>',
        kind: 'unauthorized_click',
        text: 'pressed "vouch_confirm" but is not the interviewed employee; refused',
        key: 'click:1',
      } as unknown as AuditDoc);
    }

    beforeAll(() => insertLegacy(legacyId));

    it('vouch verify says "not migrated", not tampered, and lists the alert', async () => {
      const r = await runCli(['verify', '--since', '1d'], ctx.env);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`${legacyId}: not migrated: run vouch migrate`);
      expect(r.stderr).not.toContain(`${alertId}:`);
      expect(r.stderr).toMatch(/: \d+ hold \(\d+ events\), 0 broken, 1 not migrated/);
    });

    it('vouch migrate types and hashes the record, fills the facts, and a second run changes nothing', async () => {
      const first = await runCli(['migrate'], ctx.env);
      expect(first).toMatchObject({ status: 0 });
      expect(first.stdout).toMatch(/^migrated 1 of 1 alert\(s\) not yet up to date, 1 audit entry\n$/);
      const migrated = (await c().alerts.findOne({ _id: legacyId }))!;
      const events = migrated.transcript as unknown as Record<string, unknown>[];
      expect(events.map((e) => e.kind)).toEqual([
        'alert_received',
        'policy',
        'dm_sent',
        'reminder',
        'employee_answer',
        'outcome',
        'awaiting_close',
        'delivery',
        'legacy_note',
      ]);
      expect(events[0]).toMatchObject({
        title: 'New admin added to the AWS account',
        severity: 'high',
        alertType: 'aws.admin_added',
      });
      expect(events[2]).toMatchObject({ channel: 'DLEGACY', ts: '111.222' });
      expect(events[4]).toMatchObject({ actor: ANA.id, answer: 'denied', justification: 'never' });
      expect(events[7]).toMatchObject({
        target: 'pagerduty',
        event: 'escalated',
        status: 'delivered',
        dedupKey: legacyId,
      });
      expect(events[8]).toMatchObject({ legacyKind: 'mystery', text: 'a kind no release wrote' });
      expect(events.some((e) => 'text' in e && e.kind !== 'legacy_note')).toBe(false);
      expect(migrated).toMatchObject({
        recordVersion: 2,
        policySource: 'policies/default',
        employee: { slackUserId: ANA.id },
        dm: { channel: 'DLEGACY', ts: '111.222' },
        escalation: { channel: SECURITY_CHANNEL, ts: '333.444', awaitsClose: true },
        head: { count: OLD.length },
      });
      expect(await c().audit.findOne({ _id: `${legacyId}:click:1` })).toMatchObject({
        actor: 'UBOB0002',
        button: 'vouch_confirm',
        hash: expect.any(String),
      });

      const second = await runCli(['migrate'], ctx.env);
      expect(second.stdout).toBe('migrated 0 of 0 alert(s) not yet up to date, 0 audit entries\n');
      expect(await c().alerts.findOne({ _id: legacyId })).toEqual(migrated);
      // Run directly too, even on an alert already at the current version: the same values.
      expect(await recordMigration(c()).migrateAlert(migrated)).toBe('migrated');
      expect(await c().alerts.findOne({ _id: legacyId })).toEqual(migrated);

      const verified = await runCli(['report', legacyId, '--verify'], ctx.env);
      expect(verified).toMatchObject({ status: 0 });
      expect(verified.stdout).toContain(`chain holds: ${OLD.length} events, head ${migrated.head!.hash}`);
      const all = await runCli(['verify', '--since', '1d'], ctx.env);
      expect(all).toMatchObject({ status: 0, stderr: '' });
      expect(all.stdout).toMatch(/, 0 broken, 0 not migrated\n$/);
    });

    it('two migrations at once write the same record, which verifies', async () => {
      const id = uniqueName('twice');
      await insertLegacy(id);
      const m = recordMigration(c());
      const runs = await Promise.all([m.migrateAll(), m.migrateAll()]);
      expect(runs.map((r) => r.busy)).toEqual([0, 0]);
      expect(await store().verify(id)).toMatchObject({ status: 'holds', count: OLD.length, auditEntries: 1 });
    });

    it('an interview in flight across the upgrade types and hashes its old entries at its next write', async () => {
      const id = uniqueName('inflight');
      await c().alerts.insertOne({
        _id: id,
        workflowId: `alert-${id}`,
        input: toStoredInput(parseAlert(alertFor(ANA, { id }))),
        phase: 'awaiting_response',
        outcome: null,
        createdAt: new Date(),
        updatedAt: new Date(),
        transcript: OLD.slice(0, 3).map(([actor, kind, text], i) => ({
          at: at(i),
          actor,
          kind,
          text,
          key: String(i + 1),
        })),
      } as unknown as StoredAlertDoc);
      const progress = {
        phase: 'awaiting_response' as const,
        outcome: null,
        entries: [{ ...event('reminder', 'vouch', at(9), { n: 1 }), key: '4' }],
        persistedBefore: 3,
      };
      await store().recordProgress(id, progress);
      const written = (await c().alerts.findOne({ _id: id }))!;
      expect(written.transcript.map((e) => e.kind)).toEqual([
        'alert_received',
        'policy',
        'dm_sent',
        'reminder',
      ]);
      expect(await store().verify(id)).toMatchObject({ status: 'holds', count: 4 });
      await store().recordProgress(id, progress);
      expect((await c().alerts.findOne({ _id: id }))!.transcript).toEqual(written.transcript);
    });
  });
});
