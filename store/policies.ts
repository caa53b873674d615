import { DEFAULT_POLICY, type Policy, policySchema } from '../shared/policy';
import type { PolicySettings } from '../shared/policy-file';
import type { Collections, PolicyDoc } from './collections';

/** The policies collection: one document per alert type (`_id`), or "default", holding its settings. */
export function policyStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    async list(): Promise<PolicyDoc[]> {
      return (await c.policies.find({}).toArray()).sort((a, b) => a._id.localeCompare(b._id));
    },

    async get(alertType: string): Promise<PolicyDoc | null> {
      return c.policies.findOne({ _id: alertType });
    },

    /** The stored policy becomes exactly `settings` (fields left out go back to their defaults). */
    async set(
      alertType: string,
      settings: PolicySettings,
      updatedBy: string,
    ): Promise<'created' | 'replaced' | 'unchanged'> {
      const stored = await c.policies.findOne({ _id: alertType });
      if (stored && canonical(policySettings(stored)) === canonical(settings)) return 'unchanged';
      const result = await c.policies.replaceOne(
        { _id: alertType },
        { ...settings, updatedAt: now(), updatedBy },
        { upsert: true },
      );
      return result.upsertedCount === 1 ? 'created' : 'replaced';
    },

    /**
     * The policy an alert of `alertType` gets: its type's, else "default", else the built-in default.
     * A stored policy that no longer validates is skipped (and reported through `onInvalid`).
     */
    async resolve(
      alertType: string,
      onInvalid: (id: string, problems: unknown) => void = () => {},
    ): Promise<{ policy: Policy; source: string; id?: string }> {
      const docs = await c.policies.find({ _id: { $in: [alertType, 'default'] } }).toArray();
      for (const id of [alertType, 'default']) {
        const doc = docs.find((d) => d._id === id);
        if (!doc) continue;
        const parsed = policySchema.safeParse(policySettings(doc));
        if (parsed.success) return { policy: parsed.data, source: `policies/${id}`, id };
        onInvalid(id, parsed.error.issues);
      }
      return { policy: DEFAULT_POLICY, source: 'built-in default' };
    },

    async delete(alertType: string): Promise<boolean> {
      return (await c.policies.deleteOne({ _id: alertType })).deletedCount === 1;
    },
  };
}

export type PolicyStore = ReturnType<typeof policyStore>;

/** A stored policy without its bookkeeping fields: the settings as the operator wrote them. */
export function policySettings(doc: PolicyDoc): PolicySettings {
  const { _id, updatedAt: _a, updatedBy: _b, ...settings } = doc;
  return settings;
}

/** JSON with sorted keys, so two equal policies compare equal whatever order their fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
