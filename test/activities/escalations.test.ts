import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { postJson } from '../../activities/http-delivery';
import { signedWebhookHeaders } from '../../activities/webhook';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { buildReport } from '../../report/investigation';
import {
  ANA,
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { extractPayloads } from '../helpers/history';
import { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { WebhookStandIn } from '../helpers/webhook-stand-in';
import { renderEvent } from '../../shared/record/render';

const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';
const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
/** The stand-ins listen on loopback: allowed explicitly, as an operator would allow an internal SOAR. */
const LOCAL = ['127.0.0.1'];

/** Escalations to PagerDuty (Events API v2) and a signed webhook, checked by stand-ins that speak those protocols. */
describe('escalation targets', () => {
  let h: Harness;
  let pd: PagerDutyStandIn;
  let hook: WebhookStandIn;
  beforeAll(async () => {
    pd = await new PagerDutyStandIn().start();
    hook = await new WebhookStandIn(SECRET).start();
    h = await createHarness({
      timeSkipping: true,
      activityDeps: { pagerDutyUrl: pd.url, webhookSecrets: { soar: SECRET }, outboundAllowHosts: LOCAL },
    });
    await setPolicy(h, 'aws.root_login', {
      escalation: {
        pagerDuty: { routingKey: ROUTING_KEY },
        webhook: { url: `${hook.url}/hooks/vouch`, secret: 'soar' },
      },
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await pd?.stop();
    await hook?.stop();
  });

  const forAlert = (id: string) => (r: { rawBody: string }) => r.rawBody.includes(id);

  it('an escalation triggers a PagerDuty incident and a signed webhook (retried once); closing resolves both', async () => {
    const alert = alertFor(BOB, { type: 'aws.root_login', severity: 'critical' });
    hook.failNext(503); // the first delivery to each fails: Temporal retries it
    pd.failNext(500);
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied', 'never logged in as root');

    const trigger = await pd.waitFor((r) => forAlert(alert.id!)(r) && r.status === 202);
    const event = JSON.parse(trigger.rawBody);
    expect(event).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: alert.id,
      payload: {
        summary: `Vouch: denied: ${alert.title}`,
        source: 'cloudtrail',
        severity: 'critical',
        component: 'aws.root_login',
        custom_details: { outcome: 'denied', second_factor: 'not_reached', alert_id: alert.id },
      },
    });
    expect(event.links[0].href).toContain(handle.workflowId);
    // The verdict as fields, for a SIEM: nothing to parse out of prose.
    const verdict = event.payload.custom_details.verdict;
    expect(verdict).toMatchObject({
      alertId: alert.id,
      alertType: 'aws.root_login',
      severity: 'critical',
      workflowId: handle.workflowId,
      outcome: 'denied',
      escalated: true,
      answer: 'denied',
      employee: { email: BOB.email, slackUserId: BOB.id },
      secondFactor: { result: 'not_reached', attempts: 0, lastCheck: null },
      occurredAt: alert.occurredAt,
      closedBy: null,
    });
    expect(verdict.policy).toEqual(expect.any(String));
    expect(Date.parse(verdict.answeredAt)).toBeLessThanOrEqual(Date.parse(verdict.outcomeAt));
    expect(verdict.events.length).toBe(Math.min(verdict.eventCount, 30));
    expect(verdict.events).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        actor: BOB.id,
        answer: 'denied',
        justification: 'never logged in as root',
        text: 'No, it wasn\'t me: "never logged in as root"',
      }),
    );
    expect(event.payload.custom_details.timeline).toEqual(
      expect.arrayContaining([expect.stringMatching(/ employee_answer: No, it wasn't me/)]),
    );
    expect(JSON.stringify(event)).not.toContain('123456789012'); // the sensitive detail stays out

    const delivered = await hook.waitFor((r) => forAlert(alert.id!)(r) && r.status === 200);
    const attempts = hook.requests.filter(forAlert(alert.id!));
    expect(attempts.map((r) => r.status)).toEqual([503, 200]);
    expect(attempts[0]!.headers['x-vouch-delivery']).toBe(attempts[1]!.headers['x-vouch-delivery']);
    const body = JSON.parse(delivered.rawBody);
    expect(body).toMatchObject({ event: 'escalation.escalated', alertId: alert.id, outcome: 'denied' });
    expect(body.verdict).toEqual({ ...verdict, events: expect.any(Array), eventCount: expect.any(Number) });
    expect(body.report.answer).toMatchObject({ kind: 'employee_answer', answer: 'denied', actor: BOB.id });
    // The report in the webhook is the interview's own transcript.
    const stored = await alertStore(collections(h.mongo.db)).get(alert.id!);
    expect(body.report.transcript.map((t: { text: string }) => t.text)).toEqual(
      buildReport(stored!)
        .transcript.map((t) => t.text)
        .slice(0, body.report.transcript.length),
    );
    expect(body.report.transcript.map((t: { kind: string }) => t.kind)).toEqual(
      expect.arrayContaining(['alert_received', 'dm_sent', 'employee_answer', 'outcome']),
    );

    // The security channel's post offers the bot's Close button, which resolves (the bot sends operatorAction close).
    const post = h.slack
      .callsTo('chat.postMessage')
      .find(
        (c) =>
          c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
      );
    const actions = (
      post?.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    expect(actions).toEqual([
      expect.objectContaining({ action_id: 'vouch_close', value: handle.workflowId }),
    ]);
    expect(pd.requests.filter(forAlert(alert.id!)).map((r) => r.status)).toEqual([500, 202]);
    expect(pd.incidents.get(alert.id!)).toEqual({ status: 'triggered', events: 1 });
    // The policy's key changes before the close: the incident is still resolved with the key that opened it.
    const policyAtTrigger = {
      pagerDuty: { routingKey: ROUTING_KEY },
      webhook: { url: `${hook.url}/hooks/vouch`, secret: 'soar' },
    };
    await setPolicy(h, 'aws.root_login', {
      escalation: { ...policyAtTrigger, pagerDuty: { routingKey: 'R0UTINGKEYCHANGED0000000000000000' } },
    });
    await act(handle, 'close', 'UOPS0001', 'contained');
    expect(await handle.result()).toMatchObject({
      outcome: 'denied',
      phase: 'escalated',
      resolvedBy: 'UOPS0001',
    });
    expect(pd.incidents.get(alert.id!)).toEqual({ status: 'resolved', events: 2 });
    const closedPost = h.slack
      .callsTo('chat.update')
      .find(
        (c) =>
          c.args.channel === SECURITY_CHANNEL && JSON.stringify(c.args.blocks).includes(handle.workflowId),
      );
    expect(JSON.stringify(closedPost?.args.blocks)).toContain('Closed by <@UOPS0001>');
    expect(JSON.stringify(closedPost?.args.blocks)).not.toContain('vouch_close');
    expect(
      pd
        .events()
        .filter((e) => e.dedup_key === alert.id)
        .map((e) => e.event_action),
    ).toEqual(['trigger', 'resolve']);
    expect(
      pd
        .events()
        .filter((e) => e.dedup_key === alert.id)
        .map((e) => e.routing_key),
    ).toEqual([ROUTING_KEY, ROUTING_KEY]);
    await setPolicy(h, 'aws.root_login', { escalation: policyAtTrigger });
    expect(
      hook
        .deliveries()
        .filter((d) => d.alertId === alert.id)
        .map((d) => d.event),
    ).toEqual(['escalation.escalated', 'escalation.resolved']);
    const resolved = hook
      .deliveries()
      .find((d) => d.alertId === alert.id && d.event === 'escalation.resolved')!;
    // The record names who closed it before the targets are told.
    expect(resolved.verdict).toMatchObject({ closedBy: 'UOPS0001' });
    expect(resolved.verdict).toMatchObject({
      escalationPost: { channel: SECURITY_CHANNEL, awaitsClose: true },
      deliveries: expect.arrayContaining([
        expect.objectContaining({ target: 'pagerduty', event: 'escalated', status: 'delivered' }),
        expect.objectContaining({ target: 'webhook', event: 'escalated', status: 'delivered' }),
      ]),
    });
    expect(resolved.verdict.events.at(-1)).toMatchObject({
      kind: expect.any(String),
      text: expect.any(String),
    });
    const kinds = (await collections(h.mongo.db).alerts.findOne({ _id: alert.id! }))!.transcript.map(
      (t) => t.kind,
    );
    const afterClose = kinds.slice(kinds.indexOf('resolved') + 1);
    expect(afterClose.sort()).toEqual(['delivery', 'delivery']);

    // Neither the routing key nor the webhook secret is in the workflow's history.
    const history = historyToJSON(await handle.fetchHistory());
    expect(history).not.toContain(ROUTING_KEY);
    expect(history).not.toContain(SECRET);
    const decoded = extractPayloads(await handle.fetchHistory());
    expect(decoded).not.toContain(ROUTING_KEY);
  });

  it('a target that refuses the event is noted as failed, not retried, and the escalation still stands', async () => {
    await setPolicy(h, 'aws.key_created', {
      escalation: {
        pagerDuty: { routingKey: ROUTING_KEY },
        webhook: { url: `${hook.url}/x`, secret: 'missing' },
      },
    });
    const alert = alertFor(BOB, { type: 'aws.key_created' });
    pd.failNext(400);
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await pd.waitFor((r) => forAlert(alert.id!)(r) || r.status === 400);
    await act(handle, 'close', 'UOPS0002');
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'denied', resolvedBy: 'UOPS0002' });
    const failures = (await collections(h.mongo.db).alerts.findOne({ _id: alert.id! }))!.transcript.filter(
      (t) => t.kind === 'delivery' && t.status === 'failed',
    );
    expect(failures.map(renderEvent)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PagerDuty: PagerDuty answered HTTP 400/),
        expect.stringMatching(/^webhook: VOUCH_WEBHOOK_SECRETS has no secret named "missing"/),
      ]),
    );
    expect(pd.requests.filter((r) => r.status === 400)).toHaveLength(1); // not retried
  });

  it('an escalation nobody closes ends after 30 days, leaving the incident open', async () => {
    await setPolicy(h, 'vpn.impossible_travel', {
      escalation: { webhook: { url: `${hook.url}/hooks/vouch`, secret: 'soar' } },
    });
    const alert = alertFor(BOB, { type: 'vpn.impossible_travel' });
    const handle = await start(h, alert);
    const result = await handle.result(); // no answer: no_response at 4 h, then 30 days of skipped time
    expect(result).toMatchObject({ outcome: 'no_response', phase: 'escalated' });
    expect(result.resolvedBy).toBeUndefined();
    const kinds = (await collections(h.mongo.db).alerts.findOne({ _id: alert.id! }))!.transcript.map(
      (t) => t.kind,
    );
    expect(kinds.slice(-5)).toEqual([
      'outcome',
      'escalation_posted',
      'awaiting_close',
      'delivery',
      'resolution_timeout',
    ]);
    expect(
      hook
        .deliveries()
        .filter((d) => d.alertId === alert.id)
        .map((d) => d.event),
    ).toEqual(['escalation.escalated']);
  });

  it('with follow-ups on: targets hear at once, a close during the follow-ups stops them and resolves', async () => {
    await setPolicy(h, 'okta.follow_up', {
      escalation: { pagerDuty: { routingKey: ROUTING_KEY } },
      followUps: { enabled: true, questions: 'scripted', scripted: ['What were you doing?'], summary: false },
    });
    const alert = alertFor(BOB, { type: 'okta.follow_up' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await pd.waitFor((r) => forAlert(alert.id!)(r) && r.status === 202); // before any follow-up is answered
    await h.slack.waitForCall(
      'chat.postMessage',
      (c) => Boolean(c.args.thread_ts) && String(c.args.text).includes('What were you doing?'),
    );
    await act(handle, 'close', 'UOPS0004');
    expect(await handle.result()).toMatchObject({ outcome: 'denied', resolvedBy: 'UOPS0004' });
    const kinds = (await collections(h.mongo.db).alerts.findOne({ _id: alert.id! }))!.transcript.map(
      (t) => t.kind,
    );
    expect(kinds).toEqual(expect.arrayContaining(['follow_up_question', 'follow_ups_stopped', 'resolved']));
    expect(kinds.indexOf('delivery')).toBeLessThan(kinds.indexOf('follow_up_question'));
    expect(pd.incidents.get(alert.id!)?.status).toBe('resolved');
  });

  it('outcomes that close the alert send nothing to the targets', async () => {
    const secret = await enroll(h, ANA.id);
    const alert = alertFor(ANA, { type: 'aws.root_login' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, ANA.id, 'confirmed');
    await submitCode(h, handle, ANA.id, validCode(secret));
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    expect(pd.requests.filter(forAlert(alert.id!))).toEqual([]);
    expect(hook.requests.filter(forAlert(alert.id!))).toEqual([]);
  });

  it('the stand-ins refuse what the real services refuse: a bad signature, an incomplete event', async () => {
    const body = JSON.stringify({ event: 'escalation.escalated' });
    const forged = postJson(
      'webhook',
      hook.url,
      body,
      signedWebhookHeaders('not-the-secret', 'd-1', body, new Date()),
      LOCAL,
    );
    await expect(forged).rejects.toMatchObject({ type: 'EscalationTargetRejected', nonRetryable: true });
    expect(hook.requests.at(-1)).toMatchObject({
      status: 401,
      problems: ['X-Vouch-Signature does not match'],
    });
    const stale = signedWebhookHeaders(SECRET, 'd-2', body, new Date(Date.now() - 600_000));
    await expect(postJson('webhook', hook.url, body, stale, LOCAL)).rejects.toMatchObject({
      nonRetryable: true,
    });
    expect(hook.requests.at(-1)?.problems).toEqual(['X-Vouch-Timestamp missing or older than 5 minutes']);

    const incomplete = { routing_key: ROUTING_KEY, event_action: 'trigger', payload: { summary: 'x' } };
    await expect(
      postJson('PagerDuty', `${pd.url}/v2/enqueue`, JSON.stringify(incomplete), {}, LOCAL),
    ).rejects.toMatchObject({
      type: 'EscalationTargetRejected',
    });
    expect(pd.requests.at(-1)?.problems).toEqual([
      'payload.source is required',
      'payload.severity must be critical, error, warning or info',
    ]);
    pd.failNext(503);
    await expect(postJson('PagerDuty', `${pd.url}/v2/enqueue`, '{}', {}, LOCAL)).rejects.not.toHaveProperty(
      'nonRetryable',
    );
  });
});
