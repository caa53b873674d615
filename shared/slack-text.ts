/**
 * Text for Slack, made safe and short enough in one place. Slack refuses a whole message or view
 * (`invalid_blocks`, `msg_too_long`) when one text is over its limit, so every text Vouch sends is cut
 * to the limit of where it goes, and cut *last*: escaping (`&` → `&amp;`) and defanging (`.` → `[.]`)
 * make text longer. Lengths are counted in UTF-16 code units, never less than Slack's characters.
 */
export const SLACK_LIMITS = {
  /** `text` of a section block, and of any mrkdwn or plain_text object not listed below. */
  sectionText: 3000,
  /** Each of a section's `fields`, of which a section holds at most `sectionFields`. */
  field: 2000,
  sectionFields: 10,
  header: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  blockId: 255,
  /** Blocks in a message; in a modal or the App Home. */
  messageBlocks: 50,
  viewBlocks: 100,
  /** A message's top-level `text` (Slack answers msg_too_long above it). */
  messageText: 40_000,
  viewTitle: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  placeholder: 150,
} as const;

const ELLIPSIS = '…';

/** `& < >` escaped, so alert data can never become a mention, a broadcast or a link in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** URLs and domain names that Slack would make links of, defanged: `https[:]//evil[.]example`. */
export function defangLinks(text: string): string {
  return defangSchemes(text).replace(/([a-z0-9-])\.(?=[a-z][a-z0-9-]*\b)/gi, '$1[.]');
}

/** URL schemes defanged (`https[:]//`), domain names left as they are. */
export function defangSchemes(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//');
}

/**
 * Control characters (NUL and the like, not line breaks or tabs) and lone halves of a surrogate pair
 * shown as `�`: they are invisible, and some clients and stores drop or refuse them.
 */
export function visibleControls(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\ufffd')
      // Half an emoji cannot be URL-encoded: Slack's client throws before the request is even sent.
      .replace(LONE_SURROGATE, '\ufffd')
  );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Cuts text that is already safe for Slack to `max` code units, ending with `…` when cut. Never
 * inside an escape such as `&amp;` (it would show as `&am…`) or between the two halves of an emoji.
 */
export function cutText(text: string, max: number): string {
  // Slack refuses an empty or blank text object; outside data can be nothing but spaces and line breaks.
  if (text.trim() === '') return '—';
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const amp = text.lastIndexOf('&', end - 1);
  const entity = amp >= 0 ? /^&(amp|lt|gt);/.exec(text.slice(amp, amp + 5)) : null;
  if (entity && amp + entity[0].length > end) end = amp;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** Outside text (alert data, a model's words) as mrkdwn: escaped, defanged, then cut to `max`. */
export function slackText(text: string, max: number): string {
  return cutText(defangLinks(escapeMrkdwn(visibleControls(text))), max);
}

/**
 * A detail key as mrkdwn, as the producer wrote it (`aws.region`, `$where`): escaped, with only a URL
 * scheme defanged. Keys are field names that people search for verbatim, so dots stay dots.
 */
export function keyText(key: string, max: number): string {
  return cutText(defangSchemes(escapeMrkdwn(visibleControls(key))), max);
}

/** Outside text for a plain_text object (Slack shows it literally): control characters shown, cut. */
export function plainText(text: string, max: number): string {
  return cutText(visibleControls(text), max);
}
