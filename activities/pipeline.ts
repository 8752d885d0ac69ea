import { currentEmbedder } from '../lib/embedding/registry';
import { RUN_PARAMS } from '../lib/tracking/run-names';
import { runParam } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

/** The pipeline workflow's own step: whether there is reason to train now. */
export function createPipelineActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName, alias } = deps.config.tracking;

  /**
   * The pipeline's rule for training: when there is no champion, when the current embedder is not
   * the champion's, or when at least `minNewPapers` papers were stored since the champion's data.
   */
  async function trainingNeeded(input: { minNewPapers: number }): Promise<{ train: boolean; reason: string }> {
    return failFastOn(async () => {
      const embedder = await currentEmbedder(deps.store);
      if (!embedder) return { train: false, reason: 'no embedder has been fitted (nothing was ingested)' };
      const version = await mlflow.getVersionByAlias(modelName, alias);
      if (!version?.run_id) return { train: true, reason: `no model carries the alias "${alias}" yet` };
      const champion = await mlflow.getRun(version.run_id);
      if (runParam(champion, RUN_PARAMS.embedderVersion) !== embedder.version)
        return {
          train: true,
          reason: `the embedder changed (${runParam(champion, RUN_PARAMS.embedderVersion)} → ${embedder.version})`,
        };
      const trainedOn = Number(runParam(champion, RUN_PARAMS.storedRows) ?? 0);
      const stored = await deps.features.count({ embedderVersion: embedder.version });
      const fresh = stored - trainedOn;
      return fresh >= input.minNewPapers
        ? {
            train: true,
            reason: `${fresh} papers stored since champion v${version.version} trained (≥ ${input.minNewPapers})`,
          }
        : {
            train: false,
            reason: `only ${fresh} papers stored since champion v${version.version} trained (< ${input.minNewPapers})`,
          };
    });
  }

  return { trainingNeeded };
}
