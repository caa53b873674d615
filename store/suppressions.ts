import { emailKey, emailOfKey, slackIdOfKey } from '../shared/employee-key';
import type { SuppressionScope } from '../shared/policy';
import type { AlertDoc, Collections, SuppressionDoc } from './collections';
import { eventsOfKind } from '../shared/record/events';

export interface SuppressionView extends Omit<SuppressionDoc, 'scope'> {
  state: 'live' | 'expired' | 'revoked';
  /**
   * What it covers; `legacy` for one made before scopes (the old default covered the whole type, or
   * the policy's keys), which no lookup finds any more: it suppresses nothing and only waits to expire.
   */
  scope: SuppressionScope | 'legacy';
  /** The verified confirmation that created it (null when that alert is gone). */
  createdBy: Pick<AlertDoc, '_id' | 'outcome' | 'closedAt'> & {
    title: string;
    occurredAt: string;
    justification?: string;
  };
}

/**
 * One suppression per employee, alert type and fingerprint: found by _id. The employee is their key
 * (shared/employee-key.ts), which is the Slack id for anyone with Slack: suppressions stored before
 * email keys keep their ids and are still found.
 */
export function suppressionId(employeeKey: string, alertType: string, fingerprint: string): string {
  return `${employeeKey}:${alertType}:${fingerprint}`;
}

/** The employee fields a suppression document names its employee by. */
export function suppressionEmployee(employeeKey: string): Pick<SuppressionDoc, 'slackUserId' | 'email'> {
  const email = emailOfKey(employeeKey);
  return email ? { email } : { slackUserId: slackIdOfKey(employeeKey)! };
}

/** The employee key of a stored suppression. */
export function suppressionKey(s: Pick<SuppressionDoc, 'slackUserId' | 'email'>): string {
  return s.slackUserId ?? emailKey(s.email!);
}

/** The suppressions collection as operators see it: each with the alert that created it. */
export function suppressionStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    /** Live suppressions (all, with `all`), newest first, each joined to its alert by _id. */
    async list(opts: { all?: boolean } = {}): Promise<SuppressionView[]> {
      const at = now();
      // The collection is small (one document per employee × type × fingerprint); filtered in Node.
      const docs = (await c.suppressions.find({}).toArray())
        .filter((s) => opts.all || (s.expiresAt > at && !s.revokedAt))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      const ids = [...new Set(docs.map((d) => d.createdByAlertId))];
      const alerts = await c.alerts
        .find({ _id: { $in: ids } }, { projection: { input: 1, outcome: 1, closedAt: 1, transcript: 1 } })
        .toArray();
      const byId = new Map(alerts.map((a) => [a._id, a]));
      return docs.map((s) => {
        const alert = byId.get(s.createdByAlertId);
        return {
          ...s,
          scope: s.scope ?? 'legacy',
          state: s.revokedAt ? 'revoked' : s.expiresAt > at ? 'live' : 'expired',
          createdBy: {
            _id: s.createdByAlertId,
            outcome: alert?.outcome ?? null,
            closedAt: alert?.closedAt,
            title: alert?.input.title ?? '(alert no longer stored)',
            occurredAt: alert?.input.occurredAt ?? '',
            justification: alert && eventsOfKind(alert.transcript, 'employee_answer')[0]?.justification,
          },
        };
      });
    },

    /** The suppression of one scope, by _id (FerretDB scans the collection for any other filter). */
    async get(id: string): Promise<SuppressionDoc | null> {
      return c.suppressions.findOne({ _id: id });
    },

    /**
     * Makes the suppression of a scope: the newest verified confirmation replaces the previous one (and any
     * revocation of it); a retry overwrites it again.
     */
    async put(s: Omit<SuppressionDoc, '_id' | 'revokedAt' | 'revokedBy' | 'revokeNote'>): Promise<string> {
      const id = suppressionId(suppressionKey(s), s.alertType, s.fingerprint);
      // A window's suppression replacing a snooze is no snooze any more.
      const unset = {
        revokedAt: '',
        revokedBy: '',
        revokeNote: '',
        ...(s.snooze ? {} : { snooze: '' as const }),
      } as const;
      await c.suppressions.updateOne({ _id: id }, { $set: s, $unset: unset }, { upsert: true });
      return id;
    },

    /** Ends a suppression now (the document stays, marked revoked); returns it as it was before. */
    async revoke(id: string, by: string, note?: string): Promise<SuppressionDoc | null> {
      const at = now();
      return c.suppressions.findOneAndUpdate(
        { _id: id },
        { $set: { revokedAt: at, revokedBy: by, expiresAt: at, ...(note ? { revokeNote: note } : {}) } },
        { returnDocument: 'before' },
      );
    },
  };
}
