import { collections } from '../../store/collections';
import { cliEnv, runCli } from '../helpers/cli';
import {
  ANA,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  start,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';

/** `vouch suppressions list|revoke` against suppressions made by real interviews. */
describe('vouch suppressions', () => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
    env = cliEnv(h.mongo.db);
  });
  afterAll(async () => h?.teardown());

  it('lists the verified confirmation behind each suppression and its expiry; revoke ends it', async () => {
    const secret = await enroll(h, ANA.id);
    const alert = alertFor(ANA, { type: 'aws.key_created' });
    const first = await start(h, alert);
    await dmSent(h, first);
    await answer(first, ANA.id, 'confirmed', 'rotating the deploy key');
    await submitCode(h, first, ANA.id, validCode(secret));
    const { suppressionId } = await first.result();
    expect(suppressionId).toBeDefined();

    const listed = await runCli(['suppressions', 'list', '--json'], env);
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
    const text = await runCli(['suppressions', 'list'], env);
    expect(text.stdout).toContain(`created by alert ${alert.id}`);
    expect(text.stdout).toMatch(/\[live\][\s\S]*expires 20\d\d-/);

    const same = () => start(h, { ...alertFor(ANA, { type: 'aws.key_created' }), details: alert.details });
    expect(await (await same()).result()).toMatchObject({ outcome: 'suppressed', suppressedBy: alert.id });

    const revoked = await runCli(
      ['suppressions', 'revoke', suppressionId!, '--operator', 'UOPS0001', '--note', 'key leaked'],
      env,
    );
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(/next alert of this scope will be interviewed/);
    const after = await same();
    await dmSent(h, after); // interviewed again
    await answer(after, ANA.id, 'denied');
    expect(await after.result()).toMatchObject({ outcome: 'denied' });

    expect(JSON.parse((await runCli(['suppressions', 'list', '--json'], env)).stdout)).toEqual([]);
    const all = JSON.parse((await runCli(['suppressions', 'list', '--all', '--json'], env)).stdout);
    expect(all[0]).toMatchObject({ state: 'revoked', revokedBy: 'UOPS0001', revokeNote: 'key leaked' });
    const audit = (await collections(h.mongo.db).alerts.findOne({ _id: alert.id! }))?.audit;
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'UOPS0001',
        kind: 'suppression_revoked',
        text: expect.stringContaining('key leaked'),
      }),
    ]);
    const unknown = await runCli(['suppressions', 'revoke', 'UNOBODY:x:y'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no suppression UNOBODY:x:y/);
  });
});
