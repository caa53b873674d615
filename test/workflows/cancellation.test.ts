import { collections } from '../../store/collections';
import {
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { recordHistory } from '../helpers/history';
import { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { renderEvent } from '../../shared/record/render';

/** "Request Cancellation" in the Web UI or `temporal workflow cancel`: the interview records it and tidies up. */
describe('alertInterview cancelled in Temporal', () => {
  // The dev server: the time-skipping test server never marks a workflow that completes after a
  // cancellation request as completed.
  let h: Harness;
  let pd: PagerDutyStandIn;
  beforeAll(async () => {
    pd = await new PagerDutyStandIn().start();
    h = await createDevServerHarness({
      activityDeps: { pagerDutyUrl: pd.url, outboundAllowHosts: ['127.0.0.1'] }, // the stand-in is local
    });
    await setPolicy(h, 'cancel.approval', { mode: 'approval' });
    await setPolicy(h, 'cancel.paged', {
      escalation: { pagerDuty: { routingKey: 'R0UTINGKEY0123456789ABCDEFGHIJKL', severity: 'warning' } },
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await pd?.stop();
  });

  it('while waiting for the answer: outcome cancelled, recorded, escalated, and the DM loses its buttons', async () => {
    const alert = alertFor(BOB);
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    for (let i = 0; i < 50 && !(await state(handle)).transcript.some((t) => t.kind === 'dm_sent'); i += 1)
      await new Promise((r) => setTimeout(r, 100));
    await handle.cancel();
    expect(await handle.result()).toMatchObject({ outcome: 'cancelled', phase: 'escalated' });
    expect(await collections(h.mongo.db).alerts.findOne({ _id: alert.id! })).toMatchObject({
      phase: 'escalated',
      outcome: 'cancelled',
    });
    // Nobody checked who cancelled (it may be the subject): the security team hears of it.
    const posts = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args).includes(alert.id!));
    expect(posts.length).toBeGreaterThan(0);
    expect(renderEvent((await state(handle)).transcript.find((t) => t.kind === 'cancelled')!)).toContain(
      'Temporal',
    );
    const update = h.slack.callsTo('chat.update').find((c) => c.args.channel === dm.args.channel);
    expect(update).toBeDefined();
    expect(JSON.stringify(update!.args.blocks)).not.toContain('vouch_confirm');
    expect((await handle.describe()).searchAttributes).toMatchObject({ VouchOutcome: ['cancelled'] });
    recordHistory('cancelled-while-awaiting-answer', await handle.fetchHistory());
  });

  it('while waiting for approval: the approval post loses its buttons too', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'cancel.approval' }));
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
    );
    await handle.cancel();
    expect(await handle.result()).toMatchObject({ outcome: 'cancelled' });
    const update = await h.slack.waitForCall(
      'chat.update',
      (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
    );
    expect(String(update?.args.text)).toContain('Cancelled by a cancellation in Temporal');
    expect(JSON.stringify(update?.args.blocks)).not.toContain('vouch_approve');
  });

  it('after the outcome, while the escalation waits for its close: the outcome stands, the cancellation is recorded', async () => {
    const alert = alertFor(BOB, { type: 'cancel.paged' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await pd.waitFor((r) => r.status === 202 && r.rawBody.includes(alert.id!));
    for (let i = 0; i < 50 && !(await state(handle)).transcript.some((t) => t.kind === 'delivery'); i += 1)
      await new Promise((r) => setTimeout(r, 100));
    const updatesOf = () => h.slack.callsTo('chat.update').length;
    const updatesBefore = updatesOf();
    expect(updatesBefore).toBeGreaterThan(0);
    await handle.cancel();
    expect(await handle.result()).toMatchObject({ outcome: 'denied', phase: 'escalated' });
    const cancelled = (await state(handle)).transcript.filter((t) => t.kind === 'cancelled');
    expect(cancelled).toEqual([expect.objectContaining({ afterOutcome: 'denied' })]);
    const doc = await collections(h.mongo.db).alerts.findOne({ _id: alert.id! });
    expect(doc).toMatchObject({ outcome: 'denied' });
    expect(doc!.transcript.map((t) => t.kind)).toContain('cancelled');
    // The outcome was told already: the cancellation updates neither the DM nor the escalation post.
    expect(updatesOf()).toBe(updatesBefore);
  });
});
