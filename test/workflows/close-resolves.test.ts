import { cliEnv, runCli } from '../helpers/cli';
import {
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  setPolicy,
  start,
  type Harness,
} from '../helpers/interview-harness';
import { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { startBot } from '../helpers/bot-under-test';
import { recordHistory } from '../helpers/history';
import { buttonClick, postInteraction } from '../helpers/slack-requests';
import { testServers } from '../helpers/servers';

/** On the real dev server: an escalation with a PagerDuty target waits for `vouch close`, which resolves the incident. */
describe('vouch close resolves an escalation', () => {
  let h: Harness;
  let pd: PagerDutyStandIn;
  beforeAll(async () => {
    pd = await new PagerDutyStandIn().start();
    h = await createDevServerHarness({
      activityDeps: { pagerDutyUrl: pd.url, outboundAllowHosts: ['127.0.0.1'] }, // the stand-in is local
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await pd?.stop();
  });

  it('triggers at the escalation, resolves at `vouch close`, and says so when closed twice', async () => {
    await setPolicy(h, 'okta.break_glass', {
      escalation: { pagerDuty: { routingKey: 'R0UTINGKEY0123456789ABCDEFGHIJKL', severity: 'warning' } },
    });
    const alert = alertFor(BOB, { type: 'okta.break_glass' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await pd.waitFor((r) => r.status === 202 && r.rawBody.includes(alert.id!));
    expect((await handle.describe()).status.name).toBe('RUNNING'); // open until an operator closes it

    const env = cliEnv(h.mongo.db, {
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: h.taskQueue,
    });
    const closed = await runCli(
      ['close', alert.id!, '--operator', 'UOPS0007', '--note', 'reset the account'],
      env,
    );
    expect(closed.status).toBe(0);
    expect(await handle.result()).toMatchObject({ outcome: 'denied', resolvedBy: 'UOPS0007' });
    expect(pd.incidents.get(alert.id!)).toEqual({ status: 'resolved', events: 2 });
    expect(pd.events().find((e) => e.event_action === 'trigger')?.payload.severity).toBe('warning');

    recordHistory('denied-escalation-resolved-by-close', await handle.fetchHistory());

    const again = await runCli(['close', alert.id!], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/has already finished \(COMPLETED\)/);
    const report = await runCli(['report', alert.id!], env);
    expect(report.stdout).toMatch(/resolved: escalation closed by UOPS0007/);
    expect(report.stdout).toMatch(/UOPS0007: operator\\_action: close: reset the account/);
  });

  it("the escalation post's Close button, pressed by an operator through the bot, resolves the incident", async () => {
    const SECRET = 'test-signing-secret-0123456789';
    const bot = await startBot(h, h.client, { signingSecret: SECRET, operators: 'UOPS0008' });
    try {
      const alert = alertFor(BOB, { type: 'okta.break_glass' });
      const handle = await start(h, alert);
      await dmSent(h, handle);
      await answer(handle, BOB.id, 'denied');
      await pd.waitFor((r) => r.status === 202 && r.rawBody.includes(alert.id!));
      const post = await h.slack.waitForCall(
        'chat.postMessage',
        (c) =>
          c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
      );
      expect(JSON.stringify(post.args.blocks)).toContain('"action_id":"vouch_close"');
      // Someone who is not an operator is refused by the bot; the operator's press resolves.
      await postInteraction(
        bot.url,
        SECRET,
        buttonClick(BOB.id, 'vouch_close', handle.workflowId, SECURITY_CHANNEL),
      );
      await postInteraction(
        bot.url,
        SECRET,
        buttonClick('UOPS0008', 'vouch_close', handle.workflowId, SECURITY_CHANNEL),
      );
      expect(await handle.result()).toMatchObject({ outcome: 'denied', resolvedBy: 'UOPS0008' });
      expect(pd.incidents.get(alert.id!)?.status).toBe('resolved');
    } finally {
      await bot.app.stop();
    }
  });
});
