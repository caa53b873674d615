import { createHash } from 'node:crypto';
import type { AlertInput } from '../shared/alert';
import { type Policy, type SuppressionScope, suppressionScope } from '../shared/policy';

/**
 * The fingerprint of "the same activity". A verified confirmation suppresses later alerts with the
 * same employee and fingerprint, so the fingerprint decides how far one "yes" reaches:
 * - `details` (the default): the type and every non-sensitive detail, key and value;
 * - `keys`: the type and the values of the keys the policy names;
 * - `type`: the type alone (only when a policy writes it out).
 * It starts with its scope (`details-…`), which `vouch suppressions list` shows. Fingerprints made
 * before scopes existed have no such prefix, so none of them is found by a lookup any more.
 */
export function alertFingerprint(
  alert: AlertInput,
  suppression: Pick<Policy['suppression'], 'scope' | 'keys'>,
): string {
  const scope = suppressionScope(suppression);
  const hidden = new Set(alert.sensitiveKeys);
  const keys =
    scope === 'type'
      ? []
      : scope === 'keys'
        ? suppression.keys
        : Object.keys(alert.details).filter((k) => !hidden.has(k));
  // JSON for keys and values: no key or value can pose as a separator, and 1 differs from "1".
  const parts = [...new Set(keys)]
    .sort()
    .map(
      (k) =>
        `${JSON.stringify(k)}=${JSON.stringify(Object.hasOwn(alert.details, k) ? alert.details[k] : null)}`,
    );
  const hash = createHash('sha256')
    .update(`${scope}\n${alert.type}\n${parts.join('\n')}`)
    .digest('hex')
    .slice(0, 32);
  return `${scope}-${hash}`;
}

/** The scope a stored fingerprint was made with; `legacy` for one made before scopes existed. */
export function fingerprintScope(fingerprint: string): SuppressionScope | 'legacy' {
  const prefix = /^(details|keys|type)-/.exec(fingerprint)?.[1];
  return (prefix as SuppressionScope | undefined) ?? 'legacy';
}
