import { randomUUID } from 'node:crypto';
import type { Collections, FactorEventDoc, SecondFactorEnrollment } from './collections';
import { keyId, open, seal } from '../lib/secret-box';
import { generateSecret, matchingStep, otpauthUri } from '../lib/totp';

/**
 * Second-factor enrollments: begin (a new secret, sealed, inactive), confirm (a first valid code makes
 * it active), reset, revoke, list and key rotation. The secret is in plaintext only in the return value
 * of begin(), for the operator or the enrollment page to show once. Every change is recorded in
 * `factor_events` with who made it.
 */
export class EnrollmentError extends Error {
  override readonly name = 'UsageError';
}

/** Exit code 1, not 2: nothing was wrong with the input, the data moved under the rotation. */
export class RotationInterruptedError extends Error {
  override readonly name = 'RotationInterruptedError';
}

export type FactorStatus = 'pending' | 'active' | 'locked';

export interface FactorListing {
  slackUserId: string;
  email?: string;
  name?: string;
  status: FactorStatus;
  keyId: string;
  enrolledAt: Date;
  enrolledBy: string;
  confirmedAt?: Date;
  lockedUntil?: Date;
  /** A replacement enrolled through /vouch enroll waits for its first code; the current one still works. */
  replacementPending: boolean;
}

export function secondFactors(c: Collections, key: Buffer | undefined) {
  const record = (event: Omit<FactorEventDoc, '_id'>) =>
    c.factorEvents.insertOne({ _id: randomUUID(), ...event });

  return {
    /**
     * Creates a pending enrollment and returns the secret to show once. With an active factor,
     * `replace` decides: "now" (a lost phone: the old factor stops working at once) or
     * "when_confirmed" (the old factor keeps working until the new one is confirmed).
     */
    async begin(
      employee: { slackUserId: string; email?: string; name?: string },
      actor: string,
      now: Date,
      opts: { replace?: 'now' | 'when_confirmed' } = {},
    ): Promise<{ secret: string; uri: string; enrolledAt: Date }> {
      const k = requireKey(key);
      const existing = await c.secondFactors.findOne({ _id: employee.slackUserId });
      const active = existing?.secondFactor?.active === true;
      if (active && !opts.replace)
        throw new EnrollmentError(
          `${label(employee)} already has an active second factor: use "vouch factor reset" to replace it`,
        );
      const secret = generateSecret();
      const box = seal(k, secret, employee.slackUserId);
      // The profile (email, name) lives with the employee; the factor in a document of its own.
      if (employee.email || employee.name)
        await c.employees.updateOne(
          { _id: employee.slackUserId },
          {
            $set: {
              updatedAt: now,
              ...(employee.email ? { email: employee.email.toLowerCase() } : {}),
              ...(employee.name ? { name: employee.name } : {}),
            },
          },
          { upsert: true },
        );
      const keepActive = active && opts.replace === 'when_confirmed';
      const enrollment: SecondFactorEnrollment = {
        box,
        active: false,
        enrolledAt: now,
        enrolledBy: actor,
        lastStep: -1,
        failures: 0,
        lockouts: 0,
      };
      await c.secondFactors.updateOne(
        { _id: employee.slackUserId },
        keepActive
          ? { $set: { pendingSecondFactor: { box, enrolledAt: now, enrolledBy: actor }, updatedAt: now } }
          : { $set: { secondFactor: enrollment, updatedAt: now }, $unset: { pendingSecondFactor: '' } },
        { upsert: true },
      );
      await record({
        slackUserId: employee.slackUserId,
        action: existing?.secondFactor ? 'reset' : 'enrolled',
        actor,
        at: now,
        ...(keepActive ? { detail: 'the current factor works until the new one is confirmed' } : {}),
      });
      return { secret, uri: otpauthUri(secret, employee.email ?? employee.slackUserId), enrolledAt: now };
    },

    /**
     * Activates the pending enrollment (or replacement) with a first valid code. The code's time step
     * becomes the last accepted one, so the confirming code cannot answer an interview. `enrolledAt`
     * ties the confirmation to the secret that was shown (a newer enrollment must be confirmed itself).
     */
    async confirm(
      slackUserId: string,
      code: string,
      actor: string,
      now: Date,
      opts: { enrolledAt?: Date } = {},
    ): Promise<void> {
      const k = requireKey(key);
      const doc = await c.secondFactors.findOne({ _id: slackUserId });
      const sf = doc?.secondFactor;
      const pending = doc?.pendingSecondFactor ?? (sf && !sf.active ? sf : undefined);
      if (!pending)
        throw new EnrollmentError(
          sf
            ? `${slackUserId}'s second factor is already active`
            : `${slackUserId} has no second factor: enroll them first`,
        );
      if (opts.enrolledAt && pending.enrolledAt.getTime() !== opts.enrolledAt.getTime())
        throw new EnrollmentError('a newer enrollment replaced this one: start again');
      const step = matchingStep(open(k, pending.box, slackUserId), code.trim(), now.getTime());
      if (step === null)
        throw new EnrollmentError(
          'the code does not match: check the phone clock and enter the current 6-digit code',
        );
      const activated: SecondFactorEnrollment = {
        box: pending.box,
        active: true,
        enrolledAt: pending.enrolledAt,
        enrolledBy: pending.enrolledBy,
        confirmedAt: now,
        lastStep: step,
        failures: 0,
        lockouts: 0,
      };
      const field = doc?.pendingSecondFactor ? 'pendingSecondFactor.box' : 'secondFactor.box';
      // Only the enrollment that was checked is activated (a concurrent reset wins).
      const done = await c.secondFactors.updateOne(
        { _id: slackUserId, [field]: pending.box },
        { $set: { secondFactor: activated, updatedAt: now }, $unset: { pendingSecondFactor: '' } },
      );
      if (done.modifiedCount !== 1)
        throw new EnrollmentError('the enrollment changed while confirming it: start again');
      await record({ slackUserId, action: 'confirmed', actor, at: now });
    },

    async revoke(slackUserId: string, actor: string, now: Date, reason?: string): Promise<void> {
      const done = await c.secondFactors.updateOne(
        { _id: slackUserId, secondFactor: { $exists: true } },
        { $unset: { secondFactor: '', pendingSecondFactor: '' }, $set: { updatedAt: now } },
      );
      if (done.modifiedCount !== 1)
        throw new EnrollmentError(`${slackUserId} has no second factor to revoke`);
      await record({ slackUserId, action: 'revoked', actor, at: now, detail: reason });
    },

    /** Clears a lockout and the failure count (the enrollment itself is unchanged). */
    async unlock(slackUserId: string, actor: string, now: Date): Promise<void> {
      const done = await c.secondFactors.updateOne(
        { _id: slackUserId, secondFactor: { $exists: true } },
        {
          $set: { 'secondFactor.failures': 0, updatedAt: now },
          $unset: { 'secondFactor.lockedUntil': '' },
          $inc: { 'secondFactor.unlocks': 1 },
        },
      );
      if (done.matchedCount !== 1) throw new EnrollmentError(`${slackUserId} has no second factor`);
      await record({ slackUserId, action: 'unlocked', actor, at: now });
    },

    async isActive(slackUserId: string): Promise<boolean> {
      return (await c.secondFactors.findOne({ _id: slackUserId }))?.secondFactor?.active === true;
    },

    async list(now: Date): Promise<FactorListing[]> {
      const docs = await c.secondFactors.find({ secondFactor: { $exists: true } }).toArray();
      const profiles = await Promise.all(docs.map((d) => c.employees.findOne({ _id: d._id })));
      return docs
        .map((d, i) => ({ ...d, profile: profiles[i] }))
        .filter((d): d is typeof d & { secondFactor: SecondFactorEnrollment } => !!d.secondFactor)
        .map((d) => ({
          slackUserId: d._id,
          email: d.profile?.email,
          name: d.profile?.name,
          status: statusOf(d.secondFactor, now),
          keyId: d.secondFactor.box.split('.')[1] ?? '?',
          enrolledAt: d.secondFactor.enrolledAt,
          enrolledBy: d.secondFactor.enrolledBy,
          confirmedAt: d.secondFactor.confirmedAt,
          replacementPending: d.pendingSecondFactor !== undefined,
          lockedUntil:
            d.secondFactor.lockedUntil && d.secondFactor.lockedUntil > now
              ? d.secondFactor.lockedUntil
              : undefined,
        }))
        .sort((a, b) => (a.email ?? a.slackUserId).localeCompare(b.email ?? b.slackUserId));
    },

    async history(slackUserId: string): Promise<FactorEventDoc[]> {
      const events = await c.factorEvents.find({ slackUserId }).toArray();
      return events.sort((a, b) => a.at.getTime() - b.at.getTime());
    },

    /**
     * Re-encrypts every secret under `newKey`. Boxes already under the new key are skipped, so an
     * interrupted rotation is finished by running it again with the same keys.
     */
    async rotate(
      newKey: Buffer,
      actor: string,
      now: Date,
      onProgress: (done: number, total: number) => void = () => {},
    ): Promise<{ rotated: number; alreadyRotated: number }> {
      const oldKey = requireKey(key);
      const target = keyId(requireKey(newKey));
      if (target === keyId(oldKey))
        throw new EnrollmentError('the new key is the current key: make a new one (openssl rand -base64 32)');
      const docs = await c.secondFactors
        .find(
          { secondFactor: { $exists: true } },
          { projection: { 'secondFactor.box': 1, 'pendingSecondFactor.box': 1 } },
        )
        .toArray();
      let rotated = 0;
      let alreadyRotated = 0;
      for (const [i, d] of docs.entries()) {
        // The active secret and, if one waits for its first code, the replacement.
        for (const field of ['secondFactor', 'pendingSecondFactor'] as const) {
          const box = d[field]?.box;
          if (!box) continue;
          if (box.split('.')[1] === target) {
            alreadyRotated++;
            continue;
          }
          const resealed = seal(newKey, open(oldKey, box, d._id), d._id);
          const done = await c.secondFactors.updateOne(
            { _id: d._id, [`${field}.box`]: box },
            { $set: { [`${field}.box`]: resealed, updatedAt: now } },
          );
          if (done.modifiedCount !== 1)
            throw new RotationInterruptedError(
              `${d._id}'s enrollment changed during the rotation: run the same command again`,
            );
          rotated++;
        }
        onProgress(i + 1, docs.length);
      }
      await record({
        slackUserId: '*',
        action: 'rotated',
        actor,
        at: now,
        detail: `${keyId(oldKey)} -> ${target}: ${rotated} re-encrypted, ${alreadyRotated} already under it`,
      });
      return { rotated, alreadyRotated };
    },
  };
}

export type SecondFactors = ReturnType<typeof secondFactors>;

function statusOf(sf: SecondFactorEnrollment, now: Date): FactorStatus {
  if (!sf.active) return 'pending';
  return sf.lockedUntil && sf.lockedUntil > now ? 'locked' : 'active';
}

function label(e: { slackUserId: string; email?: string }): string {
  return e.email ? `${e.email} (${e.slackUserId})` : e.slackUserId;
}

export function requireKey(key: Buffer | undefined): Buffer {
  if (!key || key.length !== 32)
    throw new EnrollmentError(
      'VOUCH_ENCRYPTION_KEY is missing: set it to the key the worker uses (with npm start: the one in data/encryption.key)',
    );
  return key;
}
