import { cliEnv, runCli } from '../helpers/cli';
import {
  ANA,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  start,
  type Harness,
} from '../helpers/interview-harness';
import { testServers } from '../helpers/servers';

/**
 * `vouch state` and `vouch report` on the real dev server: people by name and email from the
 * employees cache, never Slack mention markup, and nothing an employee typed reaches the terminal as
 * a control sequence.
 */
describe('vouch state and report name people and print no control characters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createDevServerHarness();
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('shows Ana Lima <ana@example.com> where the record says <@UANA0001>', async () => {
    const alert = alertFor(ANA, { type: 'aws.people_test' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    // An employee's justification carrying a terminal escape (clear screen, set the window title).
    await answer(handle, ANA.id, 'confirmed', 'deploy\u001b[2J\u001b]0;pwned\u0007 fix\u009b31m');
    const env = cliEnv(h.mongo.db, {
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: h.taskQueue,
    });
    let text = '';
    for (let i = 0; i < 50 && !text.includes('Yes, that was me'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200)); // the signal is applied asynchronously
      text = (await runCli(['state', alert.id!], env)).stdout;
    }
    expect(text).toMatch(/^employee: Ana Lima <ana@example\.com> \(Slack UANA0001\)$/m);
    expect(text).toMatch(/Ana Lima <ana@example\.com>: Yes, that was me: "deploy\[2J\]0;pwned fix31m"/);
    expect(text).not.toContain('<@');
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/); // eslint-disable-line no-control-regex

    // The JSON keeps the data as it is (ids, the text as typed), escaped.
    const json = await runCli(['state', alert.id!, '--json'], env);
    expect(json.stdout).not.toMatch(/[\u007F-\u009F]/);
    const data = JSON.parse(json.stdout) as {
      employee: string;
      transcript: { actor: string; kind: string }[];
    };
    expect(data.employee).toBe(ANA.id);
    // The typed events: the answer and its justification are fields.
    expect(data.transcript.find((t) => t.kind === 'employee_answer')).toMatchObject({
      actor: ANA.id,
      answer: 'confirmed',
      justification: expect.stringContaining('deploy'),
    });

    const report = await runCli(['report', alert.id!], env);
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/Ana Lima/);
    expect(report.stdout).not.toMatch(/@UANA0001/);
    expect(report.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/); // eslint-disable-line no-control-regex
  });
});
