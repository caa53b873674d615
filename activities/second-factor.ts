import type { Collections } from '../store/collections';
import { open } from '../lib/secret-box';
import { insertOnce } from '../store/mongo';
import { matchingStep } from '../lib/totp';

/**
 * Verifies a TOTP code for an employee. The secret is decrypted only here, a code is accepted at most
 * once (its time step is claimed with a unique insert, so even two racing workers cannot both accept
 * it, and the last accepted step moves forward so older codes are refused), and consecutive failures lock the employee out for a growing time, stored in MongoDB.
 */
export type VerifyOutcome = 'accepted' | 'rejected' | 'replayed' | 'locked' | 'not_enrolled' | 'unavailable';

export const LOCKOUT_AFTER_FAILURES = 5;
export const LOCKOUT_BASE_MS = 15 * 60_000;

export async function verifyTotp(
  c: Collections,
  key: Buffer | undefined,
  slackUserId: string,
  code: string,
  now: Date,
): Promise<{ outcome: VerifyOutcome; lockedUntil?: Date }> {
  const enrollment = (await c.secondFactors.findOne({ _id: slackUserId }))?.secondFactor;
  if (!enrollment?.active || !key) return { outcome: 'not_enrolled' };
  if (enrollment.lockedUntil && enrollment.lockedUntil > now)
    return { outcome: 'locked', lockedUntil: enrollment.lockedUntil };

  const step = matchingStep(open(key, enrollment.box, slackUserId), code, now.getTime());
  if (
    step !== null &&
    step > enrollment.lastStep &&
    (await claimStep(c, slackUserId, enrollment.enrolledAt, step, now))
  ) {
    // Older codes still inside the window are spent too: their steps are claimed as well.
    for (const older of [step - 1, step - 2])
      await claimStep(c, slackUserId, enrollment.enrolledAt, older, now);
    // And the last accepted step moves forward. On MongoDB this conditional update is atomic; FerretDB
    // v1 applies updates as unisolated read-modify-writes (a concurrent $inc of the failure count can
    // undo it), which is why the unique-insert claims above are what refuse a used or older code.
    await c.secondFactors.updateOne(
      { _id: slackUserId, 'secondFactor.lastStep': { $lt: step } },
      { $set: { 'secondFactor.lastStep': step, 'secondFactor.failures': 0, updatedAt: now } },
    );
    return { outcome: 'accepted' };
  }
  const lockedUntil = await recordFailure(c, slackUserId, now);
  return { outcome: step === null ? 'rejected' : 'replayed', lockedUntil };
}

/** Claims a time step for an employee: true for the first claim only, even across workers. */
async function claimStep(
  c: Collections,
  slackUserId: string,
  enrolledAt: Date,
  step: number,
  now: Date,
): Promise<boolean> {
  return insertOnce(c.usedCodes, { _id: `${slackUserId}:${enrolledAt.getTime()}:${step}`, at: now });
}

async function recordFailure(c: Collections, slackUserId: string, now: Date): Promise<Date | undefined> {
  const after = await c.secondFactors.findOneAndUpdate(
    { _id: slackUserId },
    { $inc: { 'secondFactor.failures': 1 }, $set: { updatedAt: now } },
    { returnDocument: 'after' },
  );
  const sf = after?.secondFactor;
  if (!sf || sf.failures < LOCKOUT_AFTER_FAILURES) return undefined;
  const lockedUntil = new Date(now.getTime() + LOCKOUT_BASE_MS * 2 ** Math.min(sf.lockouts, 6));
  await c.secondFactors.updateOne(
    { _id: slackUserId, 'secondFactor.failures': sf.failures },
    {
      $set: { 'secondFactor.failures': 0, 'secondFactor.lockedUntil': lockedUntil },
      $inc: { 'secondFactor.lockouts': 1 },
    },
  );
  return lockedUntil;
}
