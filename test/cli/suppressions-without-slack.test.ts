import { putSuppression } from '../../activities/suppressions';
import { emailKey } from '../../shared/employee-key';
import { collections } from '../../store/collections';
import { suppressionId, suppressionStore } from '../../store/suppressions';
import { harnessWithCli, runCli } from '../helpers/cli';
import { alertFor, start } from '../helpers/interview-harness';

/** `vouch suppressions` with a suppression of an employee Slack does not know, kept under their email. */
describe('vouch suppressions without Slack', () => {
  const ctx = harnessWithCli();

  it('lists it by email and revokes it by its id', async () => {
    const alert = alertFor({ email: 'Tess.Teams@Example.com' }, { type: 'aws.key_created' });
    // The alert the suppression names, stored by a real interview (unknown employee: it ends at once).
    await (await start(ctx.h, alert)).result();
    // As createEmployeeSuppression stores it (a verified "yes" in Teams makes one end to end in
    // test/workflows/storms-without-slack.test.ts).
    const made = await putSuppression(suppressionStore(collections(ctx.h.mongo.db)), new Date(), {
      workflowId: `alert-${alert.id}`,
      alertId: alert.id!,
      employeeKey: emailKey('Tess.Teams@Example.com'),
      alertType: 'aws.key_created',
      fingerprint: 'details-abc',
      windowMs: 86_400_000,
    });
    expect(made.id).toBe(suppressionId('email:tess.teams@example.com', 'aws.key_created', 'details-abc'));

    const listed = await runCli(['suppressions', 'list', '--json'], ctx.env);
    expect(listed.status).toBe(0);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    const row = rows.find((r) => r._id === made.id);
    expect(row).toMatchObject({ email: 'tess.teams@example.com', state: 'live', createdByAlertId: alert.id });
    expect(row).not.toHaveProperty('slackUserId');
    const text = await runCli(['suppressions', 'list'], ctx.env);
    expect(text.stdout).toContain('employee tess.teams@example.com, alert type aws.key_created');

    const revoked = await runCli(['suppressions', 'revoke', made.id, '--operator', 'ops'], ctx.env);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${made.id}`);
    const after = JSON.parse((await runCli(['suppressions', 'list', '--json', '--all'], ctx.env)).stdout) as {
      _id: string;
      state: string;
    }[];
    expect(after.find((r) => r._id === made.id)?.state).toBe('revoked');
  }, 120_000);
});
