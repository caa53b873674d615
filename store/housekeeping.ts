import type { Collections } from './collections';

/**
 * Deletes claims that can no longer matter (FerretDB has no TTL index, so nothing expires by itself):
 * a TOTP step is only ever accepted within ±1 step of now, so a used step older than 10 minutes can
 * never be presented again; enrollment-link claims (binding, tries, decisions) outlive every link,
 * which lasts at most 15 minutes plus 15 after approval, when they are a day old; so do second-factor
 * attempt slots (a lockout lasts at most 16 hours) and the thread-message limits' slots. Passkey
 * challenges and proofs are refused once expired (minutes), so they go an hour after; so does a
 * follow-up question waiting in a Teams chat (no message answers it once its time is up), whose
 * document its interview leaves behind when it ends without closing its conversation.
 */
export const USED_CODE_TTL_MS = 10 * 60_000;
export const CLAIM_TTL_MS = 24 * 3600_000;

export async function pruneSpentClaims(
  c: Collections,
  now: Date,
): Promise<{ usedCodes: number; claims: number; passkeyChallenges: number; teamsFollowUps: number }> {
  const anHourAgo = new Date(now.getTime() - 3600_000);
  const expired = { expiresAt: { $lt: anHourAgo } };
  const [codes, claims, challenges, proofs, followUps] = await Promise.all([
    c.usedCodes.deleteMany({ at: { $lt: new Date(now.getTime() - USED_CODE_TTL_MS) } }),
    c.claims.deleteMany({ at: { $lt: new Date(now.getTime() - CLAIM_TTL_MS) } }),
    c.passkeyChallenges.deleteMany(expired),
    c.passkeyProofs.deleteMany(expired),
    c.teamsFollowUps.deleteMany({ until: { $lt: anHourAgo } }),
  ]);
  return {
    usedCodes: codes.deletedCount,
    claims: claims.deletedCount,
    passkeyChallenges: challenges.deletedCount + proofs.deletedCount,
    teamsFollowUps: followUps.deletedCount,
  };
}
