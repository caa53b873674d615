import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Collections, EnrollmentLinkDoc } from './collections';

/**
 * Single-use enrollment links for `/vouch enroll`. Slack carries only the link; the secret is shown on
 * a page served by Vouch, once, to the first browser that opened the link, and only after an operator
 * has checked the pairing code that browser shows (or the employee has entered a code from a factor
 * they already have). Only a hash of the link's token is stored.
 */
export const LINK_TTL_MS = 15 * 60_000;
export const MAX_PAIRING_ATTEMPTS = 3;

export type LinkView =
  | { state: 'missing' | 'expired' | 'used' | 'denied' }
  | { state: 'other_browser' }
  | { state: 'awaiting_approval'; link: EnrollmentLinkDoc; pairingCode: string; firstOpen: boolean }
  | { state: 'approved'; link: EnrollmentLinkDoc }
  | { state: 'shown'; link: EnrollmentLinkDoc };

export function enrollmentLinks(c: Collections) {
  const byToken = (token: string) => c.enrollmentLinks.findOne({ _id: hash(token) });
  return {
    async create(slackUserId: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
      await c.enrollmentLinks.insertOne({
        _id: hash(token),
        slackUserId,
        state: 'created',
        createdAt: now,
        expiresAt,
        pairingAttempts: 0,
      });
      return { token, expiresAt };
    },

    /**
     * What the page at the link shows to this browser. The first browser to open it is bound to it
     * (by a cookie whose hash is stored) and gets a pairing code; any other browser is refused.
     */
    async open(
      token: string,
      browser: string | undefined,
      now: Date,
    ): Promise<LinkView & { cookie?: string }> {
      const link = await byToken(token);
      if (!link) return { state: 'missing' };
      if (link.state === 'done') return { state: 'used' };
      if (link.state === 'denied') return { state: 'denied' };
      if (link.expiresAt <= now) return { state: 'expired' };
      if (link.state === 'created') {
        const cookie = randomBytes(24).toString('base64url');
        const pairingCode = newPairingCode();
        await c.enrollmentLinks.updateOne(
          { _id: link._id },
          { $set: { state: 'awaiting_approval', browser: hash(cookie), pairingCode, openedAt: now } },
        );
        // Read back: if two browsers raced, only the one whose cookie was stored is bound.
        const stored = await c.enrollmentLinks.findOne({ _id: link._id });
        if (stored?.browser !== hash(cookie)) return { state: 'other_browser' };
        return { state: 'awaiting_approval', link: stored, pairingCode, firstOpen: true, cookie };
      }
      if (!browser || !link.browser || !sameHash(link.browser, hash(browser)))
        return { state: 'other_browser' };
      if (link.state === 'awaiting_approval')
        return { state: 'awaiting_approval', link, pairingCode: link.pairingCode ?? '', firstOpen: false };
      if (link.state === 'approved') return { state: 'approved', link };
      return { state: 'shown', link };
    },

    async get(linkId: string): Promise<EnrollmentLinkDoc | null> {
      return c.enrollmentLinks.findOne({ _id: linkId });
    },

    /**
     * An operator's approval, valid only with the pairing code the bound browser shows (read to the
     * operator over a trusted channel). Too many wrong codes deny the link.
     */
    async approve(
      linkId: string,
      pairingCode: string,
      operator: string,
      now: Date,
    ): Promise<'approved' | 'wrong_code' | 'denied' | 'not_waiting'> {
      const link = await c.enrollmentLinks.findOne({ _id: linkId });
      if (!link || link.state !== 'awaiting_approval' || link.expiresAt <= now) return 'not_waiting';
      const given = normalizePairingCode(pairingCode);
      if (link.pairingCode && given.length === link.pairingCode.length && sameHash(given, link.pairingCode)) {
        await c.enrollmentLinks.updateOne(
          { _id: linkId },
          { $set: { state: 'approved', approvedBy: operator, approvedAt: now } },
        );
        return 'approved';
      }
      const attempts = link.pairingAttempts + 1;
      const denied = attempts >= MAX_PAIRING_ATTEMPTS;
      await c.enrollmentLinks.updateOne(
        { _id: linkId },
        { $set: { pairingAttempts: attempts, ...(denied ? { state: 'denied', deniedBy: operator } : {}) } },
      );
      return denied ? 'denied' : 'wrong_code';
    },

    /** Approval by a code from the factor the employee already has (checked by the caller). */
    async approveWithExistingFactor(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne(
        { _id: linkId },
        { $set: { state: 'approved', approvedBy: 'existing second factor', approvedAt: now } },
      );
    },

    async markShown(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { state: 'shown', shownAt: now } });
    },

    async markDone(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { state: 'done', doneAt: now } });
    },
  };
}

export type EnrollmentLinks = ReturnType<typeof enrollmentLinks>;

export function linkIdOf(token: string): string {
  return hash(token);
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Eight characters from an alphabet without look-alikes, shown as XXXX-XXXX. */
const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function newPairingCode(): string {
  return Array.from({ length: 8 }, () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)]).join('');
}

export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

function normalizePairingCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
