import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** VOUCH_RECORD_HISTORIES=1 saves histories for the replay test (test/interview/replay.test.ts). */
export function recordHistory(name: string, history: Parameters<typeof historyToJSON>[0]) {
  if (!process.env.VOUCH_RECORD_HISTORIES) return;
  fs.writeFileSync(path.join(__dirname, '../fixtures/histories', `${name}.json`), historyToJSON(history));
}
