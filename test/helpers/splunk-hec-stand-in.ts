/* eslint-disable @typescript-eslint/no-explicit-any -- a stand-in reads untrusted JSON field by field */
import { HttpStandIn } from './http-stand-in';

/**
 * Splunk's HTTP Event Collector: `POST /services/collector/event` with `Authorization: Splunk <token>`
 * and a JSON event (`event` required; `time`, `source`, `sourcetype`, `host` optional). Answers as HEC
 * does: 200 `{"text":"Success","code":0}`, 401 without a token, 403 for a wrong one, 400 for no event.
 */
export class SplunkHecStandIn extends HttpStandIn {
  constructor(private readonly token: string) {
    super();
  }

  events(): Record<string, any>[] {
    return this.accepted.map((r) => JSON.parse(r.rawBody) as Record<string, any>);
  }

  protected check(req: { method: string; path: string; headers: Record<string, unknown>; rawBody: string }) {
    if (req.method !== 'POST' || req.path !== '/services/collector/event')
      return { problems: [`${req.method} ${req.path}: not found`], status: 404, body: { text: 'Not Found' } };
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Splunk '))
      return { problems: ['no Splunk token'], status: 401, body: { text: 'Token is required', code: 2 } };
    if (auth !== `Splunk ${this.token}`)
      return { problems: ['wrong token'], status: 403, body: { text: 'Invalid token', code: 4 } };
    let e: Record<string, any> = {};
    try {
      e = JSON.parse(req.rawBody) as Record<string, any>;
    } catch {
      return { problems: ['not JSON'], status: 400, body: { text: 'Invalid data format', code: 6 } };
    }
    if (e.event === undefined || e.event === null || e.event === '')
      return {
        problems: ['event missing'],
        status: 400,
        body: { text: 'Event field is required', code: 12 },
      };
    if (e.time !== undefined && typeof e.time !== 'number')
      return {
        problems: ['time must be epoch seconds'],
        status: 400,
        body: { text: 'Invalid data format', code: 6 },
      };
    return { problems: [], status: 200, body: { text: 'Success', code: 0 } };
  }
}
