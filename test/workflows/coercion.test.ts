import { employeeReply } from '../../shared/messages';
import { eventsOfKind } from '../../shared/record/events';
import { COERCION_FLAG } from '../../slack-blocks/escalation';
import { COERCION_QUESTIONS } from '../../workflows/follow-ups';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { harnessWithBotAndPagerDuty } from '../helpers/bot-under-test';
import { recordHistory } from '../helpers/history';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  dmSent,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  submitCode,
  type Harness,
} from '../helpers/interview-harness';
import type { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { buttonClick, codeSubmission, modalButtonClick, postInteraction } from '../helpers/slack-requests';

/**
 * "Someone asked me to do this": from the DM's third button, or from the modal after "Yes", through
 * the real bot. It escalates at once as `coercion_reported`, flagged for priority, pages PagerDuty at
 * `critical`, tells the employee what to do now, and never suppresses anything.
 */
const SECRET = 'test-signing-secret-coercion-01';
const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';

describe('someone asked me to do this', () => {
  let h: Harness;
  let pd: PagerDutyStandIn;
  let bot: { url: string };
  let teardown: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ h, pd, bot, teardown } = await harnessWithBotAndPagerDuty(SECRET));
  });
  afterAll(async () => teardown?.());

  const escalationPost = (workflowId: string) =>
    h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(workflowId),
    );
  /** A button of the interview DM pressed by `user`, as a signed request to the bot. */
  const press = (user: string, actionId: string, workflowId: string, channel: unknown) =>
    postInteraction(bot.url, SECRET, buttonClick(user, actionId, workflowId, String(channel)));
  const suppressionsOf = (employee: string) =>
    collections(h.mongo.db).suppressions.countDocuments({ slackUserId: employee });

  it('from the DM: escalated at once with priority, PagerDuty critical, the employee told what to do', async () => {
    await setPolicy(h, 'okta.mfa_reset', {
      escalation: { pagerDuty: { routingKey: ROUTING_KEY, severity: 'info' } },
    });
    const alert = alertFor(BOB, { type: 'okta.mfa_reset', severity: 'low' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const buttons = JSON.stringify(dm.args.blocks);
    expect(buttons).toContain('"action_id":"vouch_coerced"');
    expect(buttons).toContain('Someone asked me to do this');

    // Only the interviewed employee can say so.
    await press(ANA.id, 'vouch_coerced', handle.workflowId, 'DANA');
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === ANA.id && String(c.args.text).includes("isn't your alert"),
    );
    expect((await state(handle)).phase).toBe('awaiting_response');

    const res = await press(BOB.id, 'vouch_coerced', handle.workflowId, dm.args.channel);
    expect(res.status).toBe(200);
    const post = await escalationPost(handle.workflowId);
    expect(String(post.args.text)).toMatch(/^:sos: PRIORITY/);
    expect(JSON.stringify(post.args.blocks)).toContain(JSON.stringify(COERCION_FLAG).slice(1, 60));

    // PagerDuty pages at critical, whatever the policy and the alert's severity say.
    await pd.waitFor((r) => r.status === 202 && r.rawBody.includes(alert.id!));
    const trigger = pd.events().find((e) => e.event_action === 'trigger' && e.dedup_key === alert.id);
    expect(trigger?.payload.severity).toBe('critical');
    expect(trigger?.payload.custom_details.outcome).toBe('coercion_reported');

    // The DM loses its buttons and says what to do now.
    const told = await h.slack.waitForCall(
      'chat.update',
      (c) => c.args.channel === dm.args.channel && JSON.stringify(c.args.blocks).includes('End the call'),
    );
    expect(JSON.stringify(told.args.blocks)).not.toContain('vouch_coerced');
    expect(JSON.stringify(told.args.blocks)).toMatch(/Share no codes and approve no login prompts/);

    const doc = await alertStore(collections(h.mongo.db)).get(alert.id!);
    expect(doc?.outcome).toBe('coercion_reported');
    const answers = eventsOfKind(doc!.transcript, 'employee_answer');
    expect(answers).toMatchObject([{ answer: 'coerced', actor: BOB.id }]);
    expect(
      doc!.transcript.some((e) => e.kind === 'unauthorized_response' || e.kind === 'suppression_created'),
    ).toBe(false);
    expect(await suppressionsOf(BOB.id)).toBe(0);
    recordHistory('coercion-reported-from-the-dm', await handle.fetchHistory());
  });

  it('from the modal after a wrong code: the code no longer counts and the interview escalates', async () => {
    const secret = await enroll(h, ANA.id);
    expect(secret).toBeTruthy();
    const alert = alertFor(ANA, { type: 'aws.console_login' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    // "Yes" with a wrong code, as a coached employee might.
    await postInteraction(bot.url, SECRET, codeSubmission(ANA.id, handle.workflowId, '000000', 'VCOERCE1'));
    await waitForPhase(handle, 'awaiting_second_factor');
    const res = await postInteraction(
      bot.url,
      SECRET,
      modalButtonClick(ANA.id, 'vouch_coerced', handle.workflowId, 'VCOERCE1'),
    );
    expect(res.status).toBe(200);
    const modal = await h.slack.waitForCall(
      'views.update',
      (c) => c.args.view_id === 'VCOERCE1' && JSON.stringify(c.args.view).includes('End the call'),
    );
    expect(JSON.stringify(modal.args.view)).toContain('Security alerted');
    const result = await resultWithin(handle);
    expect(result.outcome).toBe('coercion_reported');
    await escalationPost(handle.workflowId);
    // A code sent afterwards is refused: the interview is over.
    await expect(submitCode(h, handle, ANA.id, '123456')).rejects.toThrow();
    const doc = await alertStore(collections(h.mongo.db)).get(alert.id!);
    expect(eventsOfKind(doc!.transcript, 'employee_answer').map((e) => e.answer)).toEqual([
      'confirmed',
      'coerced',
    ]);
    expect(await suppressionsOf(ANA.id)).toBe(0);
    recordHistory('coercion-reported-after-yes', await handle.fetchHistory());
  });

  it('"Yes" then "someone is asking me" in the modal spends no second-factor attempt', async () => {
    await enroll(h, BOB.id);
    const alert = alertFor(BOB, { type: 'aws.modal_coercion' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    await press(BOB.id, 'vouch_confirm', handle.workflowId, dm.args.channel);
    const opened = await h.slack.waitForCall('views.open', (c) =>
      JSON.stringify(c.args.view).includes(handle.workflowId),
    );
    expect(JSON.stringify(opened.args.view)).toContain('Someone is asking me to do this right now');
    await postInteraction(
      bot.url,
      SECRET,
      modalButtonClick(BOB.id, 'vouch_coerced', handle.workflowId, 'VCOERCE2'),
    );
    expect((await resultWithin(handle)).outcome).toBe('coercion_reported');
    const doc = await alertStore(collections(h.mongo.db)).get(alert.id!);
    expect(eventsOfKind(doc!.transcript, 'employee_answer').map((e) => e.answer)).toEqual(['coerced']);
    expect(eventsOfKind(doc!.transcript, 'second_factor_attempt')).toHaveLength(0);
    expect(await suppressionsOf(BOB.id)).toBe(0);
  });

  it('a "No" then "someone asked me" is late: the first answer decides', async () => {
    const alert = alertFor(BOB, { type: 'okta.late_coercion' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    await press(BOB.id, 'vouch_deny', handle.workflowId, dm.args.channel);
    expect((await resultWithin(handle)).outcome).toBe('denied');
    await press(BOB.id, 'vouch_coerced', handle.workflowId, dm.args.channel);
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === BOB.id && String(c.args.text).includes('already finished'),
    );
  });

  it('with follow-ups on, asks who contacted them, how, and what they were asked, never the model', async () => {
    await setPolicy(h, 'okta.coached', {
      followUps: { enabled: true, maxQuestions: 1, questions: 'scripted', summary: false },
    });
    const alert = alertFor(BOB, { type: 'okta.coached' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    await press(BOB.id, 'vouch_coerced', handle.workflowId, dm.args.channel);
    for (const [i, question] of COERCION_QUESTIONS.entries()) {
      await h.slack.waitForCall(
        'chat.postMessage',
        (c) =>
          c.args.channel === dm.args.channel && c.args.thread_ts !== undefined && c.args.text === question,
      );
      await handle.signal(employeeReply, {
        replyId: `coerced-reply-${i}`,
        slackUserId: BOB.id,
        text: `answer ${i + 1}`,
      });
    }
    expect((await resultWithin(handle)).outcome).toBe('coercion_reported');
    const doc = await alertStore(collections(h.mongo.db)).get(alert.id!);
    const asked = eventsOfKind(doc!.transcript, 'follow_up_question');
    expect(asked.map((e) => e.question)).toEqual(COERCION_QUESTIONS);
    expect(eventsOfKind(doc!.transcript, 'follow_up_answer').map((e) => e.answer)).toEqual([
      'answer 1',
      'answer 2',
      'answer 3',
    ]);
  });
});

async function waitForPhase(handle: Parameters<typeof state>[0], phase: string) {
  for (let i = 0; i < 200; i += 1) {
    if ((await state(handle)).phase === phase) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`interview never reached ${phase}`);
}
