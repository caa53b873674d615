import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/interview-harness';

/**
 * Saved histories of real interviews (recorded with VOUCH_RECORD_HISTORIES=1 npm test) replayed
 * against today's workflow code: a change that breaks determinism for interviews in flight fails here.
 */
const dir = path.join(__dirname, '../fixtures/histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of saved alertInterview histories', () => {
  it('has saved histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    const bundle = await workflowBundle();
    const results = Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: file, history }]);
    for await (const result of results) expect(result.error).toBeUndefined();
  });
});
