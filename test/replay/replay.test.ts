import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../support/workers';

const HISTORY_DIR = join(__dirname, '..', 'histories');
const IDS_FILE = 'workflow-ids.json';
const files = readdirSync(HISTORY_DIR)
  .filter((name) => name.endsWith('.json') && name !== IDS_FILE)
  .sort();
/** The ids the histories ran under: a workflow that names its children after its own id replays only under it. */
const recordedIds = JSON.parse(readFileSync(join(HISTORY_DIR, IDS_FILE), 'utf8')) as Record<string, string>;

describe('recorded workflow histories replay without non-determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')));
    const replayed = Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: file }, [
      { workflowId: recordedIds[file] ?? file, history },
    ]);
    for await (const result of replayed) {
      expect(result.error).toBeUndefined();
    }
  });
});
