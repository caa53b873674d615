/**
 * Slack's published Web API rate limits for the methods Vouch calls (docs.slack.dev/apis/web-api/rate-limits),
 * applied "per method per workspace per app". The tiers' numbers are Slack's floors ("20+ per minute"):
 * staying under them never draws a 429. chat.postMessage is in Slack's special tier: one message per
 * second per channel, with a workspace-wide limit Slack does not publish.
 */
export type SlackTier = 1 | 2 | 3 | 4 | 'special';

export const TIER_PER_MINUTE: Readonly<Record<Exclude<SlackTier, 'special'>, number>> = {
  1: 1,
  2: 20,
  3: 50,
  4: 100,
};

/** The methods Vouch's worker and bot call, with their tier. */
export const SLACK_METHOD_TIERS: Readonly<Record<string, SlackTier>> = {
  'chat.postMessage': 'special',
  'chat.update': 3,
  'chat.postEphemeral': 4,
  'conversations.open': 3,
  // Tier 3 for internal (customer-built) apps such as Vouch; Slack limits apps distributed outside
  // its Marketplace more tightly.
  'conversations.history': 3,
  'users.info': 4,
  'users.lookupByEmail': 4,
  'usergroups.users.list': 2,
  'views.open': 4,
  'views.update': 4,
  'views.push': 4,
  'views.publish': 4,
  'auth.test': 4,
};

/** chat.postMessage: at most one message per second to one channel. */
export const POST_MESSAGE_PER_CHANNEL_MS = 1_000;

/** A method's budget: how many calls per minute (per channel for chat.postMessage, per second). */
export type SlackRateRule =
  | { kind: 'per-minute'; method: string; perMinute: number }
  | { kind: 'per-channel'; method: string; intervalMs: number };

/** The rule Slack applies to `method`; methods not listed are treated as Tier 2, the common floor. */
export function slackRateRule(method: string): SlackRateRule {
  const tier = SLACK_METHOD_TIERS[method] ?? 2;
  if (tier === 'special') return { kind: 'per-channel', method, intervalMs: POST_MESSAGE_PER_CHANNEL_MS };
  return { kind: 'per-minute', method, perMinute: TIER_PER_MINUTE[tier] };
}
