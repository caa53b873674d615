import { startInterview } from '../producer';
import { buttonClick, postInteraction } from '../test/helpers/slack-requests';
import { describeMachine, writeResult } from './results';
import { type BenchStack, TASK_QUEUE, drive, interviewStarter, percentile, say } from './stack';
import { startBotProcess, startWorkerProcess } from './vouch-process';

/**
 * N employees press "Yes, that was me" at the same moment: signed requests over HTTP to the bot in a
 * process of its own (bot/main.ts, as deployed), with the interviews on a worker process of its own
 * (worker/main.ts). Measures click → HTTP ack, and click → views.open received by the Slack stand-in.
 */
export async function benchClicks(stack: BenchStack, opts: { clicks: number }) {
  // A task queue of its own, so the interviews run on the worker process, not the bench's own worker.
  const env = {
    ...stack.processEnv,
    VOUCH_TASK_QUEUE: `${TASK_QUEUE}-clicks`,
    VOUCH_SECURITY_CHANNEL: 'CBENCH',
  };
  say('bot: starting a worker and a bot, each in a process of its own…');
  const [worker, bot] = await Promise.all([startWorkerProcess('worker', env), startBotProcess('bot', env)]);
  try {
    const interviews = await startInterviews(stack, env.VOUCH_TASK_QUEUE, opts.clicks);
    const figures = await clickAll(stack, bot, interviews);
    // LOG_LEVEL=warn: anything the bot printed is worth seeing beside the figures.
    if (bot.output().trim()) say(`the bot printed:\n${bot.output().slice(-3000)}`);
    writeResult('clicks', describeMachine(), opts, figures);
  } finally {
    await Promise.all([bot.stop(), worker.stop()]);
  }
}

async function startInterviews(stack: BenchStack, taskQueue: string, count: number) {
  const start = interviewStarter(stack, startInterview, taskQueue);
  say(`bot: starting ${count} interviews to click on…`);
  const interviews: { workflowId: string; slackUserId: string }[] = [];
  await drive({
    count,
    concurrency: 20,
    task: async () => void interviews.push(await start()),
    label: 'interviews',
  });
  return interviews;
}

async function clickAll(
  stack: BenchStack,
  bot: { url: string; signingSecret: string },
  interviews: { workflowId: string; slackUserId: string }[],
) {
  const { url, signingSecret: secret } = bot;
  const opened = new Map<string, number>();
  const previous = stack.slack.onCall;
  stack.slack.onCall = (call) => {
    previous?.(call);
    if (call.method === 'views.open') opened.set(String(call.args.trigger_id), performance.now());
  };
  // A running bot has its Temporal connection and Slack auth: one click on no interview opens them.
  await postInteraction(url, secret, buttonClick('UBENCH0', 'vouch_confirm', 'alert-warm-up', 'DBENCH0'));
  say(`bot: ${interviews.length} concurrent "Yes" clicks…`);
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
  const figures = {
    clicks: clicks.length,
    opened: toModal.length,
    ackP50Ms: round(percentile(acks, 50)),
    ackP99Ms: round(percentile(acks, 99)),
    viewsOpenP50Ms: round(percentile(toModal, 50)),
    viewsOpenP99Ms: round(percentile(toModal, 99)),
  };
  console.log(`\nclicks: ${clicks.length} concurrent                p50 ms    p99 ms`);
  console.log(
    `click → HTTP ack                     ${String(figures.ackP50Ms).padStart(8)} ${String(figures.ackP99Ms).padStart(9)}`,
  );
  console.log(
    `click → views.open at the stand-in   ${String(figures.viewsOpenP50Ms).padStart(8)} ${String(figures.viewsOpenP99Ms).padStart(9)}  (${toModal.length}/${clicks.length} opened)`,
  );
  console.log(
    `goals: ack p99 < 100 ms (${figures.ackP99Ms < 100 ? 'met' : 'missed'}), views.open p99 < 1000 ms (${toModal.length === clicks.length && figures.viewsOpenP99Ms < 1000 ? 'met' : 'missed'})\n`,
  );
  return figures;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
