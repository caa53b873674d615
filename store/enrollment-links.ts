import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../lib/token-hash';
import type { Collections, EnrollmentLinkDoc } from './collections';
import { claimSlot } from './claims';
import { insertOnce } from './mongo';
import { slackIdOfKey } from '../shared/employee-key';

/**
 * Single-use enrollment links for `/vouch enroll`. Slack carries only the link; the secret is shown on
 * a page served by Vouch, once, to the first browser that opened the link, and only after an operator
 * has checked the pairing code that browser shows (or the employee has entered a code from a factor
 * they already have). Only a hash of the link's token is stored.
 */
export const LINK_TTL_MS = 15 * 60_000;
export const MAX_PAIRING_ATTEMPTS = 3;
export type ApprovalResult = 'approved' | 'wrong_code' | 'denied' | 'not_waiting' | 'self';
export const EXISTING_FACTOR = 'the existing second factor';

export type LinkView =
  | { state: 'missing' | 'expired' | 'used' | 'denied' }
  | { state: 'unopened' }
  | { state: 'other_browser' }
  | { state: 'awaiting_approval'; link: EnrollmentLinkDoc; pairingCode: string }
  | { state: 'approved'; link: EnrollmentLinkDoc }
  | { state: 'shown'; link: EnrollmentLinkDoc };

export function enrollmentLinks(c: Collections) {
  const byToken = (token: string) => c.enrollmentLinks.findOne({ _id: hashToken(token) });
  return {
    /** A link for the employee with this key (shared/employee-key.ts). */
    async create(employee: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
      const slackUserId = slackIdOfKey(employee);
      await c.enrollmentLinks.insertOne({
        _id: hashToken(token),
        employee,
        ...(slackUserId ? { slackUserId } : {}),
        state: 'created',
        createdAt: now,
        expiresAt,
      });
      return { token, expiresAt };
    },

    /**
     * What the page at the link shows to this browser. Only a deliberate `bind` (the page's Start button,
     * a POST: link previews and scanners only GET) binds the link to the browser, by a cookie whose hash
     * is stored, and gives it a pairing code; any other browser is refused from then on.
     */
    async open(
      token: string,
      browser: string | undefined,
      now: Date,
      opts: { bind?: boolean } = {},
    ): Promise<LinkView & { cookie?: string }> {
      const link = await byToken(token);
      if (!link) return { state: 'missing' };
      if (link.state === 'done') return { state: 'used' };
      if (link.state === 'denied') return { state: 'denied' };
      if (link.expiresAt <= now) return { state: 'expired' };
      if (link.state === 'created') {
        if (!opts.bind) return { state: 'unopened' };
        const cookie = randomBytes(24).toString('base64url');
        const pairingCode = newPairingCode();
        // The bind is claimed with a unique insert (atomic on FerretDB too): one browser wins a race.
        if (!(await claim(c, `link-bind:${link._id}`, now))) return { state: 'other_browser' };
        await c.enrollmentLinks.updateOne(
          { _id: link._id },
          { $set: { state: 'awaiting_approval', browser: hashToken(cookie), pairingCode, openedAt: now } },
        );
        const stored = (await c.enrollmentLinks.findOne({ _id: link._id }))!;
        return { state: 'awaiting_approval', link: stored, pairingCode, cookie };
      }
      if (!browser || !link.browser || !sameHash(link.browser, hashToken(browser)))
        return { state: 'other_browser' };
      if (link.state === 'awaiting_approval')
        return { state: 'awaiting_approval', link, pairingCode: link.pairingCode ?? '' };
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
      opts: OperatorKeys = {},
    ): Promise<{ result: ApprovalResult; attemptsLeft: number }> {
      const link = await c.enrollmentLinks.findOne({ _id: linkId });
      if (!link || link.state !== 'awaiting_approval' || link.expiresAt <= now)
        return { result: 'not_waiting', attemptsLeft: 0 };
      if (isOwnLink(link, operator, opts)) return { result: 'self', attemptsLeft: 0 };
      // Each try is claimed first, so parallel submissions cannot exceed the limit, and the decision
      // (approved or denied) is claimed once: no write of one decision can undo the other. (Only the
      // decision writes the link: FerretDB v1 loses concurrent updates of one document.)
      const attempt = await claimSlot(c.claims, `link-pairing:${linkId}`, MAX_PAIRING_ATTEMPTS, now);
      if (attempt === null) return { result: 'denied', attemptsLeft: 0 };
      const decide = () => claim(c, `link-decided:${linkId}`, now);
      const given = normalizePairingCode(pairingCode);
      if (link.pairingCode && given.length === link.pairingCode.length && sameHash(given, link.pairingCode)) {
        if (!(await decide())) return { result: 'not_waiting', attemptsLeft: 0 };
        await c.enrollmentLinks.updateOne(
          { _id: linkId },
          // The employee gets a fresh quarter of an hour to scan and confirm.
          {
            $set: {
              state: 'approved',
              approvedBy: operator,
              approvedAt: now,
              expiresAt: new Date(now.getTime() + LINK_TTL_MS),
            },
          },
        );
        return { result: 'approved', attemptsLeft: 0 };
      }
      const attemptsLeft = MAX_PAIRING_ATTEMPTS - attempt - 1;
      if (attemptsLeft > 0) return { result: 'wrong_code', attemptsLeft };
      if (await decide())
        await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { state: 'denied', deniedBy: operator } });
      return { result: 'denied', attemptsLeft: 0 };
    },

    /** An operator refuses the link outright (Teams' Deny), under the same rules as an approval. */
    async deny(
      linkId: string,
      operator: string,
      now: Date,
      opts: OperatorKeys = {},
    ): Promise<'denied' | 'not_waiting' | 'self'> {
      const link = await c.enrollmentLinks.findOne({ _id: linkId });
      if (!link || link.state !== 'awaiting_approval' || link.expiresAt <= now) return 'not_waiting';
      if (isOwnLink(link, operator, opts)) return 'self';
      if (!(await claim(c, `link-decided:${linkId}`, now))) return 'not_waiting';
      await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { state: 'denied', deniedBy: operator } });
      return 'denied';
    },

    /**
     * Claims one of the few tries of the employee's existing factor on this page: 3 per link and 5 per
     * employee per quarter hour across links, claimed before the code is checked so that parallel
     * requests cannot exceed them. False when none is left.
     */
    async claimExistingFactorTry(link: EnrollmentLinkDoc, now: Date): Promise<boolean> {
      const window = Math.floor(now.getTime() / LINK_TTL_MS);
      const perLink = await claimSlot(c.claims, `link-existing:${link._id}`, 3, now);
      if (perLink === null) return false;
      return (await claimSlot(c.claims, `user-existing:${linkEmployee(link)}:${window}`, 5, now)) !== null;
    },

    async noteApprovalRequested(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { approvalRequestedAt: now } });
    },

    /** Approval by a code from the factor the employee already has (checked by the caller). */
    async approveWithExistingFactor(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne(
        { _id: linkId },
        {
          $set: {
            state: 'approved',
            approvedBy: EXISTING_FACTOR,
            approvedAt: now,
            expiresAt: new Date(now.getTime() + LINK_TTL_MS),
          },
        },
      );
    },

    /** The secret was shown; `enrolledAt` names that enrollment, so the confirmation must be for it. */
    async markShown(linkId: string, now: Date, enrolledAt: Date): Promise<void> {
      await c.enrollmentLinks.updateOne(
        { _id: linkId },
        { $set: { state: 'shown', shownAt: now, shownEnrolledAt: enrolledAt } },
      );
    },

    async markDone(linkId: string, now: Date): Promise<void> {
      await c.enrollmentLinks.updateOne({ _id: linkId }, { $set: { state: 'done', doneAt: now } });
    },
  };
}

export type EnrollmentLinks = ReturnType<typeof enrollmentLinks>;

/** The employee key a link enrolls (links made before keys name only the Slack user). */
export function linkEmployee(link: Pick<EnrollmentLinkDoc, 'employee' | 'slackUserId'>): string {
  return link.employee ?? link.slackUserId ?? '';
}

/** Every employee key the deciding operator is known by (a Teams operator: `aad:`, Slack id, email key). */
export interface OperatorKeys {
  operatorKeys?: readonly string[];
}

/** An operator's own session must not be enough to replace the operator's own factor. */
function isOwnLink(link: EnrollmentLinkDoc, operator: string, opts: OperatorKeys): boolean {
  return operator === link.slackUserId || (opts.operatorKeys ?? []).includes(linkEmployee(link));
}

/** Claims a unique key; false if it was already claimed. */
function claim(c: Collections, key: string, now: Date): Promise<boolean> {
  return insertOnce(c.claims, { _id: key, at: now });
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
