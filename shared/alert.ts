import { z } from 'zod';
import { SEVERITIES } from './constants';

/**
 * The one input of `alertInterview`. Producers import this schema to validate before they start a
 * workflow; the CLI and `startInterview` validate with it too, so a malformed alert never starts one.
 */
const detailValue = z.union([z.string().max(2000), z.number(), z.boolean()]);

export const employeeRefSchema = z
  .object({
    email: z.email({ error: 'must be an email address, e.g. "ana@example.com"' }).optional(),
    slackUserId: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, { error: 'must be a Slack user id such as "U024BE7LH"' })
      .optional(),
    username: z.string().min(1).max(256).optional(),
  })
  .strict()
  .refine((e) => e.email !== undefined || e.slackUserId !== undefined || e.username !== undefined, {
    error: 'needs at least one of email, slackUserId or username',
  });

export const alertInputSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1–128 characters of A-Z a-z 0-9 . _ : -' }),
    type: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, {
      error: 'must be 1–128 characters of A-Z a-z 0-9 . _ : - (it selects the policy)',
    }),
    title: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
    description: z.string().max(4000).default(''),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
    occurredAt: z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 time, e.g. "2026-11-21T10:15:00Z"',
    }),
    source: z.string().trim().min(1, { error: 'must name the system that raised the alert' }).max(200),
    employee: employeeRefSchema,
    details: z
      .record(z.string().max(100), detailValue, {
        error: 'must be a flat map of strings, numbers or booleans',
      })
      .refine((d) => Object.keys(d).length <= 50, { error: 'may hold at most 50 keys' })
      .default({}),
    sensitiveKeys: z.array(z.string().max(100)).max(50).default([]),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  })
  .strict();

export type AlertInput = z.infer<typeof alertInputSchema>;
/** What a producer may send: defaults (description, details, sensitiveKeys) may be left out. */
export type AlertInputDraft = z.input<typeof alertInputSchema>;

export interface FieldProblem {
  field: string;
  problem: string;
}

export class InvalidAlertError extends Error {
  override readonly name = 'InvalidAlertError';
  constructor(readonly problems: FieldProblem[]) {
    super(
      `Invalid alert: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${p.field}: ${p.problem}`).join('\n'),
    );
  }
}

/** Parses an alert; throws InvalidAlertError listing every bad field and what it expects. */
export function parseAlert(input: unknown): AlertInput {
  const result = alertInputSchema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidAlertError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : '(alert)',
      problem: describeIssue(issue),
    })),
  );
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return issue.message.startsWith('Invalid input')
      ? `is required (a ${issue.expected})`
      : `is required: ${issue.message}`;
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}: remove them`;
  return issue.message;
}
