import { PassThrough } from 'node:stream';
import type { App } from '@slack/bolt';
import { createLogger } from '../../lib/logger';
import { codeAt } from '../../lib/totp';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { employeeReply } from '../../shared/messages';
import { REPLIES_PER_MINUTE } from '../../bot/reply-limits';
import { MAX_RECORDED_MESSAGES } from '../../workflows/follow-ups';
import {
  ANA,
  BOB,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  enroll,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { startBot } from '../helpers/bot-under-test';
import {
  buttonClick,
  codeSubmission,
  postDeclaringLength,
  postEvent,
  postInteraction,
  threadReply,
} from '../helpers/slack-requests';
import { renderEvent } from '../../shared/record/render';

/** The bot's limits: request sizes, thread floods, and what its Bolt logger writes at trace level. */
const SECRET = 'test-signing-secret-limits-0123';

describe('bot limits', () => {
  let h: Harness;
  let app: App;
  let url: string;
  let logText = '';
  const logs = new PassThrough();
  logs.on('data', (d: Buffer) => (logText += d.toString()));

  beforeAll(async () => {
    h = await createDevServerHarness();
    ({ app, url } = await startBot(h, h.client, {
      signingSecret: SECRET,
      logger: createLogger('bot-test', 'trace', logs),
    }));
  });
  afterAll(async () => {
    await app?.stop();
    await h?.teardown();
  });

  const oversized = (path: string, declared: number | 'chunked', sent: number) =>
    postDeclaringLength(new URL(path, url).href, declared, sent);

  it('a 5 MB unsigned body is refused with 413 at once, on /slack/events and on every other route', async () => {
    for (const path of ['/slack/events', '/enroll/some-token', '/healthz']) {
      const { status, ms } = await oversized(path, 5 * 1024 * 1024, 64 * 1024);
      expect([path, status]).toEqual([path, 413]);
      expect(ms).toBeLessThan(2000); // answered without waiting for the 5 MB
    }
    // Bolt's own default would buffer up to 4 MB before checking the signature; 300 kB is refused too.
    expect((await oversized('/slack/events', 300 * 1024, 1024)).status).toBe(413);
    // A body without a declared length cannot be checked before it is read: refused too.
    expect((await oversized('/slack/events', 'chunked', 1024)).status).toBe(411);
    // An ordinary Slack request still works.
    expect(
      (await postEvent(url, SECRET, { type: 'app_home_opened', user: 'UNOBODY1', tab: 'messages' })).status,
    ).toBe(200);
  });

  it('at LOG_LEVEL=trace, a modal submission with a code leaves no code in the log', async () => {
    const secret = await enroll(h, ANA.id);
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    const dm = `D${ANA.id.slice(1)}`;
    await postInteraction(url, SECRET, buttonClick(ANA.id, 'vouch_confirm', handle.workflowId, dm));
    const right = codeAt(secret, Date.now());
    const wrong = right === '000000' ? '000001' : String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const sent = [wrong, right];
    for (const code of sent)
      await postInteraction(
        url,
        SECRET,
        codeSubmission(ANA.id, handle.workflowId, code, 'VLOG1', `code ${code}`),
      );
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    // Bolt's own debug lines are in the capture, as structured objects...
    expect(logText).toMatch(/"component":"bolt"/);
    expect(logText).toMatch(/"level":20[^\n]*"component":"bolt"|"component":"bolt"[^\n]*"level":20/);
    // ...including the submission itself (Bolt logs every payload at trace), with its values redacted...
    expect(logText).toMatch(/"callback_id":"vouch_second_factor"/);
    expect(logText).toMatch(/"state":"\[redacted\]"/);
    // ...and neither code is anywhere in it.
    for (const code of sent) expect(logText).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
  });

  it('1,000 thread replies leave the interview healthy, its history bounded and the timeline real', async () => {
    const alert = alertFor(BOB, { type: 'limits.flood' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    const dmRef = await dmThread(alert.id!);
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++)
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const ts = `1700001${String(batch * 50 + i).padStart(3, '0')}.000100`;
            const r = await postEvent(
              url,
              SECRET,
              threadReply(BOB.id, dmRef.channel, dmRef.ts, `flood message ${batch * 50 + i}`, ts),
              `Ev${ts.replace('.', '')}`,
            );
            return r.status;
          }),
        )),
      );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Only a few per minute reached the workflow (a minute boundary may fall inside the flood).
    const waitForSignals = async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      return events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    };
    await new Promise((r) => setTimeout(r, 1000));
    const signalled = await waitForSignals();
    expect(signalled).toBeGreaterThan(0);
    expect(signalled).toBeLessThanOrEqual(2 * REPLIES_PER_MINUTE);

    // A client that bypasses the bot (or many replicas over hours) still cannot fill the transcript.
    for (let i = 0; i < 200; i++)
      await handle.signal(employeeReply, {
        replyId: `direct:${i}`,
        slackUserId: BOB.id,
        text: `direct ${i} ${'x'.repeat(900)}`,
      });
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });

    const s = await state(handle);
    expect(s.transcript.filter((t) => t.kind === 'employee_message')).toHaveLength(MAX_RECORDED_MESSAGES);
    expect(s.transcript.map(renderEvent)).toContain(
      `100 more thread message(s) counted, not recorded (the first ${MAX_RECORDED_MESSAGES} are)`,
    );
    expect(JSON.stringify(s).length).toBeLessThan(64 * 1024);
    // The escalation's timeline still shows the real events: the answer and the outcome.
    const escalation = h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === 'CSECURITY' && JSON.stringify(c.args).includes(alert.title));
    const timeline = JSON.stringify(escalation?.args.blocks);
    expect(timeline).toMatch(/denied/);
    expect(timeline).not.toMatch(/direct 1\d\d/);
  });

  const dmThread = async (alertId: string) => {
    for (let i = 0; i < 200; i += 1) {
      const ref = (await alertStore(collections(h.mongo.db)).get(alertId))?.dm;
      if (ref?.ts) return { channel: ref.channel!, ts: ref.ts };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`alert ${alertId} has no recorded DM`);
  };
});
