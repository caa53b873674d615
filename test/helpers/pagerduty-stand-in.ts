/* eslint-disable @typescript-eslint/no-explicit-any -- a stand-in reads untrusted JSON field by field */
import { HttpStandIn } from './http-stand-in';

/**
 * A local stand-in for the PagerDuty Events API v2: POST /v2/enqueue with a JSON event, checked
 * against the v2 event schema (routing_key, event_action, dedup_key, and for a trigger
 * payload.summary/source/severity), answered 202 {status: "success", dedup_key} or 400
 * {status: "invalid event", errors}. It keeps one incident per dedup key, as PagerDuty does.
 */
export class PagerDutyStandIn extends HttpStandIn {
  readonly incidents = new Map<string, { status: 'triggered' | 'resolved'; events: number }>();

  events(): Record<string, any>[] {
    return this.accepted.map((r) => JSON.parse(r.rawBody) as Record<string, any>);
  }

  protected check(req: { method: string; path: string; headers: Record<string, unknown>; rawBody: string }) {
    const problems: string[] = [];
    if (req.method !== 'POST' || req.path !== '/v2/enqueue')
      problems.push(`${req.method} ${req.path}: not found`);
    if (!String(req.headers['content-type']).startsWith('application/json'))
      problems.push('Content-Type must be application/json');
    let e: Record<string, any> = {};
    try {
      e = JSON.parse(req.rawBody) as Record<string, any>;
    } catch {
      problems.push('body is not JSON');
    }
    if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32)
      problems.push('routing_key must be a 32-character integration key');
    if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action))
      problems.push('event_action must be trigger, acknowledge or resolve');
    if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255))
      problems.push('dedup_key must be a string of at most 255 characters');
    if (e.event_action !== 'trigger' && typeof e.dedup_key !== 'string')
      problems.push('dedup_key is required to acknowledge or resolve');
    if (e.event_action === 'trigger') {
      const p = (e.payload ?? {}) as Record<string, any>;
      if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024)
        problems.push('payload.summary must be 1-1024 characters');
      if (typeof p.source !== 'string' || p.source.length === 0) problems.push('payload.source is required');
      if (!['critical', 'error', 'warning', 'info'].includes(p.severity))
        problems.push('payload.severity must be critical, error, warning or info');
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp)))
        problems.push('payload.timestamp must be ISO 8601');
      for (const link of (e.links ?? []) as { href?: string }[])
        if (typeof link.href !== 'string') problems.push('links[].href is required');
    }
    if (problems.length > 0)
      return {
        problems,
        status: 400,
        body: { status: 'invalid event', message: 'Event object is invalid', errors: problems },
      };
    const key = String(e.dedup_key);
    const incident = this.incidents.get(key) ?? { status: 'triggered' as const, events: 0 };
    if (e.event_action === 'resolve') incident.status = 'resolved';
    incident.events += 1;
    this.incidents.set(key, incident);
    return { problems, status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
  }
}
