import { directoryEntrySchema, type DirectoryEntryDraft } from '../../shared/directory-entry';
import { eventsOfKind } from '../../shared/record/events';
import { MANAGER_VOUCHED_FLAG } from '../../slack-blocks/escalation';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { harnessWithBotAndPagerDuty } from '../helpers/bot-under-test';
import { recordHistory } from '../helpers/history';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  alertFor,
  dmSent,
  resultWithin,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import type { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { buttonClick, postInteraction } from '../helpers/slack-requests';

/**
 * The ladder at the deadline, through the real bot and workflow: Bob does not answer, and Ana, his
 * manager in the directory, is asked in a DM with three answers.
 */
const SECRET = 'test-signing-secret-ladder-0001';
const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';
/** An employee whose manager's address is, in Slack, his own account. */
const CARL = { id: 'UCARL0003', email: 'carl@example.com', name: 'Carl Ode', tz: 'UTC' };
const EVE = { id: 'UEVE00004', email: 'eve@example.com', name: 'Eve Lyn', tz: 'UTC' };

describe('the manager, when there is no answer', () => {
  let h: Harness;
  let pd: PagerDutyStandIn;
  let bot: { url: string };
  let teardown: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ h, pd, bot, teardown } = await harnessWithBotAndPagerDuty(SECRET));
    // Slack knows Carl under a second address, the one the directory gives as his manager's.
    h.slack.addUser({ ...CARL, email: 'carl.lead@example.com' }).addUser(EVE);
    const directory = directoryStore(collections(h.mongo.db));
    const entry = (e: DirectoryEntryDraft) => directoryEntrySchema.parse(e);
    await directory.set(entry({ email: ANA.email, slackUserId: ANA.id }), 'test');
    await directory.set(entry({ email: BOB.email, slackUserId: BOB.id, manager: ANA.email }), 'test');
    await directory.set(
      entry({ email: CARL.email, slackUserId: CARL.id, manager: 'carl.lead@example.com' }),
      'test',
    );
    await directory.set(entry({ email: EVE.email, slackUserId: EVE.id }), 'test'); // no manager
  });
  afterAll(async () => teardown?.());

  const ladderPolicy = (type: string, over: Record<string, unknown> = {}) =>
    setPolicy(h, type, {
      reminders: [],
      deadline: '2s',
      ladder: [{ ask: 'manager', wait: '30s' }, { escalate: 'security' }],
      ...over,
    });
  const managerDm = (workflowId: string) =>
    h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === `D${ANA.id.slice(1)}` && JSON.stringify(c.args.blocks).includes(workflowId),
    );
  const managerPress = (user: string, actionId: string, workflowId: string) =>
    postInteraction(bot.url, SECRET, buttonClick(user, actionId, workflowId, `D${user.slice(1)}`));
  const record = async (alertId: string) =>
    (await alertStore(collections(h.mongo.db)).get(alertId))!.transcript;
  const securityPosts = (workflowId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(workflowId),
      );

  it('"I don\'t" escalates at once; only the manager asked can answer; Bob\'s late click is refused', async () => {
    await ladderPolicy('ladder.does_not_know');
    const alert = alertFor(BOB, { type: 'ladder.does_not_know' });
    const handle = await start(h, alert);
    const dm = await dmSent(h, handle);
    const asked = await managerDm(handle.workflowId);
    const buttons = JSON.stringify(asked.args.blocks);
    for (const id of ['vouch_manager_knows', 'vouch_manager_does_not_know', 'vouch_manager_cannot_tell'])
      expect(buttons).toContain(`"action_id":"${id}"`);
    expect((await state(handle)).managerAsked).toBe(ANA.id);

    // Bob cannot answer for his manager, nor answer himself once his deadline passed.
    await managerPress(BOB.id, 'vouch_manager_knows', handle.workflowId);
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === BOB.id && String(c.args.text).includes("isn't yours to answer"),
    );
    await postInteraction(
      bot.url,
      SECRET,
      buttonClick(BOB.id, 'vouch_deny', handle.workflowId, String(dm.args.channel)),
    );
    await h.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === BOB.id && String(c.args.text).includes('time to answer this check has passed'),
    );

    await managerPress(ANA.id, 'vouch_manager_does_not_know', handle.workflowId);
    const result = await resultWithin(handle);
    expect(result.outcome).toBe('no_response');
    const events = await record(alert.id!);
    expect(eventsOfKind(events, 'ladder_step')).toMatchObject([{ n: 1, step: 'ask_manager' }]);
    expect(eventsOfKind(events, 'manager_asked')).toMatchObject([{ manager: ANA.id }]);
    expect(eventsOfKind(events, 'manager_answer')).toMatchObject([
      { answer: 'does_not_know', actor: ANA.id },
    ]);
    expect(eventsOfKind(events, 'employee_answer')).toHaveLength(0);
    expect(securityPosts(handle.workflowId)).toHaveLength(1);
    expect(JSON.stringify(securityPosts(handle.workflowId)[0]!.args.blocks)).not.toContain('Lower priority');
    // The manager's DM loses its buttons and shows the answer.
    await h.slack.waitForCall(
      'chat.update',
      (c) =>
        c.args.channel === asked.args.channel &&
        !JSON.stringify(c.args.blocks).includes('vouch_manager') &&
        JSON.stringify(c.args.blocks).includes('Thanks, recorded'),
    );
    recordHistory('manager-ladder-does-not-know', await handle.fetchHistory());
  });

  it('"I know about this" escalates with lower priority (PagerDuty info), or closes when the policy says so', async () => {
    await ladderPolicy('ladder.knows', {
      escalation: { pagerDuty: { routingKey: ROUTING_KEY, severity: 'critical' } },
    });
    const alert = alertFor(BOB, { type: 'ladder.knows' });
    const handle = await start(h, alert);
    await managerDm(handle.workflowId);
    await managerPress(ANA.id, 'vouch_manager_knows', handle.workflowId);
    await pd.waitFor((r) => r.status === 202 && r.rawBody.includes(alert.id!));
    const trigger = pd.events().find((e) => e.event_action === 'trigger' && e.dedup_key === alert.id);
    expect(trigger?.payload.severity).toBe('info');
    const post = await h.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
    );
    expect(JSON.stringify(post.args.blocks)).toContain(JSON.stringify(MANAGER_VOUCHED_FLAG).slice(1, 40));
    expect((await state(handle)).outcome).toBe('no_response');
    await handle.terminate('test done: the escalation waits for a close');

    await ladderPolicy('ladder.knows_closes', {
      ladder: { steps: [{ ask: 'manager', wait: '30s' }], onManagerConfirms: 'close' },
    });
    const closing = alertFor(BOB, { type: 'ladder.knows_closes' });
    const closes = await start(h, closing);
    await managerDm(closes.workflowId);
    await managerPress(ANA.id, 'vouch_manager_knows', closes.workflowId);
    expect((await resultWithin(closes)).outcome).toBe('manager_confirmed');
    expect(securityPosts(closes.workflowId)).toHaveLength(0);
    const events = await record(closing.id!);
    expect(eventsOfKind(events, 'manager_answer')).toMatchObject([{ answer: 'knows' }]);
    expect(eventsOfKind(events, 'suppression_created')).toHaveLength(0); // a statement verifies nothing
    recordHistory('manager-ladder-knows-closes', await closes.fetchHistory());
  });

  it('"I can\'t tell" and no answer move to the next step, which escalates', async () => {
    await ladderPolicy('ladder.cannot_tell');
    const alert = alertFor(BOB, { type: 'ladder.cannot_tell' });
    const handle = await start(h, alert);
    await managerDm(handle.workflowId);
    await managerPress(ANA.id, 'vouch_manager_cannot_tell', handle.workflowId);
    expect((await resultWithin(handle)).outcome).toBe('no_response');
    expect(eventsOfKind(await record(alert.id!), 'ladder_step')).toMatchObject([
      { n: 1, step: 'ask_manager' },
      { n: 2, step: 'escalate' },
    ]);

    await ladderPolicy('ladder.silent', {
      ladder: [{ ask: 'manager', wait: '2s' }, { escalate: 'security' }],
    });
    const silent = alertFor(BOB, { type: 'ladder.silent' });
    const quiet = await start(h, silent);
    await managerDm(quiet.workflowId);
    expect((await resultWithin(quiet)).outcome).toBe('no_response');
    const events = await record(silent.id!);
    expect(eventsOfKind(events, 'manager_no_answer')).toMatchObject([{ wait: '2s' }]);
    expect(eventsOfKind(events, 'manager_answer')).toHaveLength(0);
    expect(securityPosts(quiet.workflowId)).toHaveLength(1);
    recordHistory('manager-ladder-no-answer', await quiet.fetchHistory());
  });

  it('a missing manager, and a manager who is the subject, are skipped and say so', async () => {
    await ladderPolicy('ladder.skipped');
    const none = alertFor(EVE, { type: 'ladder.skipped' });
    const noneHandle = await start(h, none);
    expect((await resultWithin(noneHandle)).outcome).toBe('no_response');
    expect(eventsOfKind(await record(none.id!), 'manager_skipped')).toMatchObject([{ reason: 'no_manager' }]);

    const self = alertFor(CARL, { type: 'ladder.skipped' });
    const selfHandle = await start(h, self);
    expect((await resultWithin(selfHandle)).outcome).toBe('no_response');
    expect(eventsOfKind(await record(self.id!), 'manager_skipped')).toMatchObject([
      { reason: 'manager_is_subject' },
    ]);
    // Carl was asked once, as the employee, never as his own manager.
    const toCarl = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === `D${CARL.id.slice(1)}` && !c.args.thread_ts);
    expect(toCarl).toHaveLength(1);
    expect(JSON.stringify(toCarl[0]!.args.blocks)).not.toContain('vouch_manager');
  });
});
