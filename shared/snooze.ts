import { parseDuration } from './duration';
import { type Language, tn } from './i18n';
import type { SnoozeRefusal } from './record/events';

/**
 * The snooze the employee may ask for after a verified "yes" (policy `snooze`): the lengths the DM
 * offers, and the messages the bot sends the workflow. Pure, so the workflow may use it.
 */
const STEPS = ['1d', '3d', '7d', '14d', '30d', '90d'];

/**
 * The lengths offered: the usual steps longer than the window a verified "yes" already suppresses
 * for, up to `max`, and `max` itself.
 */
export function snoozeChoices(max: string, suppressionWindow: string): string[] {
  const maxMs = parseDuration(max);
  const windowMs = parseDuration(suppressionWindow);
  const steps = STEPS.filter((d) => parseDuration(d) > windowMs && parseDuration(d) < maxMs);
  return maxMs > windowMs ? [...steps, max] : [];
}

/** "1 day", "3 days", "2 weeks", or the policy's own words for a length that is no whole day. */
export function snoozeLabel(duration: string, lang: Language = 'en'): string {
  const ms = parseDuration(duration);
  const days = ms / 86_400_000;
  if (!Number.isInteger(days)) return duration;
  return days % 7 === 0 ? tn(lang, 'duration.weeks', days / 7) : tn(lang, 'duration.days', days);
}

/** The employee's request, from the snooze modal. */
export interface SnoozeRequest {
  /** One request per modal: a resubmitted modal is applied once. */
  requestId: string;
  slackUserId: string;
  /** One of the offered lengths (`snooze_offered.choices`). */
  duration: string;
  reason?: string;
}

export interface SnoozeRequestResult {
  accepted: boolean;
  /** Taken: an operator approves it before the snooze exists. */
  approval?: boolean;
  refusal?: SnoozeRefusal;
}

/** An operator's Approve or Refuse on the snooze request in the security channel. */
export interface SnoozeDecisionSignal {
  decisionId: string;
  operator: string;
  decision: 'approve' | 'refuse';
}
