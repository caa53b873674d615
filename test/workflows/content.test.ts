import { createSlackClient, slackErrorCode } from '../../activities/slack-client';
import { parseAlert } from '../../shared/alert';
import { reportMarkdown } from '../../report/markdown';
import { buildReport } from '../../report/investigation';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  answer,
  createHarness,
  dmSent,
  setPolicy,
  start,
  type Harness,
} from '../helpers/interview-harness';
import { SlackStandIn } from '../helpers/slack-stand-in';

type Block = { type: string; text?: { text: string }; fields?: { text: string }[] };

/** Alerts whose content a store or Slack could refuse, through the real workflow and activities. */
describe('alert content at the boundary', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
  });
  afterAll(async () => h?.teardown());

  const escalationPost = (workflowId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(workflowId));

  it('dotted, $ and NUL keys, control characters, RTL, emoji and long fields: stored, shown as written, escalated', async () => {
    const details: Record<string, string | number | boolean> = {
      'aws.region': 'eu-west-1',
      $where: 'function () { return true }',
      'user.$id': 42,
      'nul\u0000key': 'nul\u0000value\u0007bell',
      rtl: '\u202egnp.exe',
      emoji: '🔐'.repeat(1000),
      angles: '<&>'.repeat(666),
    };
    for (let i = 0; Object.keys(details).length < 50; i++) details[`extra.${i}`] = `v${i}`;
    const alert = alertFor(BOB, {
      type: 'aws.content',
      description: '&'.repeat(4000),
      title: `<@UBOB0002> ${'🚨'.repeat(90)}`,
      details,
      sensitiveKeys: [],
    });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const fields = (dm.args.blocks as Block[]).flatMap((b) => b.fields ?? []).map((f) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*aws.region*\neu-west-1',
        expect.stringMatching(/^\*\$where\*\n/),
        '*user.$id*\n42',
        '*nul\ufffdkey*\nnul\ufffdvalue\ufffdbell',
      ]),
    );
    expect(JSON.stringify(dm.args.blocks)).toContain('more details in the report');
    expect(JSON.stringify(dm.args.blocks)).not.toContain('<@UBOB0002>'); // the alert's title is escaped

    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    expect(escalationPost(handle.workflowId)).toBeDefined();
    expect(h.slack.refusals).toEqual([]);

    // Stored as the producer wrote it, in a form FerretDB accepts; read back as the same map.
    const c = collections(h.mongo.db);
    const raw = await c.alerts.findOne({ _id: alert.id! });
    expect(raw!.input.details).toEqual(expect.arrayContaining([{ key: 'aws.region', value: 'eu-west-1' }]));
    const doc = await alertStore(c).get(alert.id!);
    expect(doc!.input.details).toEqual(parseAlert(alert).details);
    const markdown = reportMarkdown(buildReport(doc!));
    expect(markdown).toContain('| aws.region | eu-west-1 |');
    expect(markdown).toContain('| $where |');
  });

  it('alerts stored before the details became pairs still read, report and escalate', async () => {
    const alert = parseAlert(alertFor(ANA, { type: 'aws.legacy_doc', details: { sourceIp: '203.0.113.7' } }));
    const c = collections(h.mongo.db);
    const at = new Date();
    await c.alerts.insertOne({
      _id: alert.id,
      workflowId: `alert-${alert.id}`,
      input: alert, // the old form: details as a map
      phase: 'escalated',
      outcome: 'denied',
      createdAt: at,
      updatedAt: at,
      transcript: [],
    });
    const doc = await alertStore(c).get(alert.id);
    expect(doc!.input.details).toEqual({ sourceIp: '203.0.113.7' });
    expect(reportMarkdown(buildReport(doc!))).toContain('| sourceIp | 203.0.113.7 |');
  });

  it('a template that grows past 3000 characters still delivers, cut after escaping', async () => {
    const intro = '{{title}} '.repeat(150); // 1500 characters of template, each value 300 once escaped
    await setPolicy(h, 'aws.long_template', {
      reminders: ['10m'],
      deadline: '20m',
      messages: { intro, reminder: intro },
    });
    const alert = alertFor(ANA, { type: 'aws.long_template', title: '<'.repeat(200) });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const introText = (dm.args.blocks as Block[])[0]!.text!.text;
    expect(introText.length).toBeGreaterThan(2990);
    expect(introText.length).toBeLessThanOrEqual(3000);
    expect(introText).toMatch(/(&lt;)+…$/); // never cut inside an escape
    expect(await handle.result()).toMatchObject({ outcome: 'no_response' });
    const reminder = h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.args.thread_ts && String(c.args.text).startsWith('&lt;'));
    expect(String(reminder!.args.text).length).toBeGreaterThan(3000);
    expect(String(reminder!.args.text).length).toBeLessThanOrEqual(40_000);
    expect(escalationPost(handle.workflowId)).toBeDefined();
    expect(h.slack.refusals).toEqual([]);
  });

  it("the escalation names the employee with a real mention; a profile name's markup stays inert", async () => {
    h.slack.addUser({ id: 'UEVE00003', email: 'eve@example.com', name: 'Eve <!channel> <@UBOSS0001>' });
    const handle = await start(h, alertFor({ email: 'eve@example.com' }, { type: 'aws.mention' }));
    await dmSent(h, handle);
    await answer(handle, 'UEVE00003', 'denied');
    await handle.result();
    const post = escalationPost(handle.workflowId)!;
    const head = (post.args.blocks as Block[])[0]!.text!.text;
    expect(head).toContain('Employee: Eve &lt;!channel&gt; &lt;@UBOSS0001&gt; <@UEVE00003>');
    expect(String(post.args.text)).toContain('<@UEVE00003>');
    expect(JSON.stringify(post.args)).not.toContain('&lt;@UEVE00003&gt;');
  });
});

/** The stand-in answers over-limit messages as Slack does, so a message Vouch builds too big fails tests. */
describe("the Slack stand-in enforces Slack's limits", () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    slack = await new SlackStandIn().start();
  });
  afterAll(async () => slack.stop());

  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const refusal = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 'accepted';
    } catch (err) {
      return slackErrorCode(err);
    }
  };

  it('refuses texts, fields, blocks and buttons over the limit, and accepts them at the limit', async () => {
    const client = createSlackClient('xoxb-test', slack.url);
    const post = (args: Record<string, unknown>) =>
      refusal(() => client.chat.postMessage({ channel: 'C1', text: 'x', ...args }));
    expect(await post({ blocks: [section('x'.repeat(3000))] })).toBe('accepted');
    expect(await post({ blocks: [section('x'.repeat(3001))] })).toBe('invalid_blocks');
    expect(await post({ blocks: [section('')] })).toBe('invalid_blocks');
    const field = (n: number) => ({ type: 'mrkdwn', text: 'x'.repeat(n) });
    expect(await post({ blocks: [{ type: 'section', fields: [field(2001)] }] })).toBe('invalid_blocks');
    expect(await post({ blocks: [{ type: 'section', fields: Array(11).fill(field(1)) }] })).toBe(
      'invalid_blocks',
    );
    expect(await post({ blocks: Array(50).fill(section('x')) })).toBe('accepted');
    expect(await post({ blocks: Array(51).fill(section('x')) })).toBe('invalid_blocks');
    expect(
      await post({ blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] }),
    ).toBe('invalid_blocks');
    const button = { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } };
    expect(await post({ blocks: [{ type: 'actions', elements: [button] }] })).toBe('invalid_blocks');
    expect(await post({ text: 'x'.repeat(40_000) })).toBe('accepted');
    expect(await post({ text: 'x'.repeat(40_001) })).toBe('msg_too_long');
    const view = (blocks: unknown[]) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Vouch' },
      blocks: blocks as never,
    });
    expect(
      await refusal(() => client.views.open({ trigger_id: 't', view: view(Array(100).fill(section('x'))) })),
    ).toBe('accepted');
    expect(
      await refusal(() => client.views.open({ trigger_id: 't', view: view(Array(101).fill(section('x'))) })),
    ).toBe('invalid_arguments');
    expect(slack.refusals.map((r) => r.error)).toContain('msg_too_long');
  });
});
