import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/**
 * VOUCH_RECORD_HISTORIES=1 saves histories for the replay test (test/workflows/replay.test.ts);
 * any other value is a prefix for the file names (e.g. the release they come from), so histories of
 * an earlier release are kept beside the new ones.
 */
export function recordHistory(name: string, history: Parameters<typeof historyToJSON>[0]) {
  const mode = process.env.VOUCH_RECORD_HISTORIES;
  if (!mode) return;
  const file = mode === '1' ? name : `${mode}-${name}`;
  fs.writeFileSync(path.join(__dirname, '../fixtures/histories', `${file}.json`), historyToJSON(history));
}

/** Payload data in history is base64: decode every `data` field so a leak in a payload is visible too. */
export function extractPayloads(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'data' && typeof child === 'string') out.push(Buffer.from(child, 'base64').toString());
      else if (k === 'data' && child && typeof child === 'object' && 'length' in child)
        out.push(Buffer.from(child as Uint8Array).toString());
      else walk(child);
    }
  };
  walk(value);
  return out.join('\n');
}
