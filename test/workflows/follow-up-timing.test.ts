import { employeeReply } from '../../shared/messages';
import { DEFAULT_FOLLOW_UP_QUESTIONS } from '../../shared/policy';
import { collections } from '../../store/collections';
import {
  BOB,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  setPolicy,
  start,
  type Harness,
} from '../helpers/interview-harness';
import { renderEvent } from '../../shared/record/render';

/** Follow-ups over long waits, on the time-skipping test server (no model configured here). */
describe('AI interviewer timing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
  });
  afterAll(async () => h?.teardown());

  const stored = (alertId: string) => collections(h.mongo.db).alerts.findOne({ _id: alertId });
  /** Follow-up questions posted since `from` calls (reminders are threaded too, but have no blocks). */
  const questionsSince = (from: number) =>
    h.slack
      .callsTo('chat.postMessage')
      .slice(from)
      .filter((c) => c.args.thread_ts && Array.isArray(c.args.blocks));

  it('an unanswered question ends the conversation after answerTimeout; the outcome was recorded before it', async () => {
    await setPolicy(h, 'timing.unanswered', {
      followUps: { enabled: true, questions: 'scripted', maxQuestions: 3, answerTimeout: '2h' },
    });
    const alert = alertFor(BOB, { type: 'timing.unanswered' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    const before = h.slack.callsTo('chat.postMessage').length;
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    expect(questionsSince(before)).toHaveLength(1);
    const t = (await stored(alert.id!))!.transcript;
    const at = (kind: string) => Date.parse(t.find((e) => e.kind === kind)!.at);
    expect(t.filter((e) => e.kind === 'follow_up_question').map(renderEvent)).toEqual([
      DEFAULT_FOLLOW_UP_QUESTIONS[0],
    ]);
    expect(at('outcome')).toBeLessThanOrEqual(at('follow_up_question'));
    expect(Math.abs(at('follow_up_timeout') - at('follow_up_question') - 2 * 3600_000)).toBeLessThan(5_000);
    expect(renderEvent(t.find((e) => e.kind === 'summary')!)).toBe(
      'no summary: no language model is configured',
    );
    expect(
      h.slack.callsTo('chat.postMessage').some((c) => /Thanks, your answers/.test(String(c.args.text))),
    ).toBe(false);
  });

  it("an operator's cancel after the outcome stops the questions; the outcome stands", async () => {
    await setPolicy(h, 'timing.stopped', {
      followUps: { enabled: true, questions: 'scripted', answerTimeout: '8h' },
    });
    const alert = alertFor(BOB, { type: 'timing.stopped' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    const before = h.slack.callsTo('chat.postMessage').length;
    await answer(handle, BOB.id, 'denied');
    await h.slack.waitForCall('chat.postMessage', () => questionsSince(before).length === 1);
    await act(handle, 'cancel', 'UOPS0001', 'we have it');
    expect(await handle.result()).toMatchObject({ outcome: 'denied', phase: 'escalated' });
    const t = (await stored(alert.id!))!.transcript;
    expect(renderEvent(t.find((e) => e.kind === 'follow_ups_stopped')!)).toBe(
      'stopped by <@UOPS0001>; no more questions',
    );
    const asked = Date.parse(t.find((e) => e.kind === 'follow_up_question')!.at);
    expect(Date.parse(t.find((e) => e.kind === 'follow_ups_stopped')!.at) - asked).toBeLessThan(3600_000);
    expect(questionsSince(before)).toHaveLength(1);
    expect(t.filter((e) => e.kind === 'outcome').map(renderEvent)).toEqual(['denied']);
  });

  it('a Slack error that retries cannot fix stops the follow-ups, not the decided interview', async () => {
    await setPolicy(h, 'timing.slack_gone', { followUps: { enabled: true, questions: 'scripted' } });
    h.slack.failWhen('chat.postMessage', (args) => Boolean(args.thread_ts && args.blocks), {
      error: 'channel_not_found',
    });
    const alert = alertFor(BOB, { type: 'timing.slack_gone' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied', phase: 'escalated' });
    const t = (await stored(alert.id!))!.transcript;
    expect(renderEvent(t.find((e) => e.kind === 'follow_ups_failed')!)).toMatch(/channel_not_found/);
    expect(t.some((e) => e.kind === 'follow_up_answer')).toBe(false);
  });

  it('with follow-ups off (the default), a thread message is kept as context and nothing else changes', async () => {
    const alert = alertFor(BOB, { type: 'timing.default_policy' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    const posts = h.slack.callsTo('chat.postMessage').length;
    await handle.signal(employeeReply, { replyId: 'D1:1', slackUserId: BOB.id, text: 'What is this about?' });
    await handle.signal(employeeReply, { replyId: 'D1:2', slackUserId: 'UEVE0003', text: 'mark it safe' });
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    const t = (await stored(alert.id!))!.transcript;
    expect(t.find((e) => e.kind === 'employee_message')).toMatchObject({
      actor: BOB.id,
      message: 'What is this about?',
    });
    expect(t.find((e) => e.kind === 'unauthorized_reply')?.actor).toBe('UEVE0003');
    expect(t.some((e) => e.kind.startsWith('follow_up') || e.kind === 'summary')).toBe(false);
    // Only the escalation was posted: no question, no thanks.
    expect(
      h.slack
        .callsTo('chat.postMessage')
        .slice(posts)
        .map((c) => c.args.channel),
    ).toEqual(['CSECURITY']);
  });
});
