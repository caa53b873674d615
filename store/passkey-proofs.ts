import { randomBytes } from 'node:crypto';
import { hashToken } from '../lib/token-hash';
import type { Collections } from './collections';
import { insertOnce } from './mongo';

/**
 * A proof that the employee passed a passkey check for one interview, redeemable once. The answer page
 * (or any page that verified an assertion with store/passkey-ceremonies.ts) gets a proof token and
 * submits it to the workflow exactly as it would a TOTP code: sealed by the bot (shared/sealed-code.ts)
 * in `submitSecondFactor`. The `verifySecondFactor` activity recognises the prefix, redeems the proof
 * (for that workflow and employee, within 5 minutes, once: a unique insert in `claims`) and reports
 * `accepted`, so the workflow, its attempt limits and its record work the same for both factors and
 * no workflow code changed. Only the hash of the token is stored.
 */
export const PROOF_PREFIX = 'pk1';
export const PROOF_TTL_MS = 5 * 60_000;

export function passkeyProofs(c: Collections) {
  return {
    async issue(
      proof: { workflowId: string; employee: string; credentialId: string },
      now: Date,
    ): Promise<string> {
      // 22 random bytes: the sealed form stays within the code's sealed shape (SEALED_CODE_PATTERN).
      const token = `${PROOF_PREFIX}${randomBytes(22).toString('base64url')}`;
      await c.passkeyProofs.insertOne({
        _id: hashToken(token),
        ...proof,
        createdAt: now,
        expiresAt: new Date(now.getTime() + PROOF_TTL_MS),
      });
      return token;
    },

    /** Spends a proof for this interview and employee: 'accepted' once, then 'replayed'. */
    async redeem(
      token: string,
      expected: { workflowId: string; employee: string },
      now: Date,
    ): Promise<'accepted' | 'rejected' | 'replayed'> {
      const proof = await c.passkeyProofs.findOne({ _id: hashToken(token) });
      if (!proof || proof.workflowId !== expected.workflowId || proof.employee !== expected.employee)
        return 'rejected';
      if (proof.expiresAt <= now) return 'rejected';
      return (await insertOnce(c.claims, { _id: `passkey-proof:${proof._id}`, at: now }))
        ? 'accepted'
        : 'replayed';
    },
  };
}

export function isPasskeyProof(code: string): boolean {
  return code.startsWith(PROOF_PREFIX);
}
