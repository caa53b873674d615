import { randomUUID } from 'node:crypto';
import { type DirectoryEntry, SLACK_USER_ID } from '../shared/directory-entry';
import type { Collections, DirectoryEntryDoc } from './collections';
import { insertOnce } from './mongo';

/**
 * The directory operators maintain: employees by email, with their Slack user id and aliases. Without
 * transactions (FerretDB v1), uniqueness comes from one `directory_keys` document per alias and Slack id,
 * claimed by a unique insert before an entry lists it; every lookup is by _id and checks that the entry
 * still lists the key, so a half-finished change resolves to no one rather than to the wrong person.
 */
export class DirectoryClashError extends Error {
  override readonly name = 'DirectoryClashError';
  constructor(
    readonly key: string,
    readonly holder: string,
    readonly claimant: string,
  ) {
    super(
      `${describeKey(key)} belongs to ${holder} and cannot also be given to ${claimant}: ` +
        `remove it from ${holder} first (vouch directory set ${holder} …), or give ${claimant} another one`,
    );
  }
}

export function describeKey(key: string): string {
  const [kind, value] = splitKey(key);
  if (kind === 'slack') return `the Slack user id ${value}`;
  return kind === 'aad' ? `the Entra object id ${value}` : `the alias "${value}"`;
}

export const aliasKey = (alias: string) => `alias:${alias.toLowerCase()}`;
export const slackKey = (slackUserId: string) => `slack:${slackUserId}`;

/** Teams names people by their Microsoft Entra object id: one employee per id, like a Slack id. */
export const aadKey = (aadObjectId: string) => `aad:${aadObjectId.toLowerCase()}`;

export function keysOf(entry: Pick<DirectoryEntry, 'aliases' | 'slackUserId' | 'aadObjectId'>): string[] {
  return [
    ...entry.aliases.map(aliasKey),
    ...(entry.slackUserId ? [slackKey(entry.slackUserId)] : []),
    ...(entry.aadObjectId ? [aadKey(entry.aadObjectId)] : []),
  ];
}

export function toEntry(doc: DirectoryEntryDoc): DirectoryEntry {
  const { _id, updatedAt: _at, updatedBy: _by, ...fields } = doc;
  return canonical({ ...fields, email: _id, aliases: fields.aliases ?? [] });
}

export function directoryStore(c: Collections, now: () => Date = () => new Date()) {
  async function byKey(key: string): Promise<DirectoryEntryDoc | null> {
    const held = await c.directoryKeys.findOne({ _id: key });
    if (!held) return null;
    const doc = await c.directory.findOne({ _id: held.email });
    return doc && keysOf(toEntry(doc)).includes(key) ? doc : null;
  }

  /** Claims a key for `email`: taken over from an entry that no longer lists it, refused if one does. */
  async function claim(key: string, email: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await insertOnce(c.directoryKeys, { _id: key, email })) return;
      const held = await c.directoryKeys.findOne({ _id: key });
      if (!held) continue; // released meanwhile: insert again
      if (held.email === email) return;
      const holder = await c.directory.findOne({ _id: held.email });
      if (holder && keysOf(toEntry(holder)).includes(key))
        throw new DirectoryClashError(key, held.email, email);
      const taken = await c.directoryKeys.updateOne({ _id: key, email: held.email }, { $set: { email } });
      if (taken.matchedCount === 1) return;
    }
    throw new Error(
      `${describeKey(key)} changed hands three times while being claimed for ${email}: try again`,
    );
  }

  async function release(keys: string[], email: string): Promise<void> {
    if (keys.length > 0) await c.directoryKeys.deleteMany({ _id: { $in: keys }, email });
  }

  async function record(action: 'added' | 'changed' | 'removed', entry: DirectoryEntry, actor: string) {
    await c.directoryEvents.insertOne({
      _id: randomUUID(),
      email: entry.email,
      action,
      actor,
      at: now(),
      entry,
    });
  }

  async function write(entry: DirectoryEntry, actor: string): Promise<void> {
    const { email, ...fields } = entry;
    await c.directory.replaceOne(
      { _id: email },
      { ...fields, updatedAt: now(), updatedBy: actor },
      { upsert: true },
    );
  }

  return {
    get: async (email: string) => {
      const doc = await c.directory.findOne({ _id: email.toLowerCase() });
      return doc ? toEntry(doc) : null;
    },
    /**
     * An entry by email for resolving alerts: its Slack id counts only while the entry holds that key (an
     * import cut short by a clash can leave an entry naming another employee's Slack id).
     */
    byEmail: async (email: string): Promise<DirectoryEntry | null> => {
      const doc = await c.directory.findOne({ _id: email.toLowerCase() });
      if (!doc) return null;
      const entry = toEntry(doc);
      if (!entry.slackUserId) return entry;
      const held = await c.directoryKeys.findOne({ _id: slackKey(entry.slackUserId) });
      if (held?.email === entry.email) return entry;
      const { slackUserId: _notHeld, ...withoutSlackId } = entry;
      return withoutSlackId;
    },
    byAlias: async (alias: string) => {
      const doc = await byKey(aliasKey(alias));
      return doc ? toEntry(doc) : null;
    },
    bySlackId: async (slackUserId: string) => {
      const doc = await byKey(slackKey(slackUserId));
      return doc ? toEntry(doc) : null;
    },
    /** The employee behind a Teams user: by the Entra object id Teams puts on each activity. */
    byAadObjectId: async (aadObjectId: string) => {
      const doc = await byKey(aadKey(aadObjectId));
      return doc ? toEntry(doc) : null;
    },

    /** An entry by email, Slack user id or alias, with who changed it last. */
    async find(who: string): Promise<{ entry: DirectoryEntry; updatedAt: Date; updatedBy: string } | null> {
      const doc =
        (await c.directory.findOne({ _id: who.trim().toLowerCase() })) ??
        (SLACK_USER_ID.test(who) ? await byKey(slackKey(who)) : null) ??
        (await byKey(aadKey(who.trim()))) ??
        (await byKey(aliasKey(who.trim())));
      return doc ? { entry: toEntry(doc), updatedAt: doc.updatedAt, updatedBy: doc.updatedBy } : null;
    },

    async list(): Promise<DirectoryEntry[]> {
      const docs = await c.directory.find({}).toArray();
      return docs.map(toEntry).sort((a, b) => a.email.localeCompare(b.email));
    },

    /**
     * Adds or replaces one entry. Its keys are claimed first, so a clash leaves the directory as it was;
     * keys it no longer has are released after the entry stops listing them.
     */
    async set(entry: DirectoryEntry, actor: string): Promise<'added' | 'changed' | 'unchanged'> {
      const before = await c.directory.findOne({ _id: entry.email });
      const previous = before ? toEntry(before) : null;
      if (previous && sameEntry(previous, entry)) return 'unchanged';
      for (const key of keysOf(entry)) await claim(key, entry.email);
      await write(entry, actor);
      if (previous) await release(dropped(previous, entry), entry.email);
      const action = previous ? 'changed' : 'added';
      await record(action, entry, actor);
      return action;
    },

    /**
     * Writes many entries whose combined result was checked for clashes (an import): entries first, so
     * an alias moving from one employee to another is free to claim once the first stops listing it.
     */
    async apply(
      changes: { upsert: DirectoryEntry[]; remove: DirectoryEntry[]; previous: Map<string, DirectoryEntry> },
      actor: string,
    ): Promise<void> {
      for (const entry of changes.remove) await this.remove(entry.email, actor);
      for (const entry of changes.upsert) await write(entry, actor);
      for (const entry of changes.upsert) {
        for (const key of keysOf(entry)) await claim(key, entry.email);
        const previous = changes.previous.get(entry.email);
        if (previous) await release(dropped(previous, entry), entry.email);
        await record(previous ? 'changed' : 'added', entry, actor);
      }
    },

    /** Removes an entry and its keys; false when there was none. */
    async remove(email: string, actor: string): Promise<DirectoryEntry | null> {
      const doc = await c.directory.findOneAndDelete({ _id: email.toLowerCase() });
      if (!doc) return null;
      const entry = toEntry(doc);
      await release(keysOf(entry), entry.email);
      await record('removed', entry, actor);
      return entry;
    },
  };
}

export type DirectoryStore = ReturnType<typeof directoryStore>;

export function sameEntry(a: DirectoryEntry, b: DirectoryEntry): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function canonical(e: DirectoryEntry): DirectoryEntry {
  return {
    email: e.email,
    aliases: [...e.aliases].sort(),
    ...(e.slackUserId ? { slackUserId: e.slackUserId } : {}),
    ...(e.aadObjectId ? { aadObjectId: e.aadObjectId } : {}),
    ...(e.name ? { name: e.name } : {}),
    ...(e.timeZone ? { timeZone: e.timeZone } : {}),
    ...(e.manager ? { manager: e.manager } : {}),
  };
}

function dropped(before: DirectoryEntry, after: DirectoryEntry): string[] {
  const kept = new Set(keysOf(after));
  return keysOf(before).filter((k) => !kept.has(k));
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** What an import would do, against the stored directory. */
export interface ImportPlan {
  added: DirectoryEntry[];
  changed: { before: DirectoryEntry; after: DirectoryEntry }[];
  unchanged: DirectoryEntry[];
  /** Stored entries the file does not name: removed only with --prune. */
  removed: DirectoryEntry[];
}

/**
 * Compares a file's entries with the stored ones. The directory they would make together is checked
 * first: an alias or Slack id on two employees is an error naming both (and the line of each in the file).
 */
export function planImport(
  stored: DirectoryEntry[],
  file: { line: number; entry: DirectoryEntry }[],
  prune: boolean,
): { plan: ImportPlan; clashes: string[] } {
  const before = new Map(stored.map((e) => [e.email, e]));
  const named = new Map(file.map((f) => [f.entry.email, f]));
  const plan: ImportPlan = { added: [], changed: [], unchanged: [], removed: [] };
  for (const { entry } of file) {
    const previous = before.get(entry.email);
    if (!previous) plan.added.push(entry);
    else if (sameEntry(previous, entry)) plan.unchanged.push(entry);
    else plan.changed.push({ before: previous, after: entry });
  }
  plan.removed = stored.filter((e) => !named.has(e.email));

  // Stored entries first, so a clash is reported at the file's line.
  const result = [...(prune ? [] : plan.removed), ...file.map((f) => f.entry)];
  const where = (email: string) => {
    const line = named.get(email)?.line;
    return line ? `${email} (line ${line})` : `${email} (already in the directory; not in this file)`;
  };
  const holders = new Map<string, string>();
  const clashes: string[] = [];
  for (const entry of result)
    for (const key of keysOf(entry)) {
      const holder = holders.get(key);
      if (holder === undefined) holders.set(key, entry.email);
      else
        clashes.push(
          `${named.has(entry.email) ? `line ${named.get(entry.email)!.line}: ` : ''}${describeKey(key)} is on both ${where(holder)} and ${where(entry.email)}: keep it on one employee`,
        );
    }
  return { plan, clashes };
}
