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
