import { App, HTTPReceiver } from '@slack/bolt';
import { Writable } from 'node:stream';
import { earlyAckForClicks } from '../../bot/early-ack';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../infra/processes';
import { buttonClick, codeSubmission, postInteraction } from '../helpers/slack-requests';

/**
 * A button click is answered before Bolt routes it, so a burst of clicks is acknowledged at once; what
 * the listener does after its ack() is unchanged. Only a correctly signed click is; a modal submission,
 * whose acknowledgement carries the answer, still waits for the listener.
 */
const SECRET = 'test-signing-secret-early-ack';

describe('early acknowledgement of button clicks', () => {
  let app: App;
  let url: string;
  let release: () => void = () => {};
  const clicked: string[] = [];
  beforeAll(async () => {
    const port = await freePort();
    const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events', port });
    receiver.requestListener = earlyAckForClicks(receiver.requestListener, {
      signingSecret: SECRET,
      bodyLimit: 256 * 1024,
      app: () => app,
      logger: createLogger('test', 'info', new Writable({ write: (_c, _e, cb) => cb() })),
    });
    app = new App({
      receiver,
      authorize: async () => ({ botToken: 'xoxb-test', botId: 'B0001', botUserId: 'U0BOT' }),
    });
    // A listener held before its ack(): Bolt alone would answer only once it is released.
    app.action('slow_click', async ({ ack, body }) => {
      await new Promise<void>((r) => (release = r));
      await ack();
      clicked.push((body as { user: { id: string } }).user.id);
    });
    app.view('vouch_second_factor', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { code: 'checked by the listener' } });
    });
    await app.start(port);
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    release();
    await app?.stop();
  });

  it('answers a signed click at once and still runs its listener', async () => {
    const res = await postInteraction(url, SECRET, buttonClick('UCLICK01', 'slow_click', 'alert-x', 'D0001'));
    expect(res.status).toBe(200);
    expect(clicked).toEqual([]);
    release();
    for (let i = 0; i < 100 && clicked.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(clicked).toEqual(['UCLICK01']);
  });

  it('refuses a forged click, and its listener never runs', async () => {
    const forged = await postInteraction(
      url,
      SECRET,
      buttonClick('UFORGE01', 'slow_click', 'alert-x', 'D0001'),
      {
        forge: true,
      },
    );
    expect(forged.status).toBe(401);
    release();
    await new Promise((r) => setTimeout(r, 200));
    expect(clicked).not.toContain('UFORGE01');
  });

  it('leaves a modal submission to Bolt: its answer comes from the listener', async () => {
    const res = await postInteraction(url, SECRET, codeSubmission('UCLICK01', 'alert-x', '123456', 'V0001'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_action: 'errors', errors: { code: 'checked by the listener' } });
  });
});
