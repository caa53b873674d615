import { collections } from '../../store/collections';
import { recordHistory } from '../helpers/history';
import { alertFingerprint } from '../../activities/fingerprint';
import { parseAlert } from '../../shared/alert';
import { DEFAULT_POLICY } from '../../shared/policy';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  state,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { renderEvent } from '../../shared/record/render';

const alertFingerprintOf = (draft: Parameters<typeof parseAlert>[0]) =>
  alertFingerprint(parseAlert(draft), DEFAULT_POLICY.suppression);

/** Every outcome path of alertInterview, on the time-skipping test server with the real activities. */
describe('alertInterview outcomes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
  });
  afterAll(async () => h?.teardown());

  const stored = (alertId: string) => collections(h.mongo.db).alerts.findOne({ _id: alertId });
  const postsTo = (channel: string) =>
    h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

  it('confirmed + valid code: closes confirmed_verified, updates the DM, creates a suppression', async () => {
    const secret = await enroll(h, ANA.id);
    const alert = alertFor(ANA);
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    expect(dm.args.channel).toBe(`D${ANA.id.slice(1)}`);
    const dmText = JSON.stringify(dm.args.blocks);
    expect(dmText).toContain('203.0.113.7');
    expect(dmText).not.toContain('123456789012'); // a sensitive key never reaches Slack

    await answer(handle, ANA.id, 'confirmed', 'I was setting up the new account');
    const verdict = await submitCode(h, handle, ANA.id, validCode(secret));
    expect(verdict).toEqual({ accepted: true, attemptsLeft: 0 });
    const result = await handle.result();
    expect(result).toMatchObject({
      outcome: 'confirmed_verified',
      phase: 'closed',
      suppressionId: `${ANA.id}:aws.admin_added:${alertFingerprintOf(alert)}`,
    });

    const update = h.slack
      .callsTo('chat.update')
      .find((c) => c.args.channel === dm.args.channel && String(c.args.text).includes('verified it was you'));
    expect(update).toBeDefined();
    expect(JSON.stringify(update!.args.blocks)).not.toContain('vouch_confirm'); // buttons gone
    const doc = await stored(alert.id!);
    expect(doc).toMatchObject({ phase: 'closed', outcome: 'confirmed_verified' });
    expect(doc!.transcript.map((t) => t.kind)).toEqual(
      expect.arrayContaining([
        'alert_received',
        'dm_sent',
        'employee_answer',
        'second_factor_attempt',
        'suppression_created',
        'outcome',
      ]),
    );
    expect(renderEvent(doc!.transcript.find((t) => t.kind === 'employee_answer')!)).toContain(
      'setting up the new account',
    );
    expect(postsTo(SECURITY_CHANNEL).filter((c) => JSON.stringify(c.args).includes(alert.id!))).toHaveLength(
      0,
    );

    // The same activity again, by the same employee: suppressed by that verified confirmation.
    const again = await start(h, { ...alertFor(ANA), details: alert.details });
    expect(await again.result()).toMatchObject({ outcome: 'suppressed', suppressedBy: alert.id });
  });

  it('"No": escalates denied at once and tells the employee what happens next', async () => {
    const alert = alertFor(BOB, { type: 'github.repo_cloned' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied', phase: 'escalated' });
    const report = postsTo(SECURITY_CHANNEL).find(
      (c) =>
        String(c.args.text).includes('denied') && JSON.stringify(c.args.blocks).includes(handle.workflowId),
    );
    expect(report).toBeDefined();
    expect(JSON.stringify(report!.args.blocks)).toContain('No, it wasn');
    const update = h.slack.callsTo('chat.update').find((c) => String(c.args.text).includes('not you'));
    expect(update).toBeDefined();
    const doc = await stored(alert.id!);
    expect(doc?.outcome).toBe('denied');
    // The post names the record's head as it was when posted: the hash of the event stored at that count.
    const [, count, hash] = /Record: (\d+) events, head hash `([0-9a-f]{64})`/.exec(
      JSON.stringify(report!.args.blocks),
    )!;
    expect((doc?.transcript[Number(count) - 1] as { hash?: string }).hash).toBe(hash);
  });

  it('no answer: reminders at 15 min and 1 h, then no_response at 4 h', async () => {
    const alert = alertFor(BOB, { type: 'okta.break_glass' });
    const handle = await start(h, alert);
    const result = await handle.result();
    expect(result.outcome).toBe('no_response');
    recordHistory('no-response-after-two-reminders', await handle.fetchHistory());
    const { transcript } = await state(handle);
    const dmAt = Date.parse(transcript.find((t) => t.kind === 'dm_sent')!.at);
    const reminders = transcript.filter((t) => t.kind === 'reminder').map((t) => Date.parse(t.at) - dmAt);
    expect(reminders).toHaveLength(2);
    expect(Math.abs(reminders[0]! - 15 * 60_000)).toBeLessThan(5_000);
    expect(Math.abs(reminders[1]! - 60 * 60_000)).toBeLessThan(5_000);
    const deadline = Date.parse(transcript.find((t) => t.kind === 'deadline')!.at) - dmAt;
    expect(Math.abs(deadline - 4 * 3600_000)).toBeLessThan(5_000);
    const threaded = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.thread_ts && String(c.args.text).includes(alert.title!));
    expect(threaded).toHaveLength(2);
    expect(postsTo(SECURITY_CHANNEL).some((c) => String(c.args.text).includes('no_response'))).toBe(true);
  });

  it('three wrong codes: second_factor_failed', async () => {
    await enroll(h, BOB.id);
    const handle = await start(h, alertFor(BOB, { type: 'gcp.owner_added' }));
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'confirmed');
    expect(await submitCode(h, handle, BOB.id, '000000')).toEqual({ accepted: false, attemptsLeft: 2 });
    expect(await submitCode(h, handle, BOB.id, '111111')).toEqual({ accepted: false, attemptsLeft: 1 });
    expect(await submitCode(h, handle, BOB.id, '222222')).toEqual({ accepted: false, attemptsLeft: 0 });
    expect(await handle.result()).toMatchObject({ outcome: 'second_factor_failed', phase: 'escalated' });
  });

  it('not enrolled: escalates not_enrolled by default, or accepts when the policy says so', async () => {
    await collections(h.mongo.db).secondFactors.updateOne({ _id: ANA.id }, { $unset: { secondFactor: '' } });
    const first = await start(h, alertFor(ANA, { type: 'okta.mfa_reset' }));
    await dmSent(h, first);
    await answer(first, ANA.id, 'confirmed');
    expect(await first.result()).toMatchObject({ outcome: 'not_enrolled' });

    await setPolicy(h, 'okta.mfa_reset_lenient', { secondFactor: { whenNotEnrolled: 'accept' } });
    const second = await start(h, alertFor(ANA, { type: 'okta.mfa_reset_lenient' }));
    await dmSent(h, second);
    await answer(second, ANA.id, 'confirmed');
    expect(await second.result()).toMatchObject({ outcome: 'confirmed_verified' });
    expect((await state(second)).transcript.some((t) => t.kind === 'not_enrolled')).toBe(true);
  });

  it('unknown employee: escalates unknown_employee at once, without a DM', async () => {
    const handle = await start(h, alertFor({ email: 'nobody@example.com' }));
    expect(await handle.result()).toMatchObject({ outcome: 'unknown_employee', phase: 'escalated' });
    expect(postsTo(SECURITY_CHANNEL).some((c) => String(c.args.text).includes('nobody@example.com'))).toBe(
      true,
    );
  });

  it('approval policy: waits for an operator; approve continues, skip ends skipped_by_operator', async () => {
    await setPolicy(h, 'aws.root_login', { mode: 'approval' });
    const approved = await start(h, alertFor(BOB, { type: 'aws.root_login' }));
    const request = await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks).includes(approved.workflowId) &&
        JSON.stringify(c.args.blocks).includes('vouch_approve'),
    );
    expect(request).toBeDefined();
    expect((await state(approved)).phase).toBe('awaiting_approval');
    await act(approved, 'approve', 'UOPS0001');
    await dmSent(h, approved);
    await answer(approved, BOB.id, 'denied');
    expect(await approved.result()).toMatchObject({ outcome: 'denied' });
    recordHistory('approved-then-denied', await approved.fetchHistory());
    expect((await state(approved)).transcript.find((t) => t.kind === 'operator_action')).toMatchObject({
      actor: 'UOPS0001',
      action: 'approve',
    });

    const skipped = await start(h, alertFor(BOB, { type: 'aws.root_login' }));
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        JSON.stringify(c.args.blocks ?? '').includes(skipped.workflowId) &&
        c.args.channel === SECURITY_CHANNEL,
    );
    await act(skipped, 'skip', 'UOPS0002', 'known maintenance');
    expect(await skipped.result()).toMatchObject({ outcome: 'skipped_by_operator', phase: 'closed' });
  });

  it('approval timeout follows the policy', async () => {
    await setPolicy(h, 'aws.root_login_auto_skip', {
      mode: 'approval',
      approval: { timeout: '30m', onTimeout: 'skip' },
    });
    const handle = await start(h, alertFor(BOB, { type: 'aws.root_login_auto_skip' }));
    expect(await handle.result()).toMatchObject({ outcome: 'skipped_by_operator' });
    expect((await state(handle)).transcript.some((t) => t.kind === 'approval_timeout')).toBe(true);
  });

  it('operators can close or escalate at any phase; their identity is recorded', async () => {
    const closing = await start(h, alertFor(BOB, { type: 'vpn.new_country' }));
    await dmSent(h, closing);
    await act(closing, 'close', 'UOPS0003', 'false positive');
    expect(await closing.result()).toMatchObject({ outcome: 'closed_by_operator', phase: 'closed' });
    expect((await state(closing)).transcript.find((t) => t.kind === 'operator_action')).toMatchObject({
      actor: 'UOPS0003',
      action: 'close',
      note: 'false positive',
    });

    const escalating = await start(h, alertFor(BOB, { type: 'vpn.new_country' }));
    await dmSent(h, escalating);
    await act(escalating, 'escalate', 'UOPS0003');
    expect(await escalating.result()).toMatchObject({ outcome: 'escalated_by_operator', phase: 'escalated' });
  });

  it('only the interviewed employee can answer; a redelivered answer is applied once', async () => {
    const handle = await start(h, alertFor(ANA, { type: 'aws.key_created' }));
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'confirmed'); // not Ana
    const s = await state(handle);
    expect(s.phase).toBe('awaiting_response');
    expect(s.transcript.find((t) => t.kind === 'unauthorized_response')?.actor).toBe(BOB.id);
    const denial = { responseId: 'click-1', slackUserId: ANA.id, answer: 'denied' as const };
    const { employeeResponse } = await import('../../shared/messages');
    await handle.signal(employeeResponse, denial);
    await handle.signal(employeeResponse, denial);
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    expect((await state(handle)).transcript.filter((t) => t.kind === 'employee_answer')).toHaveLength(1);
  });
});
