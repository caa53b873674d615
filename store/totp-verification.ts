import type { Collections, SecondFactorEnrollment } from './collections';
import { open } from '../lib/secret-box';
import { claimSlot } from './claims';
import { insertOnce } from './mongo';
import { matchingStep } from '../lib/totp';

/**
 * Verifies a TOTP code for an employee. The secret is decrypted only here, a code is accepted at most
 * once (its time step is claimed with a unique insert, so even two racing workers cannot both accept
 * it, and the last accepted step moves forward so older codes are refused), and failures lock the
 * employee out for a growing time, stored in MongoDB.
 *
 * The lockout holds under races: before a code is checked, one of 5 numbered attempt slots of the
 * employee's current attempt window is claimed with a unique insert, so however many alerts, workers
 * and bot replicas check codes at once, at most 5 codes are checked per window. The window is named by
 * what ends it (an accepted code, a lockout, an operator's unlock), so it needs no counter that
 * FerretDB v1's unisolated updates could lose. The one attempt that takes the last slot and fails
 * writes the lock; everyone else finding the slots taken is refused as locked.
 */
export type VerifyOutcome = 'accepted' | 'rejected' | 'replayed' | 'locked' | 'not_enrolled' | 'unavailable';

export const LOCKOUT_AFTER_FAILURES = 5;
export const LOCKOUT_BASE_MS = 15 * 60_000;
/** A last-slot holder that has not written the lock after this long has crashed: anyone may write it. */
const STALE_LAST_ATTEMPT_MS = 60_000;

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

  const window = attemptWindow(slackUserId, enrollment);
  const slot = await claimSlot(c.claims, window, LOCKOUT_AFTER_FAILURES, now);
  if (slot === null)
    return { outcome: 'locked', lockedUntil: await lockIfAbandoned(c, window, slackUserId, enrollment, now) };

  const step = matchingStep(open(key, enrollment.box, slackUserId), code, now.getTime());
  if (
    step !== null &&
    step > enrollment.lastStep &&
    (await claimStep(c, slackUserId, enrollment.enrolledAt, step, now))
  ) {
    // Older codes still inside the window are spent too: their steps are claimed as well.
    for (const older of [step - 1, step - 2])
      await claimStep(c, slackUserId, enrollment.enrolledAt, older, now);
    // The last accepted step moves forward, which also opens a fresh attempt window. The unique-insert
    // claims above, not this update, are what refuse a used or older code. Forward only by the read
    // above (step > lastStep), not by the filter (FerretDB scans for any filter but _id): two codes
    // accepted at once could leave the older step, which refuses nothing more and reopens no spent slot.
    await c.secondFactors.updateOne(
      { _id: slackUserId },
      { $set: { 'secondFactor.lastStep': step, 'secondFactor.failures': 0, updatedAt: now } },
    );
    return { outcome: 'accepted' };
  }
  const outcome = step === null ? 'rejected' : 'replayed';
  if (slot < LOCKOUT_AFTER_FAILURES - 1) return { outcome };
  return { outcome, lockedUntil: await lock(c, slackUserId, enrollment, now) };
}

/** The claim key of the employee's current attempt window; it changes when a code is accepted, a lockout is written or an operator unlocks. */
function attemptWindow(slackUserId: string, sf: SecondFactorEnrollment): string {
  return `attempts:${slackUserId}:${sf.enrolledAt.getTime()}:${sf.lastStep}:${sf.lockouts}:${sf.unlocks ?? 0}`;
}

async function lock(
  c: Collections,
  slackUserId: string,
  sf: SecondFactorEnrollment,
  now: Date,
): Promise<Date> {
  const lockedUntil = new Date(now.getTime() + LOCKOUT_BASE_MS * 2 ** Math.min(sf.lockouts, 6));
  await c.secondFactors.updateOne(
    { _id: slackUserId, 'secondFactor.lockouts': sf.lockouts, 'secondFactor.enrolledAt': sf.enrolledAt },
    {
      $set: { 'secondFactor.failures': 0, 'secondFactor.lockedUntil': lockedUntil, updatedAt: now },
      $inc: { 'secondFactor.lockouts': 1 },
    },
  );
  return lockedUntil;
}

/** All slots taken: the last one's holder writes the lock, unless it died before doing so. */
async function lockIfAbandoned(
  c: Collections,
  window: string,
  slackUserId: string,
  sf: SecondFactorEnrollment,
  now: Date,
): Promise<Date | undefined> {
  const last = await c.claims.findOne({ _id: `${window}:${LOCKOUT_AFTER_FAILURES - 1}` });
  if (!last || now.getTime() - last.at.getTime() < STALE_LAST_ATTEMPT_MS) return undefined;
  return lock(c, slackUserId, sf, now);
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
