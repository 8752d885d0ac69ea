import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import { loadEmbedder } from '../lib/embedding/registry';
import { TrainingDataError, evaluateLabels } from '../lib/model/classifier';
import { argmaxRows, type PaperInput } from '../lib/model/family';
import { readRawBatch } from '../lib/storage/raw-batch';
import { announcePromotion } from '../lib/tracking/promotions';
import {
  EMBEDDER_VERSION_PARAM,
  RUN_ARTIFACTS,
  RUN_TAGS,
  loadTrainedModel,
  type SplitArtifact,
  type TestPredictions,
  type TrainedModel,
} from '../lib/tracking/training-run';
import { runParam } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

/** Champion and candidate scored on the same papers: the candidate's test set minus what the champion trained on. */
export interface ChampionScore {
  version: string;
  runId: string;
  /** Macro-F1 of the champion on the shared test papers. */
  macroF1: number;
  accuracy: number;
  /** Macro-F1 of the candidate on the same papers. */
  candidateMacroF1: number;
  sharedTestRows: number;
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
  /** The alias moved to another version after the champion was scored: score again. */
  championChanged: boolean;
  /** Why, in a sentence, for the summary and the run's tags. */
  reason: string;
  alias: string;
}

export function createPromotionActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName, alias } = deps.config.tracking;

  /**
   * The champion's inputs for the test papers: its own stored vectors when it shares them, else
   * the raw text embedded by its embedder; and the raw text itself when its family reads text.
   */
  async function championInputs(
    champion: TrainedModel,
    candidateEmbedder: string,
    ids: string[],
  ): Promise<{ inputs: Map<string, PaperInput>; reembedded: number }> {
    const inputs = new Map<string, PaperInput>();
    if (!champion.model.readsText)
      for (const row of await deps.features.byIds(champion.embedderVersion, ids))
        inputs.set(row.arxivId, { vector: row.vector });
    const missing = ids.filter((id) => !inputs.has(id));
    if (missing.length === 0) return { inputs, reembedded: 0 };
    const lineage = await deps.features.byIds(candidateEmbedder, missing);
    const embedder = champion.model.readsText ? undefined : await loadEmbedder(deps.store, champion.embedderVersion);
    const wanted = new Set(missing);
    for (const rawKey of new Set(lineage.map((row) => row.lineage.rawKey))) {
      for (const record of await readRawBatch(deps.store, rawKey)) {
        if (!wanted.has(record.id) || inputs.has(record.id)) continue;
        const text = paperText(record);
        inputs.set(record.id, embedder ? { vector: embedder.embed(text) } : { text, title: record.title });
      }
      Context.current().heartbeat({ reading: rawKey });
    }
    return { inputs, reembedded: embedder ? missing.length : 0 };
  }

  /**
   * Scores the current champion (the registry alias) on the candidate run's test set, so the two
   * macro-F1 values compare the same papers. Undefined when there is no champion yet.
   */
  async function scoreChampion(input: { candidateRunId: string }): Promise<ChampionScore | undefined> {
    return failFastOn(async () => {
      const version = await mlflow.getVersionByAlias(modelName, alias);
      if (!version?.run_id || version.run_id === input.candidateRunId) return undefined;
      const candidate = await mlflow.getRun(input.candidateRunId);
      const championRun = await mlflow.getRun(version.run_id);
      const [candidatePredictions, championSplit] = await Promise.all([
        mlflow
          .downloadArtifact(candidate, RUN_ARTIFACTS.testPredictions)
          .then((bytes) => JSON.parse(bytes.toString('utf8')) as TestPredictions),
        mlflow
          .downloadArtifact(championRun, RUN_ARTIFACTS.split)
          .then((bytes) => JSON.parse(bytes.toString('utf8')) as SplitArtifact),
      ]);
      // Papers the champion learned from would flatter it: compare on the others only.
      const seen = new Set([...championSplit.train, ...championSplit.validation]);
      const shared = candidatePredictions.ids.flatMap((id, i) => (seen.has(id) ? [] : [i]));
      if (shared.length === 0)
        throw new TrainingDataError(
          `every test paper of run ${input.candidateRunId} was used to train the champion: no fair comparison`,
        );
      const ids = shared.map((i) => candidatePredictions.ids[i]!);
      const labels = shared.map((i) => candidatePredictions.labels[i]!);
      const champion = await loadTrainedModel(mlflow, championRun);
      try {
        const candidateEmbedder = runParam(candidate, EMBEDDER_VERSION_PARAM) ?? champion.embedderVersion;
        const { inputs, reembedded } = await championInputs(champion, candidateEmbedder, ids);
        const missing = ids.filter((id) => !inputs.has(id)).length;
        if (missing > 0) {
          throw new TrainingDataError(
            `the champion (version ${version.version}) could not be scored on ${missing} test papers: their raw text is gone`,
          );
        }
        const probabilities = champion.model.probabilities(ids.map((id) => inputs.get(id)!));
        const predicted = Array.from(argmaxRows(probabilities, champion.model.classes), (code) =>
          champion.encoder.decode(code),
        );
        const championScore = evaluateLabels(labels, predicted);
        const candidateScore = evaluateLabels(
          labels,
          shared.map((i) => candidatePredictions.predictions[i]!),
        );
        return {
          version: version.version,
          runId: version.run_id,
          macroF1: championScore.macroF1,
          accuracy: championScore.accuracy,
          candidateMacroF1: candidateScore.macroF1,
          sharedTestRows: ids.length,
          reembedded,
        };
      } finally {
        champion.model.dispose();
      }
    });
  }

  /**
   * Registers the run's model as a new version (once, even when retried) and moves the alias to
   * it only if its macro-F1 is not worse than the champion's on the same test papers. The
   * decision and both scores are written to the run as tags. When the alias moved since the
   * champion was scored, nothing is decided: the workflow scores the new champion first.
   */
  async function registerAndPromote(input: PromotionInput): Promise<PromotionResult> {
    return failFastOn(async () => {
      const run = await mlflow.getRun(input.runId);
      await mlflow.ensureRegisteredModel(
        modelName,
        'arXiv primary-category classifier (TF.js MLP over LSA embeddings)',
      );
      const [existing] = await mlflow.modelVersionsOfRun(modelName, input.runId);
      const version =
        existing ??
        (await mlflow.createModelVersion(modelName, run, RUN_ARTIFACTS.modelDir, {
          test_macro_f1: input.candidateMacroF1.toFixed(6),
        }));
      const { champion } = input;
      const current = await mlflow.getVersionByAlias(modelName, alias);
      const result = (promoted: boolean, reason: string, championChanged = false): PromotionResult => ({
        modelName,
        modelVersion: version.version,
        promoted,
        championChanged,
        reason,
        alias,
      });
      if (current?.version === version.version) return result(true, 'already the champion');
      if (current?.version !== champion?.version) {
        // Another training moved the alias after this one scored the champion: the workflow scores again.
        return result(
          false,
          `the champion became v${current?.version ?? 'none'} while this run was compared with v${champion?.version ?? 'none'}`,
          true,
        );
      }
      const candidateScore = champion ? champion.candidateMacroF1 : input.candidateMacroF1;
      let promoted: boolean;
      let reason: string;
      if (!champion) {
        promoted = true;
        reason = 'first model: promoted';
      } else {
        const comparison = `on the ${champion.sharedTestRows} test papers neither model trained on`;
        promoted = champion.candidateMacroF1 >= champion.macroF1;
        reason = promoted
          ? `macro-F1 ${champion.candidateMacroF1.toFixed(4)} ≥ champion v${champion.version}'s ${champion.macroF1.toFixed(4)} ${comparison}`
          : `macro-F1 ${champion.candidateMacroF1.toFixed(4)} < champion v${champion.version}'s ${champion.macroF1.toFixed(4)} ${comparison}: champion kept`;
      }
      if (promoted) await mlflow.setAlias(modelName, alias, version.version);
      await mlflow.setTags(input.runId, {
        [RUN_TAGS.decision]: promoted ? 'promoted' : 'kept-champion',
        [RUN_TAGS.candidateMacroF1]: candidateScore.toFixed(6),
        [RUN_TAGS.championMacroF1]: champion ? champion.macroF1.toFixed(6) : 'none',
        [RUN_TAGS.championVersion]: champion ? champion.version : 'none',
        [RUN_TAGS.modelVersion]: version.version,
        'mlops.promotion.shared_test_rows': champion ? String(champion.sharedTestRows) : 'none',
        'mlops.promotion.reason': reason,
      });
      if (promoted) {
        // Serving APIs reload now rather than at their next poll; if nobody hears it, the poll still does.
        await announcePromotion(deps.redis, { modelName, alias, version: version.version, runId: input.runId }).catch(
          () => 0,
        );
      }
      return result(promoted, reason);
    });
  }

  return { scoreChampion, registerAndPromote };
}
