import { createHash } from 'node:crypto';
import type { AlertInput } from '../shared/alert';

/**
 * The fingerprint of "the same activity": the alert type and the values of the policy's chosen detail
 * keys. A verified confirmation suppresses later alerts with the same employee and fingerprint.
 */
export function alertFingerprint(alert: AlertInput, keys: string[]): string {
  const parts = [...keys].sort().map((k) => `${k}=${JSON.stringify(alert.details[k] ?? null)}`);
  return createHash('sha256')
    .update(`${alert.type}\n${parts.join('\n')}`)
    .digest('hex')
    .slice(0, 32);
}
