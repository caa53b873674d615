import { z } from 'zod';

/**
 * One employee in the directory operators maintain (`vouch directory …`): the only way a username in an
 * alert (an AWS IAM user, a GitHub or Okta login: an "alias") maps to a person. Emails and aliases are
 * matched without regard to case, so both are kept in lower case.
 */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

const email = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: `${what} must be an email address, e.g. "ana@example.com"` }));

export const aliasSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, { error: 'an alias must not be empty' })
  .max(256, { error: 'an alias is at most 256 characters (as an alert username)' })
  .regex(/^[^\s;,]+$/, {
    error: 'an alias has no spaces, commas or semicolons (they separate aliases in a CSV file)',
  });

export const directoryEntrySchema = z
  .object({
    email: email('email'),
    slackUserId: z
      .string()
      .trim()
      .regex(SLACK_USER_ID, {
        error: 'must be a Slack user id such as "U024BE7LH" (profile → ⋮ → Copy member ID)',
      })
      .optional(),
    aadObjectId: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(
        z.guid({
          error:
            'must be a Microsoft Entra object id such as "8f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f" (Entra admin center → Users → the user → Object ID)',
        }),
      )
      .optional(),
    aliases: z.array(aliasSchema).default([]),
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: z
      .string()
      .trim()
      .refine(isTimeZone, { error: 'must be an IANA time zone such as "Europe/Lisbon"' })
      .optional(),
    manager: email('manager').optional(),
  })
  .strict()
  .refine((e) => e.manager !== e.email, {
    error: 'an employee cannot be their own manager',
    path: ['manager'],
  })
  .transform((e) => ({ ...e, aliases: [...new Set(e.aliases)].sort() }));

export type DirectoryEntry = z.output<typeof directoryEntrySchema>;
export type DirectoryEntryDraft = z.input<typeof directoryEntrySchema>;

/** The fields an entry may have, in the order files and listings show them. */
export const DIRECTORY_FIELDS = [
  'email',
  'slackUserId',
  'aadObjectId',
  'aliases',
  'name',
  'timeZone',
  'manager',
] as const;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
