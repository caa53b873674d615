/**
 * Text that came from an alert or an employee, made safe to print to a terminal: C0 and C1 control
 * characters (escape sequences could move the cursor, rewrite earlier lines or set the window title)
 * and bidirectional overrides (they reorder what is shown) are removed; tab and newline stay.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '');
}

/**
 * JSON for a terminal or a pipe: the same data, with the characters JSON.stringify leaves raw (C1
 * controls, bidirectional overrides) written as \u escapes.
 */
export function printableJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const C0 = '\\u0000-\\u0008\\u000B-\\u001F';
const C1_AND_BIDI = '\\u007F-\\u009F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';
const UNPRINTABLE = new RegExp(`[${C0}${C1_AND_BIDI}]`, 'g');
const RAW_IN_JSON = new RegExp(`[${C1_AND_BIDI}]`, 'g');
