import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { harnessWithCli, runCli } from '../helpers/cli';
import {
  ANA,
  alertFor,
  answer,
  dmSent,
  enroll,
  setPolicy,
  start,
  submitCode,
  validCode,
} from '../helpers/interview-harness';

/** `vouch suppressions list|revoke` against suppressions made by real interviews. */
describe('vouch suppressions', () => {
  const ctx = harnessWithCli();

  it('lists the verified confirmation behind each suppression and its expiry; revoke ends it', async () => {
    const secret = await enroll(ctx.h, ANA.id);
    const alert = alertFor(ANA, { type: 'aws.key_created' });
    const first = await start(ctx.h, alert);
    await dmSent(ctx.h, first);
    await answer(first, ANA.id, 'confirmed', 'rotating the deploy key');
    await submitCode(ctx.h, first, ANA.id, validCode(secret));
    const { suppressionId } = await first.result();
    expect(suppressionId).toBeDefined();

    const listed = await runCli(['suppressions', 'list', '--json'], ctx.env);
    expect(listed.status).toBe(0);
    const [row] = JSON.parse(listed.stdout) as { expiresAt: string; createdAt: string }[];
    expect(row).toMatchObject({
      _id: suppressionId,
      state: 'live',
      slackUserId: ANA.id,
      alertType: 'aws.key_created',
      createdByAlertId: alert.id,
      createdBy: {
        _id: alert.id,
        outcome: 'confirmed_verified',
        title: alert.title,
        justification: 'rotating the deploy key',
      },
    });
    const days = (Date.parse(row!.expiresAt) - Date.parse(row!.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);
    const text = await runCli(['suppressions', 'list'], ctx.env);
    expect(text.stdout).toContain(`created by alert ${alert.id}`);
    expect(row).toMatchObject({ scope: 'details' });
    expect(text.stdout).toContain('covers: all details');
    expect(text.stdout).toMatch(/\[live\][\s\S]*expires 20\d\d-/);

    const same = () =>
      start(ctx.h, { ...alertFor(ANA, { type: 'aws.key_created' }), details: alert.details });
    expect(await (await same()).result()).toMatchObject({ outcome: 'suppressed', suppressedBy: alert.id });

    const revoked = await runCli(
      ['suppressions', 'revoke', suppressionId!, '--operator', 'UOPS0001', '--note', 'key leaked'],
      ctx.env,
    );
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(/next alert of this scope will be interviewed/);
    const after = await same();
    await dmSent(ctx.h, after); // interviewed again
    await answer(after, ANA.id, 'denied');
    expect(await after.result()).toMatchObject({ outcome: 'denied' });

    expect(JSON.parse((await runCli(['suppressions', 'list', '--json'], ctx.env)).stdout)).toEqual([]);
    const all = JSON.parse((await runCli(['suppressions', 'list', '--all', '--json'], ctx.env)).stdout);
    expect(all[0]).toMatchObject({ state: 'revoked', revokedBy: 'UOPS0001', revokeNote: 'key leaked' });
    const audit = (await alertStore(collections(ctx.h.mongo.db)).get(alert.id!, { withAudit: true }))?.audit;
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'UOPS0001',
        kind: 'suppression_revoked',
        note: 'key leaked',
      }),
    ]);
    const unknown = await runCli(['suppressions', 'revoke', 'UNOBODY:x:y'], ctx.env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no suppression UNOBODY:x:y/);
  });

  /** A verified "yes" and the suppression it makes, for `type` with `details`. */
  async function verifiedYes(type: string, details: Record<string, string>) {
    const secret = await enroll(ctx.h, ANA.id);
    const first = await start(ctx.h, alertFor(ANA, { type, details }));
    await dmSent(ctx.h, first);
    await answer(first, ANA.id, 'confirmed', 'my change');
    await submitCode(ctx.h, first, ANA.id, validCode(secret));
    return first.result();
  }

  it('by default suppresses only alerts whose non-sensitive details all match; others are interviewed', async () => {
    const type = 'aws.admin_granted';
    const details = { user: 'ana-admin', sourceIp: '203.0.113.7', account: '111' };
    expect(await verifiedYes(type, details)).toMatchObject({ outcome: 'confirmed_verified' });

    // Same details (the sensitive `account` may differ): the same activity, suppressed.
    const same = await start(ctx.h, alertFor(ANA, { type, details: { ...details, account: '222' } }));
    expect(await same.result()).toMatchObject({ outcome: 'suppressed' });

    // Another account granted, or another IP: a new activity, asked about.
    for (const other of [{ user: 'mallory' }, { sourceIp: '198.51.100.9' }]) {
      const handle = await start(ctx.h, alertFor(ANA, { type, details: { ...details, ...other } }));
      await dmSent(ctx.h, handle);
      await answer(handle, ANA.id, 'denied');
      expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    }
  });

  it('suppression.keys widens it to the named keys; scope: type covers the whole type and is warned about', async () => {
    await setPolicy(ctx.h, 'gh.keys', { suppression: { window: '7d', keys: ['repo'] } });
    await verifiedYes('gh.keys', { repo: 'vouch', ip: '203.0.113.7' });
    const sameRepo = await start(
      ctx.h,
      alertFor(ANA, { type: 'gh.keys', details: { repo: 'vouch', ip: '1.2.3.4' } }),
    );
    expect(await sameRepo.result()).toMatchObject({ outcome: 'suppressed' });

    await setPolicy(ctx.h, 'gh.type', { suppression: { window: '7d', scope: 'type' } });
    await verifiedYes('gh.type', { repo: 'vouch' });
    const other = await start(ctx.h, alertFor(ANA, { type: 'gh.type', details: { repo: 'secrets' } }));
    expect(await other.result()).toMatchObject({ outcome: 'suppressed' });

    const listed = await runCli(['suppressions', 'list'], ctx.env);
    expect(listed.stdout).toContain('covers: named keys');
    expect(listed.stdout).toContain('covers: type-wide');
    const shown = await runCli(['policy', 'show', 'gh.type'], ctx.env);
    expect(shown.status).toBe(0);
    expect(shown.stderr).toMatch(/warning: gh\.type: suppression\.scope is "type"/);
    expect((await runCli(['policy', 'show', 'gh.keys'], ctx.env)).stderr).not.toMatch(/warning/);
  });

  it('a suppression stored before scopes is listed as such and no longer suppresses', async () => {
    const { createHash } = await import('node:crypto');
    const type = 'aws.legacy';
    const oldDefault = createHash('sha256').update(`${type}\n`).digest('hex').slice(0, 32);
    const expiresAt = new Date(Date.now() + 86_400_000);
    await collections(ctx.h.mongo.db).suppressions.insertOne({
      _id: `${ANA.id}:${type}:${oldDefault}`,
      slackUserId: ANA.id,
      alertType: type,
      fingerprint: oldDefault,
      createdByAlertId: 'old-alert',
      createdAt: new Date(),
      expiresAt,
    });
    const handle = await start(ctx.h, alertFor(ANA, { type }));
    await dmSent(ctx.h, handle);
    await answer(handle, ANA.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    const rows = JSON.parse((await runCli(['suppressions', 'list', '--json'], ctx.env)).stdout) as {
      _id: string;
      scope: string;
      expiresAt: string;
    }[];
    expect(rows.find((r) => r._id.includes(oldDefault))).toMatchObject({
      scope: 'legacy',
      expiresAt: expiresAt.toISOString(),
    });
  });
});
