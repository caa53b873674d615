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

/** Digits as people write them out, in English, German and Spanish (the languages Vouch's users write in). */
const DIGIT_WORDS = [
  'zero oh one two three four five six seven eight nine',
  'null eins zwei zwo drei vier fünf fuenf sechs sieben acht neun',
  'cero uno dos tres cuatro cinco seis siete ocho nueve',
].flatMap((language) => language.split(' '));
const DIGIT = `(?:\\p{Nd}|(?<![\\p{L}])(?:${DIGIT_WORDS.join('|')})(?![\\p{L}]))`;
/** What may stand between the digits of one code: spaces, dots, dashes, commas, slashes. */
const GAP = '[\\s.,\\-_/·•]{0,3}';
/** Exactly six digits (or digit words) in a row, with nothing digit-like right before or after. */
const CODE_SHAPED = new RegExp(`(?<!${DIGIT}${GAP})${DIGIT}(?:${GAP}${DIGIT}){5}(?!${GAP}${DIGIT})`, 'giu');

/**
 * Cuts out anything that looks like a second-factor code from free text an employee wrote, before it
 * reaches history, logs or a model: "123456", "123 456", "12 34 56", "1-2-3-4-5-6", full-width or
 * other-script digits, and digits spelled out ("one two three four five six", "eins zwei …",
 * "uno dos …", or mixed). Runs of more or fewer than six digits (IP addresses, dates, ticket numbers)
 * stay.
 */
export function withoutCodes(text: string): string {
  return text.normalize('NFKC').replace(CODE_SHAPED, '[6 digits removed]');
}
