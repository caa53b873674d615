/**
 * Second-factor codes travel to the workflow sealed (AES-256-GCM under VOUCH_ENCRYPTION_KEY, bound to
 * the workflow id and the Slack user; see lib/secret-box.ts), so a code never appears in Temporal
 * history. The bot checks the 6 digits before sealing; the workflow checks the sealed shape.
 */
export const SEALED_CODE_PATTERN =
  /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{8,64}\.[A-Za-z0-9_-]{22}$/;
export const PLAIN_CODE_PATTERN = /^\d{6}$/;

export function sealedCodeContext(workflowId: string, slackUserId: string): string {
  return `${workflowId}:${slackUserId}`;
}

/**
 * Cuts out anything that looks like a second-factor code ("123456", "123 456", "123-456", "123.456",
 * full-width digits) from free text an employee wrote, before it reaches history, logs or a model.
 */
export function withoutCodes(text: string): string {
  return text.normalize('NFKC').replace(/(?<!\d)\d{3}[\s.-]?\d{3}(?!\d)/g, '[6 digits removed]');
}
