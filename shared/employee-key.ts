/**
 * The key an employee's second factors (TOTP, passkeys), spent codes, factor events and enrollment
 * links are kept under: the Slack user id when the employee has one, else `email:<lower-case email>`
 * for someone the directory knows only by email. Factors stored before this rule were keyed by Slack
 * id, which is still the key of anyone with Slack: nothing stored needs to move.
 */
export const EMAIL_KEY_PREFIX = 'email:';

export function employeeKey(e: { slackUserId?: string; email?: string }): string | undefined {
  if (e.slackUserId) return e.slackUserId;
  return e.email ? emailKey(e.email) : undefined;
}

export function emailKey(email: string): string {
  return `${EMAIL_KEY_PREFIX}${email.trim().toLowerCase()}`;
}

/** The Slack user id a key names, or undefined for an email key. */
export function slackIdOfKey(key: string): string | undefined {
  return key.startsWith(EMAIL_KEY_PREFIX) ? undefined : key;
}

/** The email an email key names, or undefined for a Slack key. */
export function emailOfKey(key: string): string | undefined {
  return key.startsWith(EMAIL_KEY_PREFIX) ? key.slice(EMAIL_KEY_PREFIX.length) : undefined;
}
