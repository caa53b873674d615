import { randomUUID } from 'node:crypto';
import { snoozeDecision } from '../../shared/messages';
import { eventsOfKind } from '../../shared/record/events';
import { codeAt } from '../../lib/totp';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { startBot } from '../helpers/bot-under-test';
import { cliEnv, runCli } from '../helpers/cli';
import { recordHistory } from '../helpers/history';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { buttonClick, codeSubmission, postInteraction, snoozeSubmission } from '../helpers/slack-requests';

/**
 * The snooze an employee asks for after a verified "yes", through the real bot and workflow: only
 * after this interview's own second factor, at most the policy's snooze.max, scoped like a
 * suppression, approved by an operator other than the employee when the policy says so, announced
 * in the security channel, and listed and revoked with `vouch suppressions`.
 */
const SECRET = 'test-signing-secret-snooze-0001';
const OPERATOR = 'UOPS0001';
// Bob is an operator too: the subject of an alert must still not approve its snooze.
const OPERATORS = `${OPERATOR},${BOB.id}`;
const SNOOZE = { suppression: { window: '0s' }, snooze: { max: '7d' } };

describe('a snooze the employee asks for', () => {
  let h: Harness;
  let bot: { url: string; app: { stop: () => Promise<unknown> } };
  let bobSecret: string;
  beforeAll(async () => {
    h = await createDevServerHarness();
    bot = await startBot(h, h.client, { signingSecret: SECRET, operators: OPERATORS });
    bobSecret = await enroll(h, BOB.id);
  });
  afterAll(async () => {
    await bot?.app.stop();
    await h?.teardown();
  });

  const send = (payload: unknown) => postInteraction(bot.url, SECRET, payload);
  const press = (user: string, actionId: string, workflowId: string, channel: unknown) =>
    send(buttonClick(user, actionId, workflowId, String(channel)));
  const ephemeral = (user: string, text: string) =>
    h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === user && String(c.args.text).includes(text),
    );
  const modalSays = (viewId: string, text: string) =>
    h.slack.waitForCall(
      'views.update',
      (c) => c.args.view_id === viewId && JSON.stringify(c.args.view).includes(text),
    );
  const doc = async (alertId: string) =>
    (await alertStore(collections(h.mongo.db)).get(alertId, { withAudit: true }))!;
  const kinds = async (alertId: string) => (await doc(alertId)).transcript.map((e) => e.kind);

  /** A code of a later time step than the last one used: a spent step is refused as replayed. */
  let lastStep = 0;
  async function nextCode(): Promise<string> {
    const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
    // Codes within one step of now are accepted.
    while (step > Math.floor(Date.now() / 30_000) + 1) await new Promise((r) => setTimeout(r, 1000));
    lastStep = step;
    return codeAt(bobSecret, step * 30_000 + 1000);
  }

  /** Bob's "yes" verified through the bot's modal; returns the DM's outcome note. */
  async function verifiedYes(type: string, details?: Record<string, string>) {
    const title = `Snooze check ${randomUUID()}`;
    const alert = alertFor(BOB, { type, title, ...(details ? { details } : {}) });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const viewId = `VYES${randomUUID().slice(0, 6)}`;
    await send(codeSubmission(BOB.id, handle.workflowId, await nextCode(), viewId));
    const note = await h.slack.waitForCall(
      'chat.update',
      (c) =>
        JSON.stringify(c.args.blocks).includes(title) &&
        JSON.stringify(c.args.blocks).includes('Thanks, you confirmed'),
    );
    return { alert, handle, dm, note };
  }

  /** Bob opens the snooze from the outcome note and asks; `answer` is what the modal then says. */
  async function askForSnooze(
    v: Awaited<ReturnType<typeof verifiedYes>>,
    duration: string,
    reason: string,
    answer: string,
  ) {
    const viewId = `VSNZ${randomUUID().slice(0, 6)}`;
    await press(BOB.id, 'vouch_snooze', v.handle.workflowId, v.dm.args.channel);
    await send(snoozeSubmission(BOB.id, v.handle.workflowId, duration, reason, viewId));
    await modalSays(viewId, answer);
  }

  /** A later alert of the same type: suppressed, or asked (then answered "No" to end it). */
  async function laterAlert(type: string, details?: Record<string, string>) {
    const alert = alertFor(BOB, { type, ...(details ? { details } : {}) });
    const handle = await start(h, alert);
    await waitFor(async () => {
      const now = await state(handle);
      return now.outcome !== null || now.phase === 'awaiting_response';
    });
    if ((await state(handle)).outcome !== null) return (await resultWithin(handle)).outcome;
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await resultWithin(handle);
    return 'asked';
  }

  it('is refused without a verified second factor in that interview, and the refusal is recorded', async () => {
    await setPolicy(h, 'okta.snooze_no_factor', { ...SNOOZE, secondFactor: { required: false } });
    const alert = alertFor(BOB, { type: 'okta.snooze_no_factor' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    await answer(handle, BOB.id, 'confirmed');
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    const note = await h.slack.waitForCall('chat.update', (c) => c.args.channel === dm.args.channel);
    expect(JSON.stringify(note.args.blocks)).not.toContain('vouch_snooze');

    // A crafted click on the button the note never showed.
    await press(BOB.id, 'vouch_snooze', handle.workflowId, dm.args.channel);
    await ephemeral(BOB.id, 'only be kept quiet after you confirm one with your second factor');
    const refused = (await doc(alert.id!)).audit?.filter((e) => e.kind === 'snooze_refused');
    expect(refused).toMatchObject([{ actor: BOB.id, reason: 'second_factor_not_verified' }]);
    expect(await kinds(alert.id!)).not.toContain('snooze_offered');
    expect(
      await collections(h.mongo.db).suppressions.countDocuments({ alertType: 'okta.snooze_no_factor' }),
    ).toBe(0);
    expect(await laterAlert('okta.snooze_no_factor', alert.details as Record<string, string>)).toBe('asked');
  });

  it('is created after a verified "yes": same type and fingerprint stay quiet, listed and revoked from the CLI', async () => {
    await setPolicy(h, 'aws.snooze', SNOOZE);
    const details = { sourceIp: '198.51.100.20', region: 'eu-west-1' };
    const { alert, handle, dm, note } = await verifiedYes('aws.snooze', details);
    expect(JSON.stringify(note.args.blocks)).toContain('"action_id":"vouch_snooze"');

    // Only Bob may open the snooze.
    await press(ANA.id, 'vouch_snooze', handle.workflowId, 'DANA');
    await ephemeral(ANA.id, "isn't your alert");
    await press(BOB.id, 'vouch_snooze', handle.workflowId, dm.args.channel);
    const modal = await h.slack.waitForCall('views.open', (c) =>
      JSON.stringify(c.args.view).includes(handle.workflowId),
    );
    const options = JSON.stringify(modal.args.view);
    expect(options).toContain('"value":"1d"');
    expect(options).toContain('"value":"7d"');
    expect(options).not.toContain('"value":"14d"');

    // Longer than snooze.max (a forged submission): refused and recorded; the offer stays open.
    await send(snoozeSubmission(BOB.id, handle.workflowId, '30d', '', 'VSNZLONG'));
    await modalSays('VSNZLONG', 'Not possible');
    // Someone else's submission is refused too.
    await send(snoozeSubmission(ANA.id, handle.workflowId, '1d', '', 'VSNZANA'));
    await modalSays('VSNZANA', 'Not possible');

    await send(snoozeSubmission(BOB.id, handle.workflowId, '3d', 'migrating billing all week', 'VSNZOK'));
    await modalSays('VSNZOK', 'Done');
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');

    const announced = await h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes('*Snooze*'),
    );
    expect(JSON.stringify(announced.args.blocks)).toContain('migrating billing all week');

    const record = (await doc(alert.id!)).transcript;
    expect(eventsOfKind(record, 'snooze_refused')).toMatchObject([
      { actor: BOB.id, reason: 'longer_than_max', duration: '30d' },
      { actor: ANA.id, reason: 'not_the_employee' },
    ]);
    expect(eventsOfKind(record, 'snooze_requested')).toMatchObject([
      { actor: BOB.id, duration: '3d', reason: 'migrating billing all week', approval: false },
    ]);
    const [created] = eventsOfKind(record, 'snooze_created');
    expect(created).toMatchObject({ duration: '3d', requestedBy: BOB.id });
    expect(eventsOfKind(record, 'snooze_announced')).toMatchObject([{ channel: SECURITY_CHANNEL }]);
    const stored = await collections(h.mongo.db).suppressions.findOne({ _id: created!.suppressionId });
    expect(stored?.snooze).toEqual({
      requestedBy: BOB.id,
      duration: '3d',
      reason: 'migrating billing all week',
    });
    const days = (stored!.expiresAt.getTime() - stored!.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(3, 3);
    recordHistory('snooze-created-after-verified-yes', await handle.fetchHistory());

    // Same type and fingerprint: quiet; another fingerprint: asked.
    expect(await laterAlert('aws.snooze', details)).toBe('suppressed');
    expect(await laterAlert('aws.snooze', { ...details, sourceIp: '192.0.2.99' })).toBe('asked');

    const env = cliEnv(h.mongo.db);
    const listed = await runCli(['suppressions', 'list'], env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${created!.suppressionId}  [live] snooze`);
    expect(listed.stdout).toContain(`snooze asked by ${BOB.id} for 3d: "migrating billing all week"`);
    const revoked = await runCli(
      ['suppressions', 'revoke', created!.suppressionId, '--operator', 'cli:ops'],
      env,
    );
    expect(revoked.status).toBe(0);
    expect(await laterAlert('aws.snooze', details)).toBe('asked');
  });

  it('needs an operator other than the employee when the policy asks for approval', async () => {
    await setPolicy(h, 'aws.snooze_approval', { ...SNOOZE, snooze: { max: '7d', approval: true } });
    const details = { sourceIp: '198.51.100.30' };
    const yes = await verifiedYes('aws.snooze_approval', details);
    const { alert, handle } = yes;
    await askForSnooze(yes, '1d', 'on call this weekend', 'The security team decides');
    const request = await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes('vouch_snooze_approve'),
    );
    expect(JSON.stringify(request.args.blocks)).toContain(handle.workflowId);

    // The employee, although an operator, cannot approve their own snooze: not in the bot...
    await press(BOB.id, 'vouch_snooze_approve', handle.workflowId, SECURITY_CHANNEL);
    await ephemeral(BOB.id, 'This snooze is yours');
    // ...nor by signalling the interview directly.
    await handle.signal(snoozeDecision, { decisionId: randomUUID(), operator: BOB.id, decision: 'approve' });
    // Someone who is no operator cannot either.
    await press(ANA.id, 'vouch_snooze_approve', handle.workflowId, SECURITY_CHANNEL);
    await ephemeral(ANA.id, 'Only the security team');
    await waitFor(async () => (await state(handle)).transcript.some((e) => e.kind === 'self_action_refused'));
    expect(
      await collections(h.mongo.db).suppressions.countDocuments({ alertType: 'aws.snooze_approval' }),
    ).toBe(0);

    await press(OPERATOR, 'vouch_snooze_approve', handle.workflowId, SECURITY_CHANNEL);
    await ephemeral(OPERATOR, 'Done: snooze approved');
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    await h.slack.waitForCall(
      'chat.update',
      (c) => c.args.channel === SECURITY_CHANNEL && String(c.args.text).includes('Snooze approved by'),
    );
    const record = (await doc(alert.id!)).transcript;
    expect(eventsOfKind(record, 'self_action_refused')).toMatchObject([
      { operator: BOB.id, action: 'approve snooze' },
    ]);
    expect(eventsOfKind(record, 'snooze_decided')).toMatchObject([{ decision: 'approve', by: OPERATOR }]);
    expect(eventsOfKind(record, 'snooze_created')).toMatchObject([
      { duration: '1d', requestedBy: BOB.id, approvedBy: OPERATOR },
    ]);
    const audit = (await doc(alert.id!)).audit ?? [];
    expect(audit.map((e) => e.kind).sort()).toEqual(['self_action_refused', 'unauthorized_operator_action']);
    recordHistory('snooze-approved-by-an-operator', await handle.fetchHistory());
    expect(await laterAlert('aws.snooze_approval', details)).toBe('suppressed');
  });

  it('refused by an operator: no snooze, and the next alert is asked', async () => {
    await setPolicy(h, 'aws.snooze_refused', { ...SNOOZE, snooze: { max: '7d', approval: true } });
    const details = { sourceIp: '198.51.100.40' };
    const yes = await verifiedYes('aws.snooze_refused', details);
    const { alert, handle } = yes;
    await askForSnooze(yes, '7d', '', 'The security team decides');
    await waitFor(async () =>
      (await state(handle)).transcript.some((e) => e.kind === 'snooze_approval_requested'),
    );
    await press(OPERATOR, 'vouch_snooze_refuse', handle.workflowId, SECURITY_CHANNEL);
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    const record = (await doc(alert.id!)).transcript;
    expect(eventsOfKind(record, 'snooze_decided')).toMatchObject([{ decision: 'refuse', by: OPERATOR }]);
    expect(record.some((e) => e.kind === 'snooze_created')).toBe(false);
    expect(await laterAlert('aws.snooze_refused', details)).toBe('asked');
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
