import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../support/workers';

const HISTORY_DIR = join(__dirname, '..', 'histories');
const files = readdirSync(HISTORY_DIR).filter((name) => name.endsWith('.json')).sort();

describe('recorded workflow histories replay without non-determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')));
    const replayed = Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: file }, [
      { workflowId: file, history },
    ]);
    for await (const result of replayed) {
      expect(result.error).toBeUndefined();
    }
  });
});
