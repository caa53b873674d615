import { randomUUID } from 'node:crypto';
import type { Collections, FactorEventDoc, SecondFactorEnrollment } from './collections';
import { keyId, open, seal } from '../lib/secret-box';
import { generateSecret, matchingStep, otpauthUri } from '../lib/totp';
import { emailOfKey, employeeKey, slackIdOfKey } from '../shared/employee-key';

/**
 * Second-factor enrollments: begin (a new secret, sealed, inactive), confirm (a first valid code makes
 * it active), reset, revoke, list and key rotation. The secret is in plaintext only in the return value
 * of begin(), for the operator or the enrollment page to show once. Every change is recorded in
 * `factor_events` with who made it. Factors are kept by employee key (shared/employee-key.ts): the
 * Slack user id, or `email:<address>` for someone the directory knows only by email.
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
  factor: 'totp';
  /** The employee key: the Slack user id, or `email:<address>`. */
  employee: string;
  /** Absent for an employee without Slack. */
  slackUserId?: string;
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
      employee: { slackUserId?: string; email?: string; name?: string },
      actor: string,
      now: Date,
      opts: { replace?: 'now' | 'when_confirmed' } = {},
    ): Promise<{ secret: string; uri: string; enrolledAt: Date }> {
      const k = requireKey(key);
      const id = employeeKey(employee);
      if (!id) throw new EnrollmentError('the employee needs a Slack user id or an email');
      const existing = await c.secondFactors.findOne({ _id: id });
      const active = existing?.secondFactor?.active === true;
      if (active && !opts.replace)
        throw new EnrollmentError(
          `${label(employee)} already has an active second factor: use "vouch factor reset" to replace it`,
        );
      const secret = generateSecret();
      const box = seal(k, secret, id);
      // The profile (email, name) lives with the employee; the factor in a document of its own. (Someone
      // without Slack has their profile in the directory.)
      if (employee.slackUserId && (employee.email || employee.name))
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
        { _id: id },
        keepActive
          ? { $set: { pendingSecondFactor: { box, enrolledAt: now, enrolledBy: actor }, updatedAt: now } }
          : { $set: { secondFactor: enrollment, updatedAt: now }, $unset: { pendingSecondFactor: '' } },
        { upsert: true },
      );
      await record({
        slackUserId: id,
        action: existing?.secondFactor ? 'reset' : 'enrolled',
        actor,
        at: now,
        ...(keepActive ? { detail: 'the current factor works until the new one is confirmed' } : {}),
      });
      return { secret, uri: otpauthUri(secret, employee.email ?? id), enrolledAt: now };
    },

    /**
     * Activates the pending enrollment (or replacement) with a first valid code. The code's time step
     * becomes the last accepted one, so the confirming code cannot answer an interview. `enrolledAt`
     * ties the confirmation to the secret that was shown (a newer enrollment must be confirmed itself).
     */
    async confirm(
      employee: string,
      code: string,
      actor: string,
      now: Date,
      opts: { enrolledAt?: Date } = {},
    ): Promise<void> {
      const k = requireKey(key);
      const doc = await c.secondFactors.findOne({ _id: employee });
      const sf = doc?.secondFactor;
      const pending = doc?.pendingSecondFactor ?? (sf && !sf.active ? sf : undefined);
      if (!pending)
        throw new EnrollmentError(
          sf
            ? `${employee}'s second factor is already active`
            : `${employee} has no second factor: enroll them first`,
        );
      if (opts.enrolledAt && pending.enrolledAt.getTime() !== opts.enrolledAt.getTime())
        throw new EnrollmentError('a newer enrollment replaced this one: start again');
      const step = matchingStep(open(k, pending.box, employee), code.trim(), now.getTime());
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
        { _id: employee, [field]: pending.box },
        { $set: { secondFactor: activated, updatedAt: now }, $unset: { pendingSecondFactor: '' } },
      );
      if (done.modifiedCount !== 1)
        throw new EnrollmentError('the enrollment changed while confirming it: start again');
      await record({ slackUserId: employee, action: 'confirmed', actor, at: now });
    },

    async revoke(employee: string, actor: string, now: Date, reason?: string): Promise<void> {
      const done = await c.secondFactors.updateOne(
        { _id: employee, secondFactor: { $exists: true } },
        { $unset: { secondFactor: '', pendingSecondFactor: '' }, $set: { updatedAt: now } },
      );
      if (done.modifiedCount !== 1) throw new EnrollmentError(`${employee} has no second factor to revoke`);
      await record({ slackUserId: employee, action: 'revoked', actor, at: now, detail: reason });
    },

    /** Clears a lockout and the failure count (the enrollment itself is unchanged). */
    async unlock(employee: string, actor: string, now: Date): Promise<void> {
      const done = await c.secondFactors.updateOne(
        { _id: employee, secondFactor: { $exists: true } },
        {
          $set: { 'secondFactor.failures': 0, updatedAt: now },
          $unset: { 'secondFactor.lockedUntil': '' },
          $inc: { 'secondFactor.unlocks': 1 },
        },
      );
      if (done.matchedCount !== 1) throw new EnrollmentError(`${employee} has no second factor`);
      await record({ slackUserId: employee, action: 'unlocked', actor, at: now });
    },

    async isActive(employee: string): Promise<boolean> {
      return (await c.secondFactors.findOne({ _id: employee }))?.secondFactor?.active === true;
    },

    /** Whether the employee has any factor that can answer an interview: an active TOTP or a passkey. */
    async hasAny(employee: string): Promise<boolean> {
      if ((await c.secondFactors.findOne({ _id: employee }))?.secondFactor?.active === true) return true;
      return (await c.passkeys.countDocuments({ employee }, { limit: 1 })) > 0;
    },

    async list(now: Date): Promise<FactorListing[]> {
      const docs = await c.secondFactors.find({ secondFactor: { $exists: true } }).toArray();
      const profiles = await Promise.all(docs.map((d) => profileOf(c, d._id)));
      return docs
        .map((d, i) => ({ ...d, profile: profiles[i]! }))
        .filter((d): d is typeof d & { secondFactor: SecondFactorEnrollment } => !!d.secondFactor)
        .map((d) => ({
          factor: 'totp' as const,
          employee: d._id,
          ...d.profile,
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
        .sort((a, b) => (a.email ?? a.employee).localeCompare(b.email ?? b.employee));
    },

    async history(employee: string): Promise<FactorEventDoc[]> {
      const events = await c.factorEvents.find({ slackUserId: employee }).toArray();
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

function label(e: { slackUserId?: string; email?: string }): string {
  if (!e.slackUserId) return e.email ?? '?';
  return e.email ? `${e.email} (${e.slackUserId})` : e.slackUserId;
}

/** Who an employee key names, as Vouch knows them: Slack's cached profile, or the directory's entry. */
export async function profileOf(
  c: Collections,
  employee: string,
): Promise<{ slackUserId?: string; email?: string; name?: string }> {
  const slackUserId = slackIdOfKey(employee);
  if (slackUserId) {
    const doc = await c.employees.findOne({ _id: slackUserId });
    return { slackUserId, email: doc?.email, name: doc?.name };
  }
  const email = emailOfKey(employee)!;
  const entry = await c.directory.findOne({ _id: email });
  return { email, name: entry?.name };
}

export function requireKey(key: Buffer | undefined): Buffer {
  if (!key || key.length !== 32)
    throw new EnrollmentError(
      'VOUCH_ENCRYPTION_KEY is missing: set it to the key the worker uses (with npm start: the one in data/encryption.key)',
    );
  return key;
}
