import { collections } from '../../store/collections';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { extractPayloads } from '../helpers/history';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the new policy fields do to an interview, on the time-skipping server with the real activities. */
describe('policies in interviews', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
  });
  afterAll(async () => h?.teardown());

  it('enabled: false records the alert and closes disabled_by_policy without asking anyone', async () => {
    const routingKey = 'R0UTINGKEYDISABLED00000000000000';
    await setPolicy(h, 'github.repo_cloned', { enabled: false, escalation: { pagerDuty: { routingKey } } });
    const alert = alertFor(BOB, { type: 'github.repo_cloned' });
    const handle = await start(h, alert);
    expect(await handle.result()).toMatchObject({ outcome: 'disabled_by_policy', phase: 'closed' });
    const doc = await collections(h.mongo.db).alerts.findOne({ _id: alert.id! });
    expect(doc?.transcript.map((t) => t.kind)).toEqual(['alert_received', 'disabled_by_policy', 'outcome']);
    const touched = h.slack.calls.filter((c) => JSON.stringify(c.args).includes(handle.workflowId));
    expect(touched).toEqual([]);
    expect(h.slack.callsTo('users.lookupByEmail').filter((c) => c.args.email === BOB.email)).toEqual([]);
    // The policy's secrets stay out of history on this path too.
    const history = await handle.fetchHistory();
    expect(JSON.stringify(history) + extractPayloads(history)).not.toContain(routingKey);
    expect(extractPayloads(history)).toContain('disabled_by_policy');
  });

  it("the DM and reminders use the policy's templates, with alert data made inert", async () => {
    await setPolicy(h, 'aws.templated', {
      reminders: ['10m'],
      deadline: '20m',
      messages: {
        intro: 'Hi {{employee}}: *{{title}}* from {{detail.sourceIp}}. Was it you?',
        reminder: 'Still waiting on {{title}} (until {{deadline}})',
      },
    });
    const alert = alertFor(ANA, {
      type: 'aws.templated',
      title: 'Login <!channel> see <https://evil.example|docs>',
      details: { sourceIp: 'https://evil.example/x' },
      sensitiveKeys: [],
    });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const intro = (dm.args.blocks as { text?: { text: string } }[])[0]!.text!.text;
    expect(intro).toBe(
      'Hi Ana Lima: *Login &lt;!channel&gt; see &lt;https[:]//evil[.]example|docs&gt;* from https[:]//evil[.]example/x. Was it you?',
    );
    expect(await handle.result()).toMatchObject({ outcome: 'no_response' });
    const reminder = h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.args.thread_ts && String(c.args.text).startsWith('Still waiting on'));
    expect(reminder?.args.text).toMatch(
      /^Still waiting on Login &lt;!channel&gt;.* \(until \d{4}-\d\d-\d\dT/,
    );
  });

  it("approval requests mention the policy's approvers, and only they (or the CLI) decide", async () => {
    h.slack.addUserGroup('S0SECOPS', ['UGROUPIE1']);
    await setPolicy(h, 'aws.root_login', {
      mode: 'approval',
      approval: { approvers: ['S0SECOPS', 'UAPPROVER1'] },
    });
    const handle = await start(h, alertFor(BOB, { type: 'aws.root_login' }));
    const request = await h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
    );
    expect(JSON.stringify(request.args.blocks)).toContain('(<!subteam^S0SECOPS> <@UAPPROVER1>)');
    await act(handle, 'approve', 'UOPS0001'); // an operator, but not an approver of this type
    await act(handle, 'skip', 'UOPS0001');
    await waitUntil(
      async () => (await state(handle)).transcript.filter((t) => t.kind === 'approval_refused').length === 2,
    );
    expect((await state(handle)).phase).toBe('awaiting_approval');
    await act(handle, 'approve', 'UGROUPIE1'); // in the approvers' user group
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    const refused = (await state(handle)).transcript.find((t) => t.kind === 'approval_refused');
    expect(refused).toMatchObject({ operator: 'UOPS0001', action: 'approve', alertType: 'aws.root_login' });

    const fromCli = await start(h, alertFor(BOB, { type: 'aws.root_login' }));
    await h.slack.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks ?? '').includes(fromCli.workflowId),
    );
    await act(fromCli, 'skip', 'cli:alice'); // whoever can reach Temporal is trusted
    expect(await fromCli.result()).toMatchObject({ outcome: 'skipped_by_operator' });

    // A user group deleted since the policy named it has no members: refused, not retried forever.
    await setPolicy(h, 'aws.root_login_gone', { mode: 'approval', approval: { approvers: ['S0GONE'] } });
    const gone = await start(h, alertFor(BOB, { type: 'aws.root_login_gone' }));
    await h.slack.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args.blocks ?? '').includes(gone.workflowId),
    );
    await act(gone, 'approve', 'UOPS0001');
    await waitUntil(async () => (await state(gone)).transcript.some((t) => t.kind === 'approval_refused'));
    await act(gone, 'cancel', 'cli:alice');
    expect(await gone.result()).toMatchObject({ outcome: 'closed_by_operator' });
  });

  it('a default-policy interview still runs as before', async () => {
    const handle = await start(h, alertFor(ANA, { type: 'unknown.type' }));
    await dmSent(h, handle);
    await answer(handle, ANA.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
  });

  it('alert data cannot mention, broadcast or link in any message, templated or not (title, username, url)', async () => {
    await setPolicy(h, 'aws.hostile', { reminders: ['5m'], deadline: '10m' });
    const hostile = {
      title: 'Login <!channel> <https://evil.example|verify here>',
      url: 'https://siem.example/a><!channel|x',
    };
    const asked = await start(h, alertFor(ANA, { type: 'aws.hostile', ...hostile }));
    const unknown = await start(h, {
      ...alertFor(ANA, { type: 'aws.hostile', ...hostile }),
      employee: { username: '<!here> <@UBOSS>' },
    });
    expect(await asked.result()).toMatchObject({ outcome: 'no_response' }); // after a reminder
    expect(await unknown.result()).toMatchObject({ outcome: 'unknown_employee' });
    const mine = h.slack.calls.filter((c) =>
      [asked.workflowId, unknown.workflowId, 'Login'].some((s) => JSON.stringify(c.args).includes(s)),
    );
    expect(mine.map((c) => c.method)).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update']));
    expect(mine.some((c) => c.args.thread_ts && String(c.args.text).includes('verify here'))).toBe(true);
    for (const call of mine) {
      const sent = JSON.stringify({ text: call.args.text, blocks: call.args.blocks });
      expect(sent).not.toMatch(/<!(channel|here)/);
      expect(sent).not.toMatch(/<@UBOSS/);
      expect(sent).not.toMatch(/https:\/\/evil/); // not even a bare URL that Slack would link
      expect(sent).not.toContain('evil.example');
      expect(sent).not.toMatch(/\|x\|View the alert/);
    }
  });
});
