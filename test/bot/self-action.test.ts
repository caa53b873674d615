import type { App } from '@slack/bolt';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import {
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  createDevServerHarness,
  dmSent,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { startBot } from '../helpers/bot-under-test';
import { buttonClick, postInteraction } from '../helpers/slack-requests';

/** An operator who is the subject of an alert, pressing the security channel's buttons through the real bot. */
const SECRET = 'test-signing-secret-0123456789';
const OPERATOR = 'UOPS0001';

describe('Slack bot: nobody decides an alert about themselves', () => {
  let h: Harness;
  let app: App;
  let url: string;

  beforeAll(async () => {
    h = await createDevServerHarness();
    // Bob is an operator too: the check is about the alert's subject, not about being an operator.
    ({ app, url } = await startBot(h, h.client, {
      signingSecret: SECRET,
      operators: `${OPERATOR},${BOB.id}`,
    }));
    await setPolicy(h, 'bot.self_approval', { mode: 'approval' });
  });
  afterAll(async () => {
    await app?.stop();
    await h?.teardown();
  });

  /** Signals from outside Temporal (the bot's); not those another workflow sends (the rollup's). */
  const signals = async (handle: Awaited<ReturnType<typeof start>>) =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) =>
        e.workflowExecutionSignaledEventAttributes &&
        !e.workflowExecutionSignaledEventAttributes.externalWorkflowExecution,
    ).length;
  const refusals = () =>
    h.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => c.args.user === BOB.id && /This alert is about you/.test(String(c.args.text)));

  it("the subject's own Skip, Approve and Close are refused with an explanation, and nothing is signalled", async () => {
    const handle = await start(h, alertFor(BOB, { type: 'bot.self_approval' }));
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === SECURITY_CHANNEL &&
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
    );
    for (const [i, actionId] of ['vouch_skip', 'vouch_approve', 'vouch_close'].entries()) {
      const click = buttonClick(BOB.id, actionId, handle.workflowId, SECURITY_CHANNEL);
      expect((await postInteraction(url, SECRET, click)).status).toBe(200);
      await h.slack.waitForCall('chat.postEphemeral', () => refusals().length === i + 1);
    }
    expect(refusals()).toHaveLength(3);
    expect(await signals(handle)).toBe(0);
    expect((await state(handle)).phase).toBe('awaiting_approval');
    const doc = await alertStore(collections(h.mongo.db)).get(handle.workflowId.replace(/^alert-/, ''), {
      withAudit: true,
    });
    expect(doc?.audit?.filter((a) => a.kind === 'self_action_refused')).toHaveLength(3);

    // Another operator decides as usual.
    await postInteraction(
      url,
      SECRET,
      buttonClick(OPERATOR, 'vouch_approve', handle.workflowId, SECURITY_CHANNEL),
    );
    await dmSent(h, handle);
    expect((await state(handle)).phase).toBe('awaiting_response');
  });
});
