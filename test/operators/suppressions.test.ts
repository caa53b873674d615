import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { harnessWithCli, runCli } from '../helpers/cli';
import {
  ANA,
  alertFor,
  answer,
  dmSent,
  enroll,
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
        justification: 'Yes, that was me: "rotating the deploy key"',
      },
    });
    const days = (Date.parse(row!.expiresAt) - Date.parse(row!.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);
    const text = await runCli(['suppressions', 'list'], ctx.env);
    expect(text.stdout).toContain(`created by alert ${alert.id}`);
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
        text: expect.stringContaining('key leaked'),
      }),
    ]);
    const unknown = await runCli(['suppressions', 'revoke', 'UNOBODY:x:y'], ctx.env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no suppression UNOBODY:x:y/);
  });
});
