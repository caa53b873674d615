import { randomBytes } from 'node:crypto';
import { hashToken } from '../lib/token-hash';
import type { AnswerLinkDoc, Collections } from './collections';
import { insertOnce } from './mongo';
import { emailKey } from '../shared/employee-key';

/**
 * One-time links to an interview's answer page. The token (256 random bits) travels only in the
 * email; the store keeps its hash. A link is good until its interview has an outcome (then every link
 * of that interview closes) or until it expires, whichever is first.
 *
 * The first answer binds the interview's links to the browser that gave it (a random id in an
 * HttpOnly cookie, kept here as a hash): from then on no other browser can answer with any of them.
 */
export type AnswerLinkView =
  { state: 'missing' | 'expired' | 'closed' } | { state: 'open'; link: AnswerLinkDoc };

export function answerLinks(c: Collections) {
  const bindingKey = (workflowId: string) => `answer-browser:${workflowId}`;
  return {
    async create(
      link: Pick<AnswerLinkDoc, 'workflowId' | 'alertId' | 'email' | 'expiresAt' | 'employee' | 'source'>,
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

    /** The browser the interview's links are bound to: unbound, this one, or another. */
    async boundBrowser(workflowId: string, browserId: string | undefined): Promise<Binding> {
      const claim = await c.claims.findOne({ _id: bindingKey(workflowId) });
      if (!claim) return 'unbound';
      return browserId && claim.holder === hashToken(browserId) ? 'this_browser' : 'other_browser';
    },

    /**
     * Binds the interview's links to this browser, unless another was first (a unique insert, so two
     * browsers answering at once cannot both win). True when this browser holds them.
     */
    async bind(workflowId: string, browserId: string, now: Date): Promise<boolean> {
      const holder = hashToken(browserId);
      if (await insertOnce(c.claims, { _id: bindingKey(workflowId), at: now, holder })) return true;
      return (await c.claims.findOne({ _id: bindingKey(workflowId) }))?.holder === holder;
    },
  };
}

/**
 * The key whose factors answer on a link (shared/employee-key.ts): the one the link names (the Slack
 * modal's), else the interviewed employee's Slack id, else the address the link was emailed to.
 */
export function answerLinkEmployee(
  link: Pick<AnswerLinkDoc, 'employee' | 'email'>,
  employeeSlackId: string | undefined,
): string {
  return link.employee ?? employeeSlackId ?? emailKey(link.email);
}

export type Binding = 'unbound' | 'this_browser' | 'other_browser';
export type AnswerLinks = ReturnType<typeof answerLinks>;
