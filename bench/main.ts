import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { runMain } from '../lib/main';
import { benchClicks } from './bot-bench';
import { benchInterviews } from './interview-bench';
import { startBenchStack } from './stack';

/** `npm run bench`: numbers for the interview path and for the bot, against the embedded stack. */
const USAGE = `Usage: npm run bench -- [--alerts 1000] [--seconds 60] [--concurrency 50] [--clicks 200] [--only interviews|bot]`;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '50' },
      clicks: { type: 'string', default: '200' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const stack = await startBenchStack(loadConfig());
  try {
    if (values.only !== 'bot')
      await benchInterviews(stack, {
        alerts: Number(values.alerts),
        seconds: Number(values.seconds),
        concurrency: Number(values.concurrency),
      });
    if (values.only !== 'interviews') await benchClicks(stack, { clicks: Number(values.clicks) });
  } finally {
    await stack.stop();
  }
});
