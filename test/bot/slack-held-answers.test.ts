import { Client } from '@temporalio/client';
import { ClosableConnection } from '../../lib/temporal-connection';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import {
  ANA,
  BOB,
  type Harness,
  alertFor,
  createDevServerHarness,
  dmSent,
  resultWithin,
  setPolicy,
  start,
  state,
} from '../helpers/interview-harness';
import { startBot } from '../helpers/bot-under-test';
import { LlmStandIn } from '../helpers/llm-stand-in';
import { uniqueName } from '../helpers/servers';
import {
  buttonClick,
  codeSubmission,
  postEvent,
  postInteraction,
  threadReply,
} from '../helpers/slack-requests';

const SECRET = 'test-signing-secret-slack-held-1';
const QUESTION = 'Who asked you to add the new administrator?';
const JONAS = { id: 'UJONAS013', email: 'jonas.h@example.com', name: 'Jonas Weber', locale: 'de-DE' };

/**
 * Slack answers while Temporal cannot be reached: the real Bolt receiver, fed signed requests, on a
 * client whose Temporal address answers nothing, then the bot on the real dev server (a restart after
 * the outage) delivering what was held, on one MongoDB wire server. Outcomes are read from Temporal.
 */
describe('Slack answers while Temporal is unreachable', () => {
  let h: Harness;
  let llm: LlmStandIn;
  let dead: ClosableConnection;

  beforeAll(async () => {
    llm = await new LlmStandIn().start();
    llm
      .byDefault('follow_up_plan', { json: { questions: [QUESTION] } })
      .byDefault('follow_up_next', { json: { enough: true } })
      .byDefault('analyst_summary', LlmStandIn.quotingSummary('Nothing in the alert confirms it.'));
    h = await createDevServerHarness({
      llm: { url: llm.url, model: 'test-model', apiKey: llm.apiKey, timeoutMs: 1000 },
    });
    h.slack.addUser(JONAS);
    dead = ClosableConnection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  }, 120_000);

  afterAll(async () => {
    await dead?.close();
    await h?.teardown();
    await llm?.stop();
  });

  /** The bot during the outage: its Temporal address answers nothing. */
  const offlineBot = () =>
    startBot(h, new Client({ connection: dead.connection }), { signingSecret: SECRET });
  /** The bot started again once Temporal is back: it delivers what was held at its start. */
  const recoveredBot = () => startBot(h, h.client, { signingSecret: SECRET, deliverHeld: true });

  /** The bot back on Temporal: what it held decides the interview, and nothing stays held. */
  const deliveredOnRestart = async (handle: Awaited<ReturnType<typeof start>>) => {
    const bot = await recoveredBot();
    try {
      expect((await resultWithin(handle)).outcome).toBe('denied');
      await waitUntil(async () => (await held()).length === 0);
      return bot;
    } catch (err) {
      await bot.stop();
      throw err;
    }
  };
  const held = () => collections(h.mongo.db).heldAnswers.find().toArray();
  const ephemeralsTo = (userId: string, text: RegExp) =>
    h.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => c.args.user === userId && text.test(String(c.args.text)));
  const waitUntil = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await check()).toBe(true);
  };
  /** The interview DM (channel and ts), once the record has it: the record is what the outage reads. */
  const dmOf = async (alertId: string) => {
    const ref = async () => (await alertStore(collections(h.mongo.db)).get(alertId))?.dm;
    await waitUntil(async () => !!(await ref())?.ts);
    const dm = (await ref())!;
    return { channel: dm.channel!, ts: dm.ts! };
  };
  /** A click on a button of the DM message `dm`, as Slack sends it (each with its own action_ts). */
  const click = (
    user: { id: string },
    actionId: string,
    workflowId: string,
    dm: { channel: string; ts: string },
  ) => ({
    ...buttonClick(user.id, actionId, workflowId, dm.channel),
    container: { type: 'message', message_ts: dm.ts, channel_id: dm.channel, is_ephemeral: false },
  });
  const ask = async (who: { id: string; email: string }, policy: Record<string, unknown> = {}) => {
    const type = uniqueName('type');
    await setPolicy(h, type, { reminders: [], deadline: '1h', ...policy });
    const alert = alertFor(who, { type });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    return { handle, dm: await dmOf(alert.id!), alertId: alert.id! };
  };

  it('"No" is kept and the employee told so; after the restart it counts once, however often Slack sent it', async () => {
    const { handle, dm, alertId } = await ask(BOB);
    const no = click(BOB, 'vouch_deny', handle.workflowId, dm);
    const offline = await offlineBot();
    try {
      // Only the record can say who is asked: Ana is refused and nothing of hers is kept.
      const anas = click(ANA, 'vouch_deny', handle.workflowId, { channel: `D${ANA.id.slice(1)}`, ts: dm.ts });
      expect((await postInteraction(offline.url, SECRET, anas)).status).toBe(200);
      await waitUntil(() => ephemeralsTo(ANA.id, /isn't your alert/).length === 1);

      expect((await postInteraction(offline.url, SECRET, no)).status).toBe(200);
      expect((await postInteraction(offline.url, SECRET, no)).status).toBe(200); // redelivered
      // Bob presses "No" again, a click of its own: the same answer to the same message.
      const again = click(BOB, 'vouch_deny', handle.workflowId, dm);
      expect((await postInteraction(offline.url, SECRET, again)).status).toBe(200);
      await waitUntil(
        () => ephemeralsTo(BOB.id, /^:hourglass: Vouch could not pass your answer on just now/).length === 3,
      );
      expect(await held()).toEqual([
        expect.objectContaining({
          _id: `deny:${BOB.id}:${dm.ts}`,
          workflowId: handle.workflowId,
          signal: 'employeeResponse',
          payload: expect.objectContaining({ answer: 'denied', slackUserId: BOB.id }),
        }),
      ]);
      expect((await state(handle)).phase).toBe('awaiting_response');
    } finally {
      await offline.stop();
    }

    const bot = await deliveredOnRestart(handle);
    try {
      // Slack sends the click once more after the outage: still one answer.
      expect((await postInteraction(bot.url, SECRET, no)).status).toBe(200);
      await waitUntil(() => ephemeralsTo(BOB.id, /already finished/).length === 1);
      const kinds = (await state(handle)).transcript.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'employee_answer')).toHaveLength(1);
      expect(kinds).not.toContain('late_response');
      expect(kinds).not.toContain('unauthorized_response');
      const audit = (await alertStore(collections(h.mongo.db)).get(alertId, { withAudit: true }))!.audit;
      expect(audit).toEqual([expect.objectContaining({ actor: ANA.id, kind: 'unauthorized_click' })]);
    } finally {
      await bot.stop();
    }
  }, 120_000);

  it('a thread reply is kept, the employee told so in their language, and recorded once Temporal is back', async () => {
    const { handle, dm, alertId } = await ask(JONAS, { followUps: { enabled: true, maxQuestions: 1 } });
    const online = await recoveredBot();
    try {
      await postInteraction(online.url, SECRET, click(JONAS, 'vouch_deny', handle.workflowId, dm));
      await h.slack.waitForCall(
        'chat.postMessage',
        (c) => c.args.thread_ts === dm.ts && Array.isArray(c.args.blocks),
      );
    } finally {
      await online.stop();
    }

    const offline = await offlineBot();
    const ts = `1700007000.${String(Date.now()).slice(-6)}`;
    const reply = threadReply(JONAS.id, dm.channel, dm.ts, 'Mein Manager hat mich gebeten, Ticket OPS-7', ts);
    const inThread = (text: RegExp) =>
      h.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.args.thread_ts === dm.ts && text.test(String(c.args.text)));
    try {
      const anas = threadReply(ANA.id, dm.channel, dm.ts, 'I can answer for Jonas', `${ts}1`);
      expect((await postEvent(offline.url, SECRET, anas, `EvAna${ts}`)).status).toBe(200);
      expect((await postEvent(offline.url, SECRET, reply, `Ev${ts}`)).status).toBe(200);
      // Slack retries the event (no answer in time, say): kept once.
      expect((await postEvent(offline.url, SECRET, reply, `Ev${ts}`, 1)).status).toBe(200);
      await waitUntil(
        () =>
          inThread(/^:hourglass: Vouch konnte deine Antwort gerade nicht weitergeben; sie ist gespeichert/)
            .length === 2,
      );
      await waitUntil(
        async () =>
          !!(await alertStore(collections(h.mongo.db)).get(alertId, { withAudit: true }))?.audit?.some(
            (a) => a.kind === 'unauthorized_reply' && a.actor === ANA.id,
          ),
      );
      expect(await held()).toEqual([
        expect.objectContaining({
          _id: `${dm.channel}:${ts}`,
          signal: 'employeeReply',
          workflowId: handle.workflowId,
          payload: expect.objectContaining({
            slackUserId: JONAS.id,
            text: 'Mein Manager hat mich gebeten, Ticket OPS-7',
          }),
        }),
      ]);
    } finally {
      await offline.stop();
    }

    // The interview ends once its question has the answer (or its time is up, which is an hour here).
    const bot = await deliveredOnRestart(handle);
    try {
      expect((await postEvent(bot.url, SECRET, reply, `Ev${ts}`, 2)).status).toBe(200);
      const transcript = (await state(handle)).transcript;
      expect(transcript.filter((e) => e.kind === 'follow_up_answer')).toEqual([
        expect.objectContaining({ answer: 'Mein Manager hat mich gebeten, Ticket OPS-7', actor: JONAS.id }),
      ]);
      expect(transcript.map((e) => e.kind)).not.toContain('unauthorized_reply');
    } finally {
      await bot.stop();
    }
  }, 120_000);

  it("the manager's answer is checked against the record, kept, and counts once Temporal is back", async () => {
    // Ana is Bob's manager in the directory: the ladder asks her.
    const people = [
      { email: ANA.email, slackUserId: ANA.id },
      { email: BOB.email, slackUserId: BOB.id, manager: ANA.email },
    ];
    for (const person of people)
      await directoryStore(collections(h.mongo.db)).set(directoryEntrySchema.parse(person), 'test');
    const ladder = { steps: [{ ask: 'manager', wait: '1h' }], onManagerConfirms: 'close' };
    const { handle, alertId } = await ask(BOB, { ladder, deadline: '2s' });
    // The record says whom the interview asks (written just after the manager's DM is sent).
    const recordAsks = async () =>
      !!(await alertStore(collections(h.mongo.db)).get(alertId))?.transcript.some(
        (e) => e.kind === 'manager_asked',
      );
    await waitUntil(recordAsks);
    const asked = await h.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === `D${ANA.id.slice(1)}` && JSON.stringify(c.args.blocks).includes(handle.workflowId),
    );
    const question = {
      channel: String(asked.args.channel),
      ts: `1700008000.${String(Date.now()).slice(-6)}`,
    };
    const offline = await offlineBot();
    try {
      const bobs = click(BOB, 'vouch_manager_knows', handle.workflowId, question);
      expect((await postInteraction(offline.url, SECRET, bobs)).status).toBe(200);
      await waitUntil(() => ephemeralsTo(BOB.id, /isn't yours to answer/).length === 1);
      const anas = click(ANA, 'vouch_manager_knows', handle.workflowId, question);
      expect((await postInteraction(offline.url, SECRET, anas)).status).toBe(200);
      expect((await postInteraction(offline.url, SECRET, anas)).status).toBe(200); // redelivered
      await waitUntil(
        () => ephemeralsTo(ANA.id, /^:hourglass: Vouch could not pass your answer on/).length === 2,
      );
      expect(await held()).toEqual([
        expect.objectContaining({
          _id: `manager-knows:${ANA.id}:${question.ts}`,
          signal: 'managerResponse',
          payload: expect.objectContaining({ slackUserId: ANA.id, answer: 'knows' }),
        }),
      ]);
    } finally {
      await offline.stop();
    }

    const bot = await recoveredBot();
    try {
      expect((await resultWithin(handle)).outcome).toBe('manager_confirmed');
      await waitUntil(async () => (await held()).length === 0);
      const answers = (await state(handle)).transcript.filter((e) => e.kind === 'manager_answer');
      expect(answers).toEqual([expect.objectContaining({ actor: ANA.id, answer: 'knows' })]);
    } finally {
      await bot.stop();
    }
  }, 120_000);

  it('a code is never kept (it would be stale when delivered): the modal asks to try again', async () => {
    const { handle } = await ask(BOB);
    const offline = await offlineBot();
    try {
      const res = await postInteraction(
        offline.url,
        SECRET,
        codeSubmission(BOB.id, handle.workflowId, '123456'),
      );
      expect(res.status).toBe(200);
      // In time the answer is the HTTP response; past Slack's 3 s, the modal is updated.
      const shown = async () =>
        JSON.stringify(res.json() ?? '') +
        JSON.stringify(h.slack.callsTo('views.update').map((c) => c.args.view));
      await waitUntil(async () => /could not record that just now/.test(await shown()));
      expect(await held()).toEqual([]);
      expect((await state(handle)).phase).toBe('awaiting_response');
    } finally {
      await offline.stop();
      await handle.terminate('test done');
    }
  }, 60_000);
});
