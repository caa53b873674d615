import type { App } from '@slack/bolt';
import { Client } from '@temporalio/client';
import { ClosableConnection } from '../../lib/temporal-connection';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  createDevServerHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  state,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { startBot as startTestBot } from '../helpers/bot-under-test';
import {
  buttonClick,
  codeSubmission,
  postEvent,
  postInteraction,
  postSlashCommand,
} from '../helpers/slack-requests';
import { renderEvent } from '../../shared/record/render';

/** The real Bolt HTTP receiver, fed signed requests; outcomes asserted through Temporal. */
const SECRET = 'test-signing-secret-0123456789';
const OPERATOR = 'UOPS0001';

describe('Slack bot', () => {
  let h: Harness;
  let app: App;
  let url: string;

  const startBot = (client: Client) =>
    startTestBot(h, client, { signingSecret: SECRET, operators: OPERATOR });

  beforeAll(async () => {
    h = await createDevServerHarness();
    // Each alert here is its own interview, as the bot's clicks are about one (storms: rollup.test.ts).
    await setPolicy(h, 'default', { rollup: { enabled: false } });
    ({ app, url } = await startBot(h.client));
  });
  afterAll(async () => {
    await app?.stop();
    await h?.teardown();
  });

  const dm = (user: { id: string }) => `D${user.id.slice(1)}`;
  const stored = (handle: { workflowId: string }) =>
    collections(h.mongo.db).alerts.findOne({ _id: handle.workflowId.replace(/^alert-/, '') });
  const waitFor = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Signals from outside Temporal (the bot's); not those another workflow sends (the rollup's). */
  const signals = async (handle: {
    fetchHistory(): Promise<{
      events?:
        | { workflowExecutionSignaledEventAttributes?: { externalWorkflowExecution?: unknown } | null }[]
        | null;
    }>;
  }) =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) =>
        e.workflowExecutionSignaledEventAttributes &&
        !e.workflowExecutionSignaledEventAttributes.externalWorkflowExecution,
    );
  const ephemeralTo = (userId: string, text: RegExp) =>
    h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === userId && text.test(String(c.args.text)),
    );

  it('refuses a forged signature and a stale timestamp, and signals nothing', async () => {
    const handle = await start(h, alertFor(BOB));
    await dmSent(h, handle);
    const click = buttonClick(BOB.id, 'vouch_deny', handle.workflowId, dm(BOB));
    expect((await postInteraction(url, SECRET, click, { forge: true })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postInteraction(url, SECRET, click, { timestamp: stale })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await signals(handle)).toHaveLength(0);
    expect((await state(handle)).phase).toBe('awaiting_response');
  });

  it('"No" from the employee signals one denial, even when Slack redelivers the click', async () => {
    const handle = await start(h, alertFor(BOB));
    await dmSent(h, handle);
    const click = buttonClick(BOB.id, 'vouch_deny', handle.workflowId, dm(BOB), '1700000200.000001');
    expect((await postInteraction(url, SECRET, click)).status).toBe(200);
    expect((await postInteraction(url, SECRET, click)).status).toBe(200); // redelivered
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    const s = await state(handle);
    expect(s.transcript.filter((t) => t.kind === 'employee_answer')).toHaveLength(1);
    expect(s.transcript.find((t) => t.kind === 'employee_answer')?.actor).toBe(BOB.id);
  });

  it('someone else is told it is not their alert, the attempt is audited, and nothing is signalled', async () => {
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    const click = buttonClick(BOB.id, 'vouch_confirm', handle.workflowId, dm(BOB));
    expect((await postInteraction(url, SECRET, click)).status).toBe(200);
    await ephemeralTo(BOB.id, /isn't your alert/);
    expect(await signals(handle)).toHaveLength(0);
    expect(h.slack.callsTo('views.open').filter((c) => c.args.trigger_id === click.trigger_id)).toHaveLength(
      0,
    );
    const doc = await alertStore(collections(h.mongo.db)).get(handle.workflowId.replace(/^alert-/, ''), {
      withAudit: true,
    });
    expect(doc?.audit?.[0]).toMatchObject({ actor: BOB.id, kind: 'unauthorized_click' });
  });

  it('"Yes" opens the modal; a wrong code shows inline with attempts left; a right one verifies', async () => {
    const secret = await enroll(h, ANA.id);
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    const click = buttonClick(ANA.id, 'vouch_confirm', handle.workflowId, dm(ANA));
    const clickedAt = Date.now();
    expect((await postInteraction(url, SECRET, click)).status).toBe(200);
    const opened = await h.slack.waitForCall('views.open', (c) => c.args.trigger_id === click.trigger_id);
    expect(opened.at - clickedAt).toBeLessThan(3000);
    expect(JSON.stringify(opened.args.view)).toContain(handle.workflowId);

    const malformed = await postInteraction(
      url,
      SECRET,
      codeSubmission(ANA.id, handle.workflowId, '12ab56', 'VANA1'),
    );
    expect(malformed.json()).toMatchObject({
      response_action: 'errors',
      errors: { vouch_code: expect.stringMatching(/6 digits/) },
    });

    const wrongCode = validCode(secret) === '000000' ? '000001' : '000000';
    const wrong = await postInteraction(
      url,
      SECRET,
      codeSubmission(ANA.id, handle.workflowId, wrongCode, 'VANA1', 'new account'),
    );
    expect(wrong.json()).toMatchObject({
      response_action: 'errors',
      errors: { vouch_code: expect.stringMatching(/2 attempts left/) },
    });

    const right = await postInteraction(
      url,
      SECRET,
      codeSubmission(ANA.id, handle.workflowId, validCode(secret), 'VANA1', 'new account'),
    );
    expect(right.json()).toMatchObject({ response_action: 'update', view: { title: { text: 'Verified' } } });
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    const s = await state(handle);
    expect(s.transcript.filter((t) => t.kind === 'employee_answer')).toHaveLength(1); // resubmitted modal: one "yes"
    expect(renderEvent(s.transcript.find((t) => t.kind === 'employee_answer')!)).toContain('new account');
  });

  it('a click on a finished interview gets a friendly note and changes nothing', async () => {
    const handle = await start(h, alertFor(BOB));
    await dmSent(h, handle);
    await postInteraction(url, SECRET, buttonClick(BOB.id, 'vouch_deny', handle.workflowId, dm(BOB)));
    await handle.result();
    const before = (await signals(handle)).length;
    await postInteraction(url, SECRET, buttonClick(BOB.id, 'vouch_confirm', handle.workflowId, dm(BOB)));
    await ephemeralTo(BOB.id, /already finished/);
    expect((await signals(handle)).length).toBe(before);
  });

  it('only configured operators can press the security channel buttons', async () => {
    await setPolicy(h, 'bot.approval', { mode: 'approval', rollup: { enabled: false } });
    const handle = await start(h, alertFor(BOB, { type: 'bot.approval' }));
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
    );
    await postInteraction(
      url,
      SECRET,
      buttonClick(BOB.id, 'vouch_approve', handle.workflowId, SECURITY_CHANNEL),
    );
    await ephemeralTo(BOB.id, /Only the security team/);
    expect((await state(handle)).phase).toBe('awaiting_approval');
    await postInteraction(
      url,
      SECRET,
      buttonClick(OPERATOR, 'vouch_skip', handle.workflowId, SECURITY_CHANNEL),
    );
    expect(await handle.result()).toMatchObject({ outcome: 'skipped_by_operator' });
    expect((await state(handle)).transcript.find((t) => t.kind === 'operator_action')).toMatchObject({
      actor: OPERATOR,
      action: 'skip',
    });
  });

  it("/vouch status and the App Home list the employee's own open and finished checks, no one else's", async () => {
    const openOne = await start(h, alertFor(BOB, { title: 'Break-glass credentials used' }));
    await dmSent(h, openOne);
    const denied = await start(h, alertFor(BOB, { title: 'Repo cloned from a new country' }));
    await dmSent(h, denied);
    await postInteraction(url, SECRET, buttonClick(BOB.id, 'vouch_deny', denied.workflowId, dm(BOB)));
    expect(await denied.result()).toMatchObject({ outcome: 'denied' });
    await waitFor(async () => (await stored(denied))?.outcome === 'denied');

    const status = await postSlashCommand(url, SECRET, BOB.id, '/vouch', 'status');
    expect(status.status).toBe(200);
    const reply = status.json();
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/Open checks \(\d+\)/);
    expect(reply.text).toContain('*Break-glass credentials used*');
    expect(reply.text).toMatch(/\*Repo cloned from a new country\* \(.*\): denied/);

    const other = (await postSlashCommand(url, SECRET, 'UCAR0003', '/vouch', 'status')).json();
    expect(other.text).toBe('You have no open checks.');

    const help = (await postSlashCommand(url, SECRET, BOB.id, '/vouch', 'frobnicate')).json();
    expect(help.text).toContain("I don't know `frobnicate`");
    expect(help.text).toContain('/vouch enroll');

    expect(
      (
        await postEvent(url, SECRET, {
          type: 'app_home_opened',
          user: BOB.id,
          channel: dm(BOB),
          tab: 'home',
          event_ts: '1700000300.000001',
        })
      ).status,
    ).toBe(200);
    const published = await h.slack.waitForCall('views.publish', (c) => c.args.user_id === BOB.id);
    const home = JSON.stringify(published.args.view);
    expect(home).toContain('Break-glass credentials used');
    expect(home).toContain('Repo cloned from a new country');
    expect(home).toContain('no second factor yet');
  });

  it('"Yes" is checked against the alert\'s record, so the modal opens without waiting on the workflow', async () => {
    // A type of its own: Ana's verified "yes" above suppresses her alerts of the default type.
    const handle = await start(h, alertFor(ANA, { type: 'bot.record_check' }));
    await dmSent(h, handle);
    // A bot whose Temporal is unreachable: only the record can answer who may press "Yes".
    const deadConnection = ClosableConnection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const offline = await startBot(new Client({ connection: deadConnection.connection }));
    try {
      const click = buttonClick(ANA.id, 'vouch_confirm', handle.workflowId, dm(ANA));
      expect((await postInteraction(offline.url, SECRET, click)).status).toBe(200);
      const opened = await h.slack.waitForCall('views.open', (c) => c.args.trigger_id === click.trigger_id);
      expect(JSON.stringify(opened.args.view)).toContain(handle.workflowId);
      const other = buttonClick(BOB.id, 'vouch_confirm', handle.workflowId, dm(BOB));
      await postInteraction(offline.url, SECRET, other);
      await ephemeralTo(BOB.id, /isn't your alert/);
      expect(
        h.slack.callsTo('views.open').filter((c) => c.args.trigger_id === other.trigger_id),
      ).toHaveLength(0);
    } finally {
      await offline.app.stop();
      await deadConnection.close();
    }
  });

  it('when Temporal cannot be reached, a click for an alert the record does not know is not kept', async () => {
    const deadConnection = ClosableConnection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const offline = await startBot(new Client({ connection: deadConnection.connection }));
    try {
      // Kept answers (test/bot/slack-held-answers.test.ts) are checked against the record first.
      const click = buttonClick(BOB.id, 'vouch_deny', 'alert-offline-1', dm(BOB));
      expect((await postInteraction(offline.url, SECRET, click)).status).toBe(200);
      await ephemeralTo(BOB.id, /doesn't exist any more/);
      expect(await collections(h.mongo.db).heldAnswers.countDocuments()).toBe(0);
    } finally {
      await offline.app.stop();
      await deadConnection.close();
    }
  });
});
