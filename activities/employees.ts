import type { WebClient } from '@slack/web-api';
import type { AlertInput } from '../shared/alert';
import type { Collections } from '../store/collections';
import { slackCall, slackErrorCode } from './slack-client';

/**
 * Finds the employee an alert names, in Slack (users.lookupByEmail / users.info), with the answers
 * cached in `employees` for a day so a burst of alerts does not hit Slack's rate limits.
 */
export interface EmployeeInfo {
  slackUserId: string;
  email?: string;
  name?: string;
  timeZone?: string;
}

export const EMPLOYEE_CACHE_MS = 24 * 3600_000;
/** The worker also keeps recent answers in memory: a burst of alerts for one person costs no query. */
export const MEMORY_CACHE_MS = 5 * 60_000;
const MEMORY_CACHE_MAX = 10_000;

export function createEmployeeResolver(c: Collections, slack: WebClient | undefined) {
  const memory = new Map<string, { info: EmployeeInfo; at: number }>();
  return async (ref: AlertInput['employee'], now: Date): Promise<EmployeeInfo | null> => {
    const key = ref.slackUserId
      ? `id:${ref.slackUserId}`
      : ref.email
        ? `email:${ref.email.toLowerCase()}`
        : `user:${ref.username}`;
    const hit = memory.get(key);
    if (hit && now.getTime() - hit.at < MEMORY_CACHE_MS) return hit.info;
    const info = await resolveEmployee(c, slack, ref, now);
    if (info) {
      if (memory.size >= MEMORY_CACHE_MAX) memory.delete(memory.keys().next().value!);
      memory.set(key, { info, at: now.getTime() });
    }
    return info;
  };
}

type SlackUser = {
  id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  tz?: string;
  real_name?: string;
  profile?: { email?: string; real_name?: string };
};

export async function resolveEmployee(
  c: Collections,
  slack: WebClient | undefined,
  ref: AlertInput['employee'],
  now: Date,
): Promise<EmployeeInfo | null> {
  const fresh = { resolvedAt: { $gt: new Date(now.getTime() - EMPLOYEE_CACHE_MS) } };
  const cached = ref.slackUserId
    ? await c.employees.findOne({ _id: ref.slackUserId, ...fresh })
    : ref.email
      ? await c.employees.findOne({ email: ref.email.toLowerCase(), ...fresh })
      : null;
  if (cached) return toInfo(cached._id, cached);

  let user: SlackUser | undefined;
  if (slack && ref.slackUserId)
    user = await lookup('users.info', () => slack.users.info({ user: ref.slackUserId! }));
  else if (slack && ref.email)
    user = await lookup('users.lookupByEmail', () => slack.users.lookupByEmail({ email: ref.email! }));
  else if (ref.username) {
    // Usernames are not a Slack lookup: they match an employee record kept by Vouch.
    const known = await c.employees.findOne({ username: ref.username });
    return known ? toInfo(known._id, known) : null;
  }
  if (!user?.id || user.deleted || user.is_bot) return null;

  const info: EmployeeInfo = {
    slackUserId: user.id,
    email: (user.profile?.email ?? ref.email)?.toLowerCase(),
    name: user.real_name ?? user.profile?.real_name,
    timeZone: user.tz,
  };
  await c.employees.updateOne(
    { _id: user.id },
    {
      $set: { email: info.email, name: info.name, timeZone: info.timeZone, resolvedAt: now, updatedAt: now },
      ...(ref.username ? { $setOnInsert: { username: ref.username } } : {}),
    },
    { upsert: true },
  );
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

function toInfo(id: string, doc: { email?: string; name?: string; timeZone?: string }): EmployeeInfo {
  return { slackUserId: id, email: doc.email, name: doc.name, timeZone: doc.timeZone };
}
