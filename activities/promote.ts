import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import { loadEmbedder } from '../lib/embedding/registry';
import { evaluateLabels } from '../lib/model/classifier';
import { readRawBatch } from '../lib/storage/raw-batch';
import { RUN_ARTIFACTS, RUN_TAGS, loadTrainedModel, type SplitArtifact } from '../lib/tracking/training-run';
import { runParam } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

export interface ChampionScore {
  version: string;
  runId: string;
  /** Macro-F1 of the champion on the candidate's test set. */
  macroF1: number;
  accuracy: number;
  /** Test papers the champion's embedder had to embed from their raw text (its features were not stored). */
  reembedded: number;
}

export interface PromotionInput {
  runId: string;
  candidateMacroF1: number;
  champion: ChampionScore | undefined;
}

export interface PromotionResult {
  modelName: string;
  modelVersion: string;
  promoted: boolean;
  /** Why, in a sentence, for the summary and the run's tags. */
  reason: string;
  alias: string;
}

export function createPromotionActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName, alias } = deps.config.tracking;

  /** The champion's vectors for the test papers: stored features when it shares them, else embedded from raw text. */
  async function championVectors(embedderVersion: string, candidateEmbedder: string, ids: string[]): Promise<{ vectors: Map<string, Float32Array>; reembedded: number }> {
    const vectors = new Map((await deps.features.byIds(embedderVersion, ids)).map((row) => [row.arxivId, row.vector]));
    const missing = ids.filter((id) => !vectors.has(id));
    if (missing.length === 0) return { vectors, reembedded: 0 };
    const lineage = await deps.features.byIds(candidateEmbedder, missing);
    const embedder = await loadEmbedder(deps.store, embedderVersion);
    const wanted = new Set(missing);
    for (const rawKey of new Set(lineage.map((row) => row.lineage.rawKey))) {
      for (const record of await readRawBatch(deps.store, rawKey)) {
        if (wanted.has(record.id) && !vectors.has(record.id)) vectors.set(record.id, embedder.embed(paperText(record)));
      }
      Context.current().heartbeat({ reembedding: rawKey });
    }
    return { vectors, reembedded: missing.length };
  }

  /**
   * Scores the current champion (the registry alias) on the candidate run's test set, so the two
   * macro-F1 values compare the same papers. Undefined when there is no champion yet.
   */
  async function scoreChampion(input: { candidateRunId: string }): Promise<ChampionScore | undefined> {
    return failFastOn(async () => {
      const version = await mlflow.getVersionByAlias(modelName, alias);
      if (!version?.run_id) return undefined;
      const candidate = await mlflow.getRun(input.candidateRunId);
      const split = JSON.parse((await mlflow.downloadArtifact(candidate, RUN_ARTIFACTS.split)).toString('utf8')) as SplitArtifact;
      const champion = await loadTrainedModel(mlflow, await mlflow.getRun(version.run_id));
      try {
        const ids = split.test.map((row) => row.id);
        const candidateEmbedder = runParam(candidate, 'embedder_version') ?? champion.embedderVersion;
        const { vectors, reembedded } = await championVectors(champion.embedderVersion, candidateEmbedder, ids);
        const scored = split.test.filter((row) => vectors.has(row.id));
        if (scored.length < split.test.length) {
          throw new Error(`the champion (version ${version.version}) could not be scored on ${split.test.length - scored.length} test papers: their raw text is gone`);
        }
        const dimensions = champion.model.inputDimensions;
        const x = new Float32Array(scored.length * dimensions);
        scored.forEach((row, i) => x.set(vectors.get(row.id)!, i * dimensions));
        const predicted = Array.from(champion.model.predict(x, scored.length), (code) => champion.encoder.decode(code));
        const evaluation = evaluateLabels(scored.map((row) => row.label), predicted);
        return { version: version.version, runId: version.run_id, macroF1: evaluation.macroF1, accuracy: evaluation.accuracy, reembedded };
      } finally {
        champion.model.dispose();
      }
    });
  }

  /**
   * Registers the run's model as a new version (once, even when retried) and moves the alias to
   * it only if its macro-F1 is not worse than the champion's on the same test set. The decision
   * and both scores are written to the run as tags.
   */
  async function registerAndPromote(input: PromotionInput): Promise<PromotionResult> {
    return failFastOn(async () => {
      const run = await mlflow.getRun(input.runId);
      await mlflow.ensureRegisteredModel(modelName, 'arXiv primary-category classifier (TF.js MLP over LSA embeddings)');
      const [existing] = await mlflow.modelVersionsOfRun(modelName, input.runId);
      const version =
        existing ?? (await mlflow.createModelVersion(modelName, run, RUN_ARTIFACTS.modelDir, { test_macro_f1: input.candidateMacroF1.toFixed(6) }));
      const { champion } = input;
      let promoted: boolean;
      let reason: string;
      if (!champion) {
        promoted = true;
        reason = 'first model: promoted';
      } else if (champion.version === version.version) {
        promoted = true;
        reason = 'already the champion';
      } else if (input.candidateMacroF1 >= champion.macroF1) {
        promoted = true;
        reason = `macro-F1 ${input.candidateMacroF1.toFixed(4)} ≥ champion v${champion.version}'s ${champion.macroF1.toFixed(4)} on the same test set`;
      } else {
        promoted = false;
        reason = `macro-F1 ${input.candidateMacroF1.toFixed(4)} < champion v${champion.version}'s ${champion.macroF1.toFixed(4)} on the same test set: champion kept`;
      }
      if (promoted) await mlflow.setAlias(modelName, alias, version.version);
      await mlflow.setTags(input.runId, {
        [RUN_TAGS.decision]: promoted ? 'promoted' : 'kept-champion',
        [RUN_TAGS.candidateMacroF1]: input.candidateMacroF1.toFixed(6),
        [RUN_TAGS.championMacroF1]: champion ? champion.macroF1.toFixed(6) : 'none',
        [RUN_TAGS.championVersion]: champion ? champion.version : 'none',
        [RUN_TAGS.modelVersion]: version.version,
        'mlops.promotion.reason': reason,
      });
      return { modelName, modelVersion: version.version, promoted, reason, alias };
    });
  }

  return { scoreChampion, registerAndPromote };
}
