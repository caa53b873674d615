import { createHash, randomBytes } from 'node:crypto';
import type { Collections, SourceDoc } from './collections';

/** A source's name: it is part of the intake's URL and of every alert it sends. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Bearer tokens are 32 random bytes; the prefix makes a leaked one easy to recognise and scan for. */
const TOKEN_PREFIX = 'vsk_';
export const newSourceToken = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');
export const hashSourceToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export type SourceSummary = Pick<SourceDoc, 'createdAt' | 'createdBy' | 'rotatedAt' | 'ratePerSecond'> & {
  name: string;
};

/** What is wrong with a source name, or undefined when it is valid. */
export function sourceNameProblem(name: string): string | undefined {
  return SOURCE_NAME.test(name)
    ? undefined
    : `source name "${name}" is not valid: use 1–63 lower-case letters, digits and "-", starting with a letter or digit (e.g. "splunk-prod")`;
}

function checkName(name: string): void {
  const problem = sourceNameProblem(name);
  if (problem) throw new Error(problem);
}

const summary = (d: SourceDoc): SourceSummary => ({
  name: d._id,
  createdAt: d.createdAt,
  createdBy: d.createdBy,
  ...(d.rotatedAt ? { rotatedAt: d.rotatedAt } : {}),
  ...(d.ratePerSecond ? { ratePerSecond: d.ratePerSecond } : {}),
});

/** The sources allowed to send alerts to the HTTP intake, each with one bearer token (kept as a hash). */
export function sourceStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    /** Adds a source and returns its token: the only time the token exists outside the caller. */
    async add(
      name: string,
      by: string,
      opts: { ratePerSecond?: number } = {},
    ): Promise<{ token: string } | { exists: true }> {
      checkName(name);
      const token = newSourceToken();
      try {
        await c.sources.insertOne({
          _id: name,
          tokenHash: hashSourceToken(token),
          createdAt: now(),
          createdBy: by,
          ...(opts.ratePerSecond ? { ratePerSecond: opts.ratePerSecond } : {}),
        });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return { exists: true };
        throw err;
      }
      return { token };
    },

    /** A new token for the source; the old one stops working at once. Null: no such source. */
    async rotate(name: string): Promise<string | null> {
      checkName(name);
      const token = newSourceToken();
      const res = await c.sources.updateOne(
        { _id: name },
        { $set: { tokenHash: hashSourceToken(token), rotatedAt: now() } },
      );
      return res.matchedCount === 1 ? token : null;
    },

    /** Removes the source: its token stops working. False: no such source. */
    async remove(name: string): Promise<boolean> {
      checkName(name);
      return (await c.sources.deleteOne({ _id: name })).deletedCount === 1;
    },

    async list(): Promise<SourceSummary[]> {
      const docs = await c.sources.find({}).sort({ _id: 1 }).toArray();
      return docs.map(summary);
    },

    /** The source a bearer token belongs to, or null. */
    async byToken(token: string): Promise<SourceSummary | null> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const doc = await c.sources.findOne({ tokenHash: hashSourceToken(token) });
      return doc ? summary(doc) : null;
    },
  };
}

export type SourceStore = ReturnType<typeof sourceStore>;
