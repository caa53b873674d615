import { z } from 'zod';

/**
 * The ways Vouch reaches the employee it asks. The policy lists them in the order they are tried; a
 * channel the employee cannot be reached on (no Slack user, no email address) is passed over, and so
 * is one whose first message fails for good.
 */
export const CHANNEL_NAMES = ['slack', 'email', 'teams'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** Policies that name no channels ask in Slack only, as before channels could be chosen. */
export const DEFAULT_CHANNELS: readonly ChannelName[] = ['slack'];

export const channelsSchema = z
  .array(
    z.enum(CHANNEL_NAMES, {
      error: `expected a channel name: ${CHANNEL_NAMES.map((c) => `"${c}"`).join(' or ')}`,
    }),
  )
  .min(1, { error: 'list at least one channel, e.g. channels: [slack, email]' })
  .refine((cs) => new Set(cs).size === cs.length, {
    error: 'each channel is listed once: remove the repeated name',
  });

/** Where a channel reaches someone: their Slack user, their email address, their Microsoft Entra user. */
export interface Reachable {
  slackUserId?: string;
  email?: string;
  aadObjectId?: string;
}

const REACHES: Record<ChannelName, (e: Reachable) => boolean> = {
  slack: (e) => Boolean(e.slackUserId),
  email: (e) => Boolean(e.email),
  teams: (e) => Boolean(e.aadObjectId),
};

/** The policy's channels the employee can be reached on, in the policy's order. */
export function reachableChannels(channels: readonly ChannelName[], employee: Reachable): ChannelName[] {
  return channels.filter((c) => REACHES[c](employee));
}

/**
 * Who answers in Teams, as the interview's signals name people: an employee Slack knows keeps their
 * Slack user id (their factors and suppressions are kept by it); anyone else is `aad:<object id>`.
 */
export function teamsPrincipal(who: { slackUserId?: string; aadObjectId: string }): string {
  return who.slackUserId ?? `aad:${who.aadObjectId.toLowerCase()}`;
}
