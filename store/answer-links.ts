import { createHash, randomBytes } from 'node:crypto';
import type { AnswerLinkDoc, Collections } from './collections';

/**
 * One-time links to an interview's answer page. The token (256 random bits) travels only in the
 * email; the store keeps its hash. A link is good until its interview has an outcome (then every link
 * of that interview closes) or until it expires, whichever is first.
 */
export type AnswerLinkView =
  { state: 'missing' | 'expired' | 'closed' } | { state: 'open'; link: AnswerLinkDoc };

export function answerLinks(c: Collections) {
  return {
    async create(
      link: Pick<AnswerLinkDoc, 'workflowId' | 'alertId' | 'email' | 'expiresAt' | 'employee'>,
      now: Date,
    ): Promise<{ token: string }> {
      const token = randomBytes(32).toString('base64url');
      await c.answerLinks.insertOne({ _id: hashToken(token), ...link, createdAt: now });
      return { token };
    },

    /** What a link is now; reading it changes nothing. */
    async view(token: string, now: Date): Promise<AnswerLinkView> {
      const link = await c.answerLinks.findOne({ _id: hashToken(token) });
      if (!link) return { state: 'missing' };
      if (link.closedAt) return { state: 'closed' };
      if (link.expiresAt <= now) return { state: 'expired' };
      return { state: 'open', link };
    },

    /** Closes every link of an interview (idempotent). */
    async closeAll(workflowId: string, now: Date): Promise<void> {
      await c.answerLinks.updateMany(
        { workflowId, closedAt: { $exists: false } },
        { $set: { closedAt: now } },
      );
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
