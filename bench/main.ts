import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { runMain } from '../lib/main';
import { benchClicks } from './bot-bench';
import { randomBytes } from 'node:crypto';
import { benchInterviews } from './interview-bench';
import { benchProfile } from './profile-bench';
import { ProfileProbe } from './profile-probe';
import { benchStorm } from './storm-bench';
import { describeMachine } from './results';
import { benchWaiting } from './waiting-bench';
import { benchDrills } from './drill-bench';
import { benchStore } from './store-bench';
import { startBenchStack } from './stack';

/** `npm run bench`: numbers for the interview path and for the bot, against the embedded stack. */
const USAGE = `Usage: npm run bench -- [--alerts 1000] [--seconds 60] [--concurrency 50] [--clicks 200] [--only interviews|bot|storm|profile|waiting|drill|store]
  profile (only with --only profile): [--profile 30] interviews per path, one at a time,
    [--profile-backlog 0] closed alerts stored first
  storm (only with --only storm): [--storm-alerts 5000] [--storm-employees 50] [--storm-seconds 60] [--storm-minutes 30]
  waiting (only with --only waiting): [--waiting 10000] [--waiting-employees 2000] [--waiting-reminder 5m]
    [--waiting-cache N] (the worker's VOUCH_MAX_CACHED_WORKFLOWS) [--waiting-heap MiB] (its --max-old-space-size; npm start's 640)
    [--waiting-slack-rate 20] [--waiting-start-minutes 30] (starting stops then)
  drill (only with --only drill): [--drill 1000] interviews per run, [--drill-workers 1,2] workers (and bots) per run, [--drill-minutes 20]
  store (only with --only store; the embedded MongoDB server alone): [--store-docs 10000] documents stored,
    [--store-ops 1000] per run, [--concurrency 50] clients, [--store-ferretdb PATH] another FerretDB build to measure`;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '50' },
      clicks: { type: 'string', default: '200' },
      only: { type: 'string' },
      profile: { type: 'string', default: '30' },
      'profile-backlog': { type: 'string', default: '0' },
      'storm-alerts': { type: 'string', default: '5000' },
      'storm-employees': { type: 'string', default: '50' },
      'storm-seconds': { type: 'string', default: '60' },
      'storm-minutes': { type: 'string', default: '30' },
      waiting: { type: 'string', default: '10000' },
      'waiting-employees': { type: 'string', default: '2000' },
      'waiting-reminder': { type: 'string', default: '5m' },
      'waiting-cache': { type: 'string' },
      'waiting-slack-rate': { type: 'string', default: '20' },
      'waiting-heap': { type: 'string' },
      'waiting-start-minutes': { type: 'string', default: '30' },
      drill: { type: 'string', default: '1000' },
      'drill-workers': { type: 'string', default: '1,2' },
      'drill-minutes': { type: 'string', default: '20' },
      'store-docs': { type: 'string', default: '10000' },
      'store-ops': { type: 'string', default: '1000' },
      'store-ferretdb': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  // The profile counts MongoDB commands and Slack budget waits; the other runs are not slowed by it.
  const probe = values.only === 'profile' ? new ProfileProbe() : undefined;
  const machine = describeMachine();
  if (values.only === 'store')
    return await benchStore(loadConfig(), machine, {
      docs: Number(values['store-docs']),
      ops: Number(values['store-ops']),
      concurrency: Number(values.concurrency),
      ferretdb: values['store-ferretdb'],
    });
  const waiting = values.only === 'waiting';
  const stack = await startBenchStack(loadConfig(), {
    probe,
    encryptionKey: randomBytes(32),
    worker: !waiting,
  });
  try {
    if (probe)
      return await benchProfile(stack, probe, {
        interviews: Number(values.profile),
        backlog: Number(values['profile-backlog']),
      });
    if (waiting)
      return await benchWaiting(stack, machine, {
        interviews: Number(values.waiting),
        employees: Number(values['waiting-employees']),
        reminder: values['waiting-reminder'],
        concurrency: Number(values.concurrency),
        cache: values['waiting-cache'] ? Number(values['waiting-cache']) : undefined,
        slackRate: Number(values['waiting-slack-rate']),
        heap: values['waiting-heap'] ? Number(values['waiting-heap']) : undefined,
        startMinutes: Number(values['waiting-start-minutes']),
      });
    if (values.only === 'storm')
      return await benchStorm(stack, {
        alerts: Number(values['storm-alerts']),
        employees: Math.min(100, Number(values['storm-employees'])),
        seconds: Number(values['storm-seconds']),
        concurrency: Number(values.concurrency),
        maxMinutes: Number(values['storm-minutes']),
      });
    if (values.only === 'drill')
      return await benchDrills(stack, {
        interviews: Number(values.drill),
        workers: values['drill-workers'].split(',').map(Number),
        maxMinutes: Number(values['drill-minutes']),
      });
    if (values.only !== 'bot')
      await benchInterviews(stack, machine, {
        alerts: Number(values.alerts),
        seconds: Number(values.seconds),
        concurrency: Number(values.concurrency),
      });
    if (values.only !== 'interviews') await benchClicks(stack, { clicks: Number(values.clicks) });
  } finally {
    await stack.stop();
  }
});
