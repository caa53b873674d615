/* eslint-disable @typescript-eslint/no-explicit-any -- a stand-in reads untrusted JSON field by field */
import { Webhook } from 'standardwebhooks';
import { HttpStandIn } from './http-stand-in';

/**
 * A verdict receiver as a careful SIEM endpoint would be: it verifies the Standard Webhooks signature
 * with the library's own `verify` (webhook-id, webhook-timestamp within its tolerance,
 * webhook-signature), expects a CloudEvents 1.0 structured JSON body, and dedupes on webhook-id. The
 * first delivery of each id is answered 500 after it was verified, so every verdict is retried once.
 */
export class VerdictReceiverStandIn extends HttpStandIn {
  /** The events taken, one per webhook-id. */
  readonly events = new Map<string, Record<string, any>>();
  /** Deliveries of an id already taken (answered 200, not taken again). */
  duplicates = 0;
  private readonly failedOnce = new Set<string>();
  private readonly webhook: Webhook;

  constructor(
    secret: string,
    private readonly failFirstAttempt = true,
  ) {
    super();
    this.webhook = new Webhook(secret);
  }

  eventFor(workflowId: string, event: 'verdict' | 'resolved'): Record<string, any> | undefined {
    return this.events.get(`${workflowId}:${event}`);
  }

  protected check(req: { method: string; headers: Record<string, unknown>; rawBody: string }) {
    const problems: string[] = [];
    if (req.method !== 'POST') problems.push('method must be POST');
    if (!String(req.headers['content-type']).startsWith('application/cloudevents+json'))
      problems.push('Content-Type must be application/cloudevents+json (CloudEvents structured mode)');
    let event: Record<string, any> = {};
    try {
      event = this.webhook.verify(req.rawBody, req.headers as Record<string, string>) as Record<string, any>;
    } catch (err) {
      return { problems: [`signature: ${(err as Error).message}`], status: 401, body: { error: 'unsigned' } };
    }
    const id = String(req.headers['webhook-id']);
    if (event.specversion !== '1.0') problems.push('specversion must be 1.0');
    if (event.id !== id) problems.push('the event id must be the webhook-id');
    for (const field of ['type', 'source', 'subject', 'time', 'data'])
      if (event[field] === undefined) problems.push(`${field} missing`);
    if (problems.length > 0) return { problems, status: 400, body: { error: problems } };
    if (this.failFirstAttempt && !this.failedOnce.has(id)) {
      this.failedOnce.add(id);
      return { problems: [], status: 500, body: { error: 'first attempt fails on purpose' } };
    }
    if (this.events.has(id)) this.duplicates += 1;
    else this.events.set(id, event);
    return { problems, status: 200, body: { ok: true } };
  }
}
