import { createHash } from 'node:crypto';

/**
 * What the store keeps of a one-time token (a link's, a proof's, a browser cookie's): its SHA-256, in
 * hex. The token itself has 256 random bits, so no salt or slow hash is needed to keep it unguessable.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
