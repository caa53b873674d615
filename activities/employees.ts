import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { AlertInput } from '../shared/alert';
import type { DirectoryEntry } from '../shared/directory-entry';
import type { Collections } from '../store/collections';
import { directoryStore } from '../store/directory';
import { employeeCache } from '../store/employee-cache';
import type { GraphUsers } from './graph-users';
import { SlackNotConfiguredError, slackCall, slackErrorCode } from './slack-client';

/**
 * Finds the employee an alert names. The directory operators maintain (`vouch directory`) comes first
 * and is the only way a username maps to anyone; Slack (users.lookupByEmail / users.info) answers for
 * emails and Slack ids the directory lacks, and Microsoft Graph (where configured) gives the Entra
 * object id of someone Slack does not know whom a policy asks in Teams; both cached in `employees` for a
 * day so a burst of alerts does not hit their rate limits. Nothing in an alert is ever remembered as a
 * fact about an employee.
 */
export interface EmployeeInfo {
  /** Absent for someone the directory lists but Slack does not know, asked through another channel. */
  slackUserId?: string;
  email?: string;
  name?: string;
  timeZone?: string;
  /** Their Microsoft Entra object id, from the directory: what the Teams channel reaches them by. */
  aadObjectId?: string;
}

/** An employee Slack knows: every Slack-only step (the manager's DM, enrollment in Slack) needs one. */
export type SlackEmployee = EmployeeInfo & { slackUserId: string };

export const EMPLOYEE_CACHE_MS = 24 * 3600_000;
/** The worker also keeps Slack's recent answers in memory: a burst of alerts for one person costs no query. */
export const MEMORY_CACHE_MS = 5 * 60_000;
const MEMORY_CACHE_MAX = 10_000;

/** Builds the error of a lookup that needs Slack while it is not connected; warns in the log once. */
export type SlackMissing = (what: string) => SlackNotConfiguredError;

export function slackNotConnected(log: Logger): SlackMissing {
  let warned = false;
  return (what) => {
    if (!warned) {
      warned = true;
      log.warn(
        'Slack is not connected (SLACK_BOT_TOKEN is not set): interviews wait, retrying, until it is. ' +
          'Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see "Connect Vouch to Slack" in README.md) and restart Vouch.',
      );
    }
    return new SlackNotConfiguredError(`Slack is not connected (SLACK_BOT_TOKEN is not set): cannot ${what}`);
  };
}

export function createEmployeeResolver(
  c: Collections,
  slack: WebClient | undefined,
  missing?: SlackMissing,
  graph?: GraphUsers,
) {
  const memory = new Map<string, { info: EmployeeInfo; at: number }>();
  // Slack's and Graph's answers only: the directory is read every time (by _id), so an operator's change applies at once.
  const cachedSlack = async (key: string, now: Date, find: () => Promise<EmployeeInfo | null>) => {
    const hit = memory.get(key);
    if (hit && now.getTime() - hit.at < MEMORY_CACHE_MS) return hit.info;
    const info = await find();
    if (info) {
      if (memory.size >= MEMORY_CACHE_MAX) memory.delete(memory.keys().next().value!);
      memory.set(key, { info, at: now.getTime() });
    }
    return info;
  };
  const entra = graph
    ? (email: string, now: Date, namedAs?: string) =>
        cachedSlack(`entra:${email}:${namedAs ?? ''}`, now, () => entraProfile(c, graph, email, now, namedAs))
    : undefined;
  return (ref: AlertInput['employee'], now: Date, opts: { withoutSlack?: boolean; inTeams?: boolean } = {}) =>
    resolveEmployee(c, slack, ref, now, {
      cachedSlack,
      missing,
      withoutSlack: opts.withoutSlack,
      ...(opts.inTeams && entra
        ? { entra: (email: string, namedAs?: string) => entra(email, now, namedAs) }
        : {}),
    });
}

type SlackUser = {
  id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  tz?: string;
  /** Only with `include_locale: true`. */
  locale?: string;
  real_name?: string;
  profile?: { email?: string; real_name?: string };
};

/**
 * The alert's Slack user id is authoritative (the directory only adds a profile to it), then its email,
 * then its username: each the first one given decides, and an unknown one resolves to no one.
 */
export async function resolveEmployee(
  c: Collections,
  slack: WebClient | undefined,
  ref: AlertInput['employee'],
  now: Date,
  opts: {
    cachedSlack?: (
      key: string,
      now: Date,
      find: () => Promise<EmployeeInfo | null>,
    ) => Promise<EmployeeInfo | null>;
    missing?: SlackMissing;
    /**
     * Someone the directory lists by email whom Slack does not know is still found (without a Slack
     * id), for a policy that can ask them through another channel.
     */
    withoutSlack?: boolean;
    /**
     * Microsoft Graph, for a policy that asks in Teams: someone Slack does not know and the directory
     * gives no Entra object id is looked up by email (`namedAs`: the directory's email, kept as theirs).
     */
    entra?: (email: string, namedAs?: string) => Promise<EmployeeInfo | null>;
  } = {},
): Promise<EmployeeInfo | null> {
  const directory = directoryStore(c);
  const viaSlack = (key: string, find: (client: WebClient) => Promise<EmployeeInfo | null>, what: string) => {
    if (!slack) throw (opts.missing ?? defaultMissing)(what);
    const run = () => find(slack);
    return opts.cachedSlack ? opts.cachedSlack(key, now, run) : run();
  };

  if (ref.slackUserId) {
    const slackUserId = ref.slackUserId;
    const listed = await directory.bySlackId(slackUserId);
    if (listed) return fromDirectory(listed, slackUserId);
    return viaSlack(
      `id:${slackUserId}`,
      (s) => slackProfile(c, s, { slackUserId }, now),
      `look up ${slackUserId}`,
    );
  }
  const listed = ref.email
    ? await directory.byEmail(ref.email)
    : ref.username
      ? await directory.byAlias(ref.username)
      : null;
  // A username maps to someone only through the directory.
  if (!listed && !ref.email) return null;
  if (listed?.slackUserId) return fromDirectory(listed, listed.slackUserId);
  const email = (listed?.email ?? ref.email)!.toLowerCase();
  // An organisation without Slack asks through its other channels: Slack is not asked about anyone
  // the directory or Graph can answer for.
  const askSlack = !(opts.withoutSlack && !slack && (listed || opts.entra));
  const found = askSlack
    ? await viaSlack(`email:${email}`, (s) => slackProfile(c, s, { email }, now), `look up ${email}`)
    : null;
  if (found) return listed ? { ...found, ...fromDirectory(listed, found.slackUserId) } : found;
  if (!opts.withoutSlack) return null;
  const entry = listed ? fromDirectory(listed) : null;
  if (entry?.aadObjectId || !opts.entra) return entry;
  // Graph's 404 leaves the directory's entry as it was (Teams cannot reach them), or nobody.
  const inEntra = await opts.entra(email, listed?.email);
  return inEntra ? { ...inEntra, ...entry, aadObjectId: inEntra.aadObjectId } : entry;
}

function fromDirectory(entry: DirectoryEntry, slackUserId?: string): EmployeeInfo {
  return {
    ...(slackUserId ? { slackUserId } : {}),
    email: entry.email,
    ...(entry.name ? { name: entry.name } : {}),
    ...(entry.timeZone ? { timeZone: entry.timeZone } : {}),
    ...(entry.aadObjectId ? { aadObjectId: entry.aadObjectId } : {}),
  };
}

const defaultMissing: SlackMissing = (what) =>
  new SlackNotConfiguredError(`Slack is not connected (SLACK_BOT_TOKEN is not set): cannot ${what}`);

/**
 * Graph's user by email (their UPN or mail), through the day-long `employees` cache: `namedAs` (the
 * directory's email) is the email they are kept under, else Graph's mail or UPN; the Teams bot finds
 * the same email for their object id (store/teams-directory.ts).
 */
async function entraProfile(
  c: Collections,
  graph: GraphUsers,
  email: string,
  now: Date,
  namedAs?: string,
): Promise<EmployeeInfo | null> {
  const cache = employeeCache(c);
  const cached = await cache.freshEntra(email, new Date(now.getTime() - EMPLOYEE_CACHE_MS));
  const user = cached && (!namedAs || cached.email === namedAs) ? cached : await graph.byAddress(email);
  if (!user) return null;
  const kept = { ...user, email: namedAs ?? user.email };
  if (user !== cached) await cache.saveEntra(kept, now);
  return { email: kept.email, aadObjectId: kept.aadObjectId, ...(kept.name ? { name: kept.name } : {}) };
}

/** Slack's profile of a user by id or email, through the day-long `employees` cache. */
async function slackProfile(
  c: Collections,
  slack: WebClient,
  ref: { slackUserId: string } | { email: string },
  now: Date,
): Promise<SlackEmployee | null> {
  const cache = employeeCache(c);
  const cached = await cache.fresh(ref, new Date(now.getTime() - EMPLOYEE_CACHE_MS));
  if (cached) return toInfo(cached._id, cached);

  // users.info gives the locale too (the language of the employee's messages); lookupByEmail cannot.
  const byId = 'slackUserId' in ref;
  const user = byId
    ? await lookup('users.info', () => slack.users.info({ user: ref.slackUserId, include_locale: true }))
    : await lookup('users.lookupByEmail', () => slack.users.lookupByEmail({ email: ref.email }));
  if (!user?.id || user.deleted || user.is_bot) return null;

  const info: SlackEmployee = {
    slackUserId: user.id,
    email: (user.profile?.email ?? ('email' in ref ? ref.email : undefined))?.toLowerCase(),
    name: user.real_name ?? user.profile?.real_name,
    timeZone: user.tz,
  };
  await cache.save({ ...info, locale: user.locale }, now, byId);
  return info;
}

async function lookup(
  method: string,
  call: () => Promise<{ user?: SlackUser }>,
): Promise<SlackUser | undefined> {
  try {
    return (await slackCall(method, call)).user;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    if (['users_not_found', 'user_not_found'].includes(slackErrorCode(cause) ?? '')) return undefined;
    if (/users?_not_found/.test((err as Error).message)) return undefined;
    throw err;
  }
}

function toInfo(id: string, doc: { email?: string; name?: string; timeZone?: string }): SlackEmployee {
  return { slackUserId: id, email: doc.email, name: doc.name, timeZone: doc.timeZone };
}
