import { z } from 'zod';
import { type ChannelName, DEFAULT_CHANNELS, channelsSchema } from './channels';
import { isDuration, parseDuration } from './duration';
import { HTTPS_OR_LOCALHOST_ERROR, httpsOrLocalhost } from './outbound-url';
import { LANGUAGES, isLanguage } from './i18n';
import { type LocalizedTemplate, templateProblem } from './templates';

/**
 * What an alert type's interview does. Stored per alert type in MongoDB (`policies`, `_id` = type, or
 * "default"); a running workflow keeps the copy it loaded, so later edits do not change it.
 */
const duration = z.string().refine(isDuration, { error: 'expected a duration such as "15m", "4h" or "7d"' });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day as HH:MM' });
const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, { error: 'expected a Slack channel id such as "C0123ABCD"' });
// The report or verdict sent there names the employee.
const personalDataUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .refine(httpsOrLocalhost, { error: HTTPS_OR_LOCALHOST_ERROR });
const secretName = (variable: string) =>
  z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, {
    error: `expected the name of a secret in ${variable} (letters, digits, _ . -)`,
  });
const SUPPRESSION_SCOPES = ['details', 'keys', 'type'] as const;

function suppressionProblem(s: {
  scope?: string;
  keys: string[];
}): { field: string; message: string } | null {
  if (s.scope === 'type' && s.keys.length > 0)
    return {
      field: 'keys',
      message: 'must be empty with scope "type" (it covers every alert of the type): remove keys or scope',
    };
  if (s.scope === 'keys' && s.keys.length === 0)
    return {
      field: 'keys',
      message: 'scope "keys" needs the detail keys that must match, e.g. keys: [sourceIp]',
    };
  if (s.scope === 'details' && s.keys.length > 0)
    return {
      field: 'keys',
      message: 'scope "details" already covers every detail: remove keys, or write scope: keys',
    };
  return null;
}

const TEMPLATE_MAX = 1500;

function templateIssue(text: string): string | null {
  if (text.length === 0) return 'must not be empty';
  if (text.length > TEMPLATE_MAX) return `is at most ${TEMPLATE_MAX} characters`;
  return templateProblem(text);
}

/** One template for every language, or one per language (`{ en: "…", de: "…" }`). */
const template = z
  .custom<LocalizedTemplate>(() => true)
  .superRefine((value, ctx) => {
    const check = (text: unknown, path: string[]) => {
      const problem = typeof text === 'string' ? templateIssue(text) : 'expected text (a template)';
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    };
    if (typeof value === 'string') return check(value, []);
    const languages = LANGUAGES.join(', ');
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      Object.keys(value).length === 0
    )
      return ctx.addIssue({
        code: 'custom',
        message: `expected a template, or one per language such as { en: "…", de: "…" } (languages: ${languages})`,
      });
    for (const [language, text] of Object.entries(value)) {
      if (isLanguage(language)) check(text, [language]);
      else
        ctx.addIssue({
          code: 'custom',
          path: [language],
          message: `Vouch has no messages in "${language}": use ${languages} (other languages get English)`,
        });
    }
  });

/**
 * The AI interviewer: follow-up questions in the DM thread once the outcome is decided, and
 * an analyst summary. Off by default: turning it on keeps the interview open for the conversation.
 */
export const DEFAULT_FOLLOW_UP_QUESTIONS = [
  'What were you doing when this happened, and why?',
  'Did someone ask you to do this, or is there a ticket or change request for it?',
  'Do you recognise the device, place or network it came from?',
];
const followUpsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** model: questions proposed by the configured LLM (scripted when none is configured or it fails). */
    questions: z.enum(['model', 'scripted']).default('model'),
    maxQuestions: z.number().int().min(1).max(5).default(3),
    /** How long each question waits for its answer; an unanswered question ends the conversation. */
    answerTimeout: duration.default('30m'),
    /** Asked in order when the model is not used, and in place of any machine-written question that fails the checks. */
    scripted: z.array(z.string().trim().min(1).max(300)).min(1).max(10).default(DEFAULT_FOLLOW_UP_QUESTIONS),
    /** A machine-written analyst summary of the conversation (needs a model). */
    summary: z.boolean().default(true),
  })
  .strict()
  .default({
    enabled: false,
    questions: 'model',
    maxQuestions: 3,
    answerTimeout: '30m',
    scripted: DEFAULT_FOLLOW_UP_QUESTIONS,
    summary: true,
  });

/**
 * Alert storms: while an employee has an open interview, new alerts that the policy groups with it
 * join it (one DM, one answer) instead of starting a DM each; at most `maxOpenPerEmployee` separate
 * interviews are open per employee, and further alerts wait their turn.
 */
export const ROLLUP_GROUPINGS = ['fingerprint', 'type', 'employee'] as const;
const rollupSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Which alerts join an open interview: `fingerprint` (same type and same suppression fingerprint),
     * `type` (same alert type) or `employee` (any alert whose policy also groups by employee).
     */
    by: z.enum(ROLLUP_GROUPINGS).default('fingerprint'),
    maxOpenPerEmployee: z.number().int().min(1).max(20).default(3),
    /** Join only interviews started at most this long ago; without it, any open interview. */
    window: duration
      // Checked after the format (zod runs every refinement): only a well-formed duration is parsed.
      .refine((d) => !isDuration(d) || parseDuration(d) > 0, {
        error: 'expected a duration above zero, e.g. "30m"',
      })
      .optional(),
  })
  .strict()
  .default({ enabled: true, by: 'fingerprint', maxOpenPerEmployee: 3 });
export type RollupPolicy = z.infer<typeof rollupSchema>;

/**
 * What happens when the employee does not answer by the deadline, instead of escalating at once: ask
 * their manager (directory `manager`) and wait, then escalate. Written as a list of steps, or as
 * { steps, onManagerConfirms }.
 */
const ladderStep = z
  .object({
    ask: z.literal('manager').optional(),
    wait: duration.optional(),
    escalate: z.literal('security').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.ask === undefined) === (s.escalate === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'each step is either { ask: manager, wait: 30m } or { escalate: security }',
      });
    else if (s.ask && !s.wait)
      ctx.addIssue({
        code: 'custom',
        path: ['wait'],
        message: 'how long to wait for the manager, e.g. "30m"',
      });
    else if (s.escalate && s.wait)
      ctx.addIssue({ code: 'custom', path: ['wait'], message: 'an escalate step has no wait: remove it' });
  });
const ladderSchema = z.preprocess(
  (v) => (Array.isArray(v) ? { steps: v } : v),
  z
    .object({
      steps: z.array(ladderStep).max(5).default([]),
      /**
       * The manager says they know about it: `escalate` (with lower priority: the default) or `close`
       * (outcome manager_confirmed). Never verified: the employee did not prove anything.
       */
      onManagerConfirms: z.enum(['escalate', 'close']).default('escalate'),
    })
    .strict()
    .default({ steps: [], onManagerConfirms: 'escalate' }),
);
export type LadderPolicy = z.infer<typeof ladderSchema>;

export const policySchema = z
  .object({
    /** false: alerts of this type are recorded and closed `disabled_by_policy`, nobody is asked. */
    enabled: z.boolean().default(true),
    /** approval: an operator approves each interview in the security channel before the employee is asked. */
    mode: z.enum(['automatic', 'approval']).default('automatic'),
    approval: z
      .object({
        timeout: duration.default('1h'),
        /** What happens when no operator decides in time. */
        onTimeout: z.enum(['interview', 'skip']).default('interview'),
        /**
         * Who is asked to approve: Slack user ids (U…) or user group ids (S…), mentioned in the request;
         * Teams operators by Entra object id (`aad:<object id>`) or, like anyone, by directory email.
         */
        approvers: z
          .array(
            z
              .string()
              .regex(
                /^([UW][A-Z0-9]{2,}|S[A-Z0-9]{2,}|aad:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[^\s@<>]+@[^\s@<>]+)$/,
                {
                  error:
                    'expected a Slack user id (U…) or user group id (S…), aad:<Entra object id> (lower case) or a directory email',
                },
              ),
          )
          .max(20)
          .default([]),
      })
      .strict()
      .default({ timeout: '1h', onTimeout: 'interview', approvers: [] }),
    /**
     * How the employee is asked, in the order tried: `slack` (a DM) and `email` (a one-time link to
     * Vouch's answer page). Left out: Slack only, as before the field existed.
     */
    channels: channelsSchema.optional(),
    /** Reminders, measured from the first DM. */
    reminders: z.array(duration).max(10).default(['15m', '1h']),
    deadline: duration.default('4h'),
    /** When enabled, reminders and the deadline only count time inside the employee's working hours. */
    workingHours: z
      .object({
        enabled: z.boolean().default(false),
        start: clock.default('09:00'),
        end: clock.default('18:00'),
        /** ISO weekdays: 1 = Monday … 7 = Sunday. */
        days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
      })
      .strict()
      .default({ enabled: false, start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] }),
    secondFactor: z
      .object({
        required: z.boolean().default(true),
        attempts: z.number().int().min(1).max(10).default(3),
        whenNotEnrolled: z.enum(['escalate', 'accept']).default('escalate'),
      })
      .strict()
      .default({ required: true, attempts: 3, whenNotEnrolled: 'escalate' }),
    suppression: z
      .object({
        /** How long a verified confirmation suppresses the same activity for the same employee; "0s" disables. */
        window: duration.default('7d'),
        /**
         * What counts as the same activity (see `suppressionScope`): by default every non-sensitive
         * detail must match; `keys` names the details that must; `type` covers the whole alert type
         * and must be written out.
         */
        scope: z.enum(SUPPRESSION_SCOPES).optional(),
        /** Detail keys whose values form the fingerprint (same keys + same values = same activity). */
        keys: z.array(z.string().max(100)).max(20).default([]),
      })
      .strict()
      .superRefine((s, ctx) => {
        const problem = suppressionProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
      })
      .default({ window: '7d', keys: [] }),
    escalation: z
      .object({
        /** Channel for this type's escalations; default: VOUCH_SECURITY_CHANNEL. */
        channel: channelId.optional(),
        /** PagerDuty Events API v2: an incident per escalated alert (dedup key = alert id). */
        pagerDuty: z
          .object({
            routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, {
              error:
                "expected the 32-character integration key of a PagerDuty service's Events API v2 integration",
            }),
            /** Default: from the alert's severity (critical → critical, high → error, medium → warning, low → info). */
            severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
          })
          .strict()
          .optional(),
        /** A signed JSON POST per escalation (and when an operator resolves it). */
        webhook: z
          .object({
            // The report in the body names the employee: https, except to this machine (tests, a local relay).
            url: personalDataUrl,
            /** Name of the signing secret in VOUCH_WEBHOOK_SECRETS (the secret itself is never in a policy). */
            secret: secretName('VOUCH_WEBHOOK_SECRETS'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /**
     * Receivers of this type's verdicts (every outcome, signed CloudEvents), besides the global
     * VOUCH_VERDICT_WEBHOOKS; `secretName` names a Standard Webhooks secret in VOUCH_VERDICT_SECRETS.
     */
    verdicts: z
      .array(z.object({ url: personalDataUrl, secretName: secretName('VOUCH_VERDICT_SECRETS') }).strict())
      .max(10)
      .optional(),
    /**
     * The team's own words for the DM's opening line and the reminders; placeholders are made inert. One
     * text for every language, or one per language: a language without one gets Vouch's own words.
     */
    messages: z.object({ intro: template.optional(), reminder: template.optional() }).strict().default({}),
    followUps: followUpsSchema,
    rollup: rollupSchema,
    ladder: ladderSchema,
    /**
     * After a "yes" verified with the second factor, the employee may ask to keep the same alerts
     * (same type and fingerprint) quiet for up to `max` ("0s": not offered), with an operator's
     * approval in the security channel when `approval` is true.
     */
    snooze: z
      .object({
        max: duration
          // Checked after the format (zod runs every refinement): only a well-formed duration is parsed.
          .refine((d) => !isDuration(d) || parseDuration(d) <= SNOOZE_LIMIT_MS, {
            error: 'expected at most "90d": a snooze keeps alerts quiet for a while, not for good',
          })
          .default('0s'),
        approval: z.boolean().default(false),
      })
      .strict()
      .default({ max: '0s', approval: false }),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = snoozeProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', path: ['snooze', 'max'], message: problem });
  });

/** The longest snooze a policy may allow. */
const SNOOZE_LIMIT_MS = 90 * 86_400_000;

/** A snooze covers what the verified "yes" already suppresses for `suppression.window`: it must last longer. */
function snoozeProblem(p: { snooze: { max: string }; suppression: { window: string } }): string | null {
  const { max } = p.snooze;
  const { window } = p.suppression;
  if (!isDuration(max) || !isDuration(window)) return null;
  const maxMs = parseDuration(max);
  if (maxMs === 0 || maxMs > parseDuration(window)) return null;
  return `must be longer than suppression.window (${window}): a verified "yes" already keeps the same alerts quiet that long; raise snooze.max, shorten the window, or write "0s" to turn the snooze off`;
}

export type Policy = z.infer<typeof policySchema>;

/** The channels a policy asks through, in order; `[slack]` when it names none. */
export function policyChannels(p: Pick<Policy, 'channels'>): readonly ChannelName[] {
  return p.channels ?? DEFAULT_CHANNELS;
}

/** Which later alerts a verified confirmation suppresses: see `suppressionScope`. */
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];

/**
 * The scope a policy's suppression has: `type` only when written out; `keys` when it names detail
 * keys; otherwise `details`, every non-sensitive detail (an empty `keys`, the old way of writing the
 * default, is the default too).
 */
export function suppressionScope(s: Pick<Policy['suppression'], 'scope' | 'keys'>): SuppressionScope {
  if (s.scope) return s.scope;
  return s.keys.length > 0 ? 'keys' : 'details';
}

/** Why a warning belongs with the policy: a type-wide suppression silences unlike alerts too. */
export function suppressionWarning(s: Pick<Policy['suppression'], 'scope' | 'window'>): string | null {
  if (s.scope !== 'type' || !isDuration(s.window) || parseDuration(s.window) === 0) return null;
  return `suppression.scope is "type": after one verified "yes", every alert of this type for that employee is closed without asking for ${s.window}, whatever its details (whoever holds their session gets that window too); leave scope out to suppress only alerts with the same details`;
}
export const DEFAULT_POLICY: Policy = policySchema.parse({});
