import { randomBytes } from 'node:crypto';
import { createBotApp } from '../bot/app';
import { botDeps } from '../bot/create-bot';
import { loadConfig } from '../lib/config';
import { freePort } from '../infra/processes';
import { startInterview } from '../producer';
import { buttonClick, postInteraction } from '../test/helpers/slack-requests';
import { type BenchStack, drive, interviewStarter, percentile, say } from './stack';

/**
 * N employees press "Yes, that was me" at the same moment: signed requests to the real Bolt receiver.
 * Measures click → HTTP ack, and click → views.open received by the Slack stand-in.
 */
export async function benchClicks(stack: BenchStack, opts: { clicks: number }) {
  const start = interviewStarter(stack, startInterview);
  say(`bot: starting ${opts.clicks} interviews to click on…`);
  const interviews: { workflowId: string; slackUserId: string }[] = [];
  await drive({
    count: opts.clicks,
    concurrency: 20,
    task: async () => void interviews.push(await start()),
    label: 'interviews',
  });

  const secret = randomBytes(16).toString('hex');
  const port = await freePort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: stack.slack.url,
    BOT_PORT: String(port),
  });
  const app = createBotApp(config, stack.logger, botDeps(config, stack.logger, stack.client, stack.db));
  await app.start(port);
  const opened = new Map<string, number>();
  const previous = stack.slack.onCall;
  stack.slack.onCall = (call) => {
    previous?.(call);
    if (call.method === 'views.open') opened.set(String(call.args.trigger_id), performance.now());
  };
  try {
    say(`bot: ${interviews.length} concurrent "Yes" clicks…`);
    const url = `http://127.0.0.1:${port}/slack/events`;
    const clicks = interviews.map((i) =>
      buttonClick(i.slackUserId, 'vouch_confirm', i.workflowId, `D${i.slackUserId.slice(1)}`),
    );
    const sentAt = new Map<string, number>();
    const acks = await Promise.all(
      clicks.map(async (click) => {
        const t0 = performance.now();
        sentAt.set(click.trigger_id, t0);
        const res = await postInteraction(url, secret, click);
        if (res.status !== 200) throw new Error(`click answered ${res.status}`);
        return performance.now() - t0;
      }),
    );
    const deadline = Date.now() + 30_000;
    while (opened.size < clicks.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const toModal = [...sentAt].flatMap(([trigger, t0]) =>
      opened.has(trigger) ? [opened.get(trigger)! - t0] : [],
    );
    acks.sort((a, b) => a - b);
    toModal.sort((a, b) => a - b);
    console.log(`\nclicks: ${clicks.length} concurrent                p50 ms    p99 ms`);
    console.log(
      `click → HTTP ack                     ${percentile(acks, 50).toFixed(1).padStart(8)} ${percentile(acks, 99).toFixed(1).padStart(9)}`,
    );
    console.log(
      `click → views.open at the stand-in   ${percentile(toModal, 50).toFixed(1).padStart(8)} ${percentile(toModal, 99).toFixed(1).padStart(9)}  (${toModal.length}/${clicks.length} opened)`,
    );
    console.log(
      `goals: ack p99 < 100 ms (${percentile(acks, 99) < 100 ? 'met' : 'missed'}), views.open p99 < 1000 ms (${toModal.length === clicks.length && percentile(toModal, 99) < 1000 ? 'met' : 'missed'})\n`,
    );
  } finally {
    await app.stop();
  }
}
