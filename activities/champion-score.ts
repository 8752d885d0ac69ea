import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import { loadEmbedder } from '../lib/embedding/registry';
import { TrainingDataError, evaluateLabels } from '../lib/model/classifier';
import { argmaxRows, type PaperInput } from '../lib/model/family';
import { readRawBatch } from '../lib/storage/raw-batch';
import { RUN_ARTIFACTS, RUN_PARAMS } from '../lib/tracking/run-names';
import {
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

/** The champion gate's CPU work: the serving model scored on a candidate's test papers. */
export function createChampionScoreActivities(deps: ActivityDeps) {
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
        const candidateEmbedder = runParam(candidate, RUN_PARAMS.embedderVersion) ?? champion.embedderVersion;
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

  return { scoreChampion };
}
