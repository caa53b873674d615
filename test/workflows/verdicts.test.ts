/* eslint-disable @typescript-eslint/no-explicit-any -- reads the received events field by field */
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { extractPayloads, recordHistory } from '../helpers/history';
import {
  ANA,
  BOB,
  act,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  enroll,
  resultWithin,
  setPolicy,
  start,
  submitCode,
  validCode,
  type Harness,
} from '../helpers/interview-harness';
import { SplunkHecStandIn } from '../helpers/splunk-hec-stand-in';
import { VerdictReceiverStandIn } from '../helpers/verdict-receiver-stand-in';
import { WebhookStandIn } from '../helpers/webhook-stand-in';

const whsec = (fill: number) => `whsec_${Buffer.alloc(32, fill).toString('base64')}`;
const SIEM_SECRET = whsec(1);
const SOC_SECRET = whsec(2);
const HEC_TOKEN = '11111111-2222-3333-4444-555555555555';

/**
 * On the real dev server with the real activities: every outcome's verdict reaches a global
 * receiver (which verifies the signature and fails each first attempt), Splunk HEC, and a policy's
 * own receiver; each attempt is in the alert's audit trail.
 */
describe('the verdict of every alert, written back', () => {
  let h: Harness;
  let siem: VerdictReceiverStandIn;
  let soc: VerdictReceiverStandIn;
  let hec: SplunkHecStandIn;
  let escalationHook: WebhookStandIn;
  beforeAll(async () => {
    siem = await new VerdictReceiverStandIn(SIEM_SECRET).start();
    soc = await new VerdictReceiverStandIn(SOC_SECRET, false).start();
    hec = await new SplunkHecStandIn(HEC_TOKEN).start();
    escalationHook = await new WebhookStandIn('escalation-secret-0123456789').start();
    h = await createDevServerHarness({
      overridable: true,
      activityDeps: {
        namespace: 'default',
        outboundAllowHosts: ['127.0.0.1'], // the stand-ins are local
        webhookSecrets: { soar: 'escalation-secret-0123456789' },
        verdicts: {
          webhooks: [{ name: 'siem', url: `${siem.url}/vouch` }],
          secrets: { siem: SIEM_SECRET, soc: SOC_SECRET },
          splunk: { url: hec.url, token: HEC_TOKEN },
        },
      },
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await Promise.all([siem, soc, hec, escalationHook].map((s) => s?.stop()));
  });
  afterEach(() => {
    for (const name of Object.keys(h.overrides)) delete h.overrides[name as keyof Activities];
  });

  type Handle = Awaited<ReturnType<typeof start>>;
  const audit = (alertId: string) => alertStore(collections(h.mongo.db)).auditOf(alertId);
  const splunkEventFor = (id: string) => hec.events().find((e) => e.event?.id === id);

  /** The run's end, then the verdict as every receiver got it, checked the same way for each. */
  async function verdictOf(handle: Handle, outcome: string): Promise<Record<string, any>> {
    const result = await resultWithin(handle);
    expect(result.outcome).toBe(outcome);
    const event = siem.eventFor(handle.workflowId, 'verdict');
    expect(event).toMatchObject({
      specversion: '1.0',
      id: `${handle.workflowId}:verdict`,
      type: 'com.vouch.alert.verdict',
      source: '/vouch/default',
      subject: result.alertId,
      datacontenttype: 'application/json',
      data: { alertId: result.alertId, outcome, workflowId: handle.workflowId },
    });
    expect(Date.parse(event!.time)).toBe(Date.parse(event!.data.decidedAt));
    // Refused once (500), then taken: the retry, seen by the receiver and in the record.
    const attempts = siem.requests.filter((r) => r.headers['webhook-id'] === event!.id);
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    const recorded = (await audit(result.alertId)).filter(
      (e) => e.kind === 'verdict_delivery' && e.receiver === 'siem' && e.event === 'verdict',
    );
    expect(recorded.map((e: any) => [e.attempt, e.status])).toEqual([
      [1, 'failed'],
      [2, 'delivered'],
    ]);
    expect((recorded[0] as any).error).toBe('verdict receiver siem answered HTTP 500');
    // Splunk got the same CloudEvent once, in HEC's event format.
    expect(splunkEventFor(event!.id)).toEqual({
      time: Date.parse(event!.time) / 1000,
      source: 'vouch',
      sourcetype: 'vouch:verdict',
      event,
    });
    expect(hec.events().filter((e) => e.event?.id === event!.id)).toHaveLength(1);
    return event!.data;
  }

  it('denied: the answer, the employee and the escalation post; the close later sends the resolved event', async () => {
    await setPolicy(h, 'verdict.denied', {
      escalation: { webhook: { url: `${escalationHook.url}/hook`, secret: 'soar' } },
      verdicts: [{ url: `${soc.url}/policy`, secretName: 'soc' }],
    });
    const alert = alertFor(BOB, { type: 'verdict.denied', url: 'https://siem.example.com/alerts/1' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    const sent = await soc.waitFor(
      (r) => r.status === 200 && r.rawBody.includes(`${handle.workflowId}:verdict`),
    );
    expect(sent.path).toBe('/policy');
    expect((await handle.describe()).status.name).toBe('RUNNING'); // waits for an operator's close
    await act(handle, 'close', 'UOPS0009');

    const data = await verdictOf(handle, 'denied');
    expect(data).toMatchObject({
      alertType: 'verdict.denied',
      severity: 'high',
      answer: 'denied',
      justification: null,
      escalated: true,
      employee: { email: BOB.email, slackUserId: BOB.id, name: BOB.name },
      secondFactor: { verified: false, method: null, result: 'not_reached' },
      occurredAt: alert.occurredAt,
      alertUrl: alert.url,
      reportLink: expect.stringContaining(handle.workflowId),
      escalationPost: { channel: expect.any(String), ts: expect.any(String), awaitsClose: true },
      resolvedAt: null,
    });
    expect(data.events.map((e: any) => e.kind)).toEqual(
      expect.arrayContaining(['alert_received', 'policy', 'dm_sent', 'employee_answer', 'outcome']),
    );
    expect(data.events.every((e: any) => e.text === undefined)).toBe(true); // facts, not prose
    expect(data.events.find((e: any) => e.kind === 'employee_answer')).toMatchObject({
      actor: BOB.id,
      answer: 'denied',
    });

    const resolved = siem.eventFor(handle.workflowId, 'resolved');
    expect(resolved).toMatchObject({
      id: `${handle.workflowId}:resolved`,
      type: 'com.vouch.alert.verdict.resolved',
      subject: alert.id,
      data: { outcome: 'denied', closedBy: 'UOPS0009', resolvedAt: expect.any(String) },
    });
    expect(resolved!.time).toBe(resolved!.data.resolvedAt);
    expect(soc.eventFor(handle.workflowId, 'resolved')).toMatchObject({ data: { closedBy: 'UOPS0009' } });
    expect(siem.duplicates).toBe(0);
    const history = await handle.fetchHistory();
    // Secrets are read by the activity: never in the workflow's history.
    const payloads = extractPayloads(history);
    expect(JSON.stringify(history)).toContain('deliverVerdict');
    for (const secret of [SIEM_SECRET, SOC_SECRET, HEC_TOKEN]) expect(payloads).not.toContain(secret);
    recordHistory('verdicts-denied-then-resolved', history);
  });

  it('confirmed_verified: the justification and how the second factor was verified', async () => {
    const secret = await enroll(h, ANA.id);
    const alert = alertFor(ANA, { type: 'verdict.confirmed' });
    const handle = await start(h, alert);
    await dmSent(h, handle);
    await answer(handle, ANA.id, 'confirmed', 'rotating the break-glass account as planned');
    await submitCode(h, handle, ANA.id, validCode(secret));
    const data = await verdictOf(handle, 'confirmed_verified');
    expect(data).toMatchObject({
      answer: 'confirmed',
      justification: 'rotating the break-glass account as planned',
      escalated: false,
      secondFactor: {
        verified: true,
        method: 'totp',
        result: 'verified',
        attempts: 1,
        lastCheck: 'accepted',
      },
      escalationPost: null,
    });
    expect(Date.parse(data.decidedAt)).toBeGreaterThanOrEqual(Date.parse(data.answeredAt));
    recordHistory('verdicts-confirmed-verified', await handle.fetchHistory());
  });

  it('no_response: nobody answered before the deadline', async () => {
    await setPolicy(h, 'verdict.silent', { reminders: [], deadline: '2s' });
    const handle = await start(h, alertFor(BOB, { type: 'verdict.silent' }));
    const data = await verdictOf(handle, 'no_response');
    expect(data).toMatchObject({ answer: null, justification: null, answeredAt: null, escalated: true });
  });

  it('an operator closes the interview before any answer', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'verdict.operator' }));
    await dmSent(h, handle);
    await act(handle, 'close', 'UOPS0001', 'known maintenance');
    const data = await verdictOf(handle, 'closed_by_operator');
    expect(data.events.find((e: any) => e.kind === 'operator_action')).toMatchObject({
      actor: 'UOPS0001',
      action: 'close',
      note: 'known maintenance',
    });
  });

  it('a cancellation in Temporal is a verdict too', async () => {
    const handle = await start(h, alertFor(BOB, { type: 'verdict.cancelled' }));
    await dmSent(h, handle);
    await handle.cancel();
    const data = await verdictOf(handle, 'cancelled');
    expect(data.events.map((e: any) => e.kind)).toContain('cancelled');
  });

  it('failed_closed: a step that failed for good still sends the verdict', async () => {
    h.overrides.sendInterview = async () => {
      throw ApplicationFailure.nonRetryable('Slack refused', 'InjectedFailure');
    };
    const handle = await start(h, alertFor(BOB, { type: 'verdict.failed' }));
    const data = await verdictOf(handle, 'failed_closed');
    expect(data.events.find((e: any) => e.kind === 'failed_closed')).toMatchObject({
      step: 'activity sendInterview',
      errorType: 'InjectedFailure',
    });
  });

  it('a receiver that refuses the verdict is recorded and logged, and the outcome stands', async () => {
    await setPolicy(h, 'verdict.refused', {
      verdicts: [{ url: `${hec.url}/not-a-receiver`, secretName: 'soc' }],
    });
    const handle = await start(h, alertFor(BOB, { type: 'verdict.refused' }));
    await dmSent(h, handle);
    await answer(handle, BOB.id, 'denied');
    await verdictOf(handle, 'denied'); // the other receivers still got it
    const refused = (await audit(handle.workflowId.replace(/^alert-/, ''))).filter(
      (e) => e.kind === 'verdict_delivery' && e.receiver === 'policy-1',
    );
    expect(refused).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'refused',
        error: 'verdict receiver policy-1 answered HTTP 404',
      }),
    ]);
  });
});
