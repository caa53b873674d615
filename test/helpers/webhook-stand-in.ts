/* eslint-disable @typescript-eslint/no-explicit-any -- a stand-in reads untrusted JSON field by field */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpStandIn } from './http-stand-in';

/**
 * A local webhook receiver that verifies deliveries as a careful receiver would: JSON body,
 * `X-Vouch-Timestamp` within five minutes, `X-Vouch-Signature: sha256=<hex>` = HMAC-SHA256 of
 * `<timestamp>.<body>` under the shared secret (compared in constant time), and an `X-Vouch-Delivery`
 * id. Invalid deliveries get 401 (bad signature) or 400.
 */
export class WebhookStandIn extends HttpStandIn {
  constructor(private readonly secret: string) {
    super();
  }

  deliveries(): Record<string, any>[] {
    return this.accepted.map((r) => JSON.parse(r.rawBody) as Record<string, any>);
  }

  protected check(req: { method: string; headers: Record<string, unknown>; rawBody: string }) {
    const problems: string[] = [];
    const timestamp = String(req.headers['x-vouch-timestamp'] ?? '');
    const signature = String(req.headers['x-vouch-signature'] ?? '');
    if (req.method !== 'POST') problems.push('method must be POST');
    if (!String(req.headers['content-type']).startsWith('application/json'))
      problems.push('Content-Type must be application/json');
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300)
      problems.push('X-Vouch-Timestamp missing or older than 5 minutes');
    if (!req.headers['x-vouch-delivery']) problems.push('X-Vouch-Delivery missing');
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${req.rawBody}`).digest('hex')}`,
    );
    const given = Buffer.from(signature);
    const signed = given.length === expected.length && timingSafeEqual(given, expected);
    if (!signed) problems.push('X-Vouch-Signature does not match');
    try {
      JSON.parse(req.rawBody);
    } catch {
      problems.push('body is not JSON');
    }
    if (problems.length > 0) return { problems, status: signed ? 400 : 401, body: { error: problems } };
    return { problems, status: 200, body: { ok: true } };
  }
}
