import { createHash } from 'node:crypto';
import { isHeldOut, type EmbedderHoldout } from '../embedding/holdout';
import { embedderKey, embedderManifest } from '../embedding/registry';
import type { FittedCandidate } from '../model/candidate-fit';
import { confusionMatrixSvg } from '../model/confusion-svg';
import { argmaxRows } from '../model/family';
import { chooseReferenceRows, referenceDataCsv, type ReferenceRow } from '../model/reference-data';
import type { ObjectStore } from '../storage/object-store';
import { readRawBatch } from '../storage/raw-batch';
import type { MlflowClient } from '../tracking/mlflow-client';
import { inputExample, mlModelFile } from '../tracking/mlmodel';
import { RUN_ARTIFACTS, RUN_METRICS, RUN_TAGS } from '../tracking/run-names';
import type { TestPredictions } from '../tracking/training-run';
import { modelCardOf } from './model-card';
import type { PaperWords } from './paper-texts';
import type { CandidateTraining, TrainingData } from './types';

/** Rows of reference_data.csv unless the training asks for another number. */
export const DEFAULT_REFERENCE_ROWS = 2_000;

/**
 * reference_data.csv's rows: papers the embedder was not fitted on (see lib/embedding/holdout),
 * with the trained model's predictions.
 */
export function referenceRowsOf(
  data: TrainingData,
  fitted: FittedCandidate,
  texts: Map<string, PaperWords> | undefined,
  holdout: EmbedderHoldout | undefined,
  limit: number,
): { rows: ReferenceRow[]; embedderInSample: boolean } {
  const choice = chooseReferenceRows(data.split, holdout ? (id) => isHeldOut(id, holdout) : undefined, limit);
  const testIndex = new Map(data.split.test.map((row, i) => [row.arxivId, i]));
  const others = choice.rows.filter(({ part }) => part !== 'test').map(({ row }) => row);
  const codes =
    others.length > 0
      ? argmaxRows(
          fitted.model.probabilities(others.map((row) => ({ vector: row.vector, ...texts?.get(row.arxivId) }))),
          fitted.model.classes,
        )
      : new Int32Array(0);
  const predicted = new Map(others.map((row, i) => [row.arxivId, fitted.encoder.decode(codes[i]!)]));
  const rows = choice.rows.map(({ row, part }): ReferenceRow => ({
    arxivId: row.arxivId,
    published: row.published,
    vector: row.vector,
    label: row.primaryCategory,
    prediction: part === 'test' ? fitted.testPredictions[testIndex.get(row.arxivId)!]! : predicted.get(row.arxivId)!,
    titleChars: row.text.titleChars,
    abstractChars: row.text.abstractChars,
    abstractWords: row.text.abstractWords,
    oovShare: row.text.oovShare,
  }));
  return { rows, embedderInSample: choice.embedderInSample };
}

/** The run's final metrics: validation and test scores (per class too), how the fit went. */
function finalMetricsOf(fitted: FittedCandidate, peakRss: number): Record<string, number> {
  const { test, validation } = fitted;
  const finalMetrics: Record<string, number> = {
    [RUN_METRICS.testAccuracy]: test.accuracy,
    [RUN_METRICS.testMacroF1]: test.macroF1,
    [RUN_METRICS.valAccuracy]: validation.accuracy,
    [RUN_METRICS.valMacroF1]: validation.macroF1,
    best_epoch: fitted.facts.bestEpoch,
    epochs_trained: fitted.facts.epochs,
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
  };
  Object.assign(finalMetrics, fitted.facts.metrics);
  for (const metrics of test.perClass) {
    finalMetrics[`${RUN_METRICS.testPrecisionOf}${metrics.label}`] = metrics.precision;
    finalMetrics[`${RUN_METRICS.testRecallOf}${metrics.label}`] = metrics.recall;
    finalMetrics[`${RUN_METRICS.testF1Of}${metrics.label}`] = metrics.f1;
  }
  return finalMetrics;
}

/** Validation and test metrics and every artifact of a finished training. */
export async function logResults(
  { mlflow, store }: { mlflow: MlflowClient; store: ObjectStore },
  training: CandidateTraining,
  fitted: FittedCandidate,
  texts: Map<string, PaperWords> | undefined,
  peakRss: number,
): Promise<void> {
  const { run, selection, data } = training;
  const runId = run.info.run_id;
  const { test } = fitted;
  const { split } = data;
  await mlflow.logMetrics(runId, finalMetricsOf(fitted, peakRss));

  const manifest = await embedderManifest(store, data.embedderVersion);
  const referenceRows = referenceRowsOf(
    data,
    fitted,
    texts,
    manifest?.holdout,
    selection.referenceRows ?? DEFAULT_REFERENCE_ROWS,
  );
  await mlflow.setTags(runId, { [RUN_TAGS.referenceEmbedderInSample]: String(referenceRows.embedderInSample) });
  const predictions: TestPredictions = {
    ids: split.test.map((row) => row.arxivId),
    labels: split.test.map((row) => row.primaryCategory),
    predictions: fitted.testPredictions,
  };
  const kept = [...split.train, ...split.validation, ...split.test];
  const createdAt = new Date().toISOString();
  const modelCard = modelCardOf(training, fitted, peakRss, createdAt);
  const upload = (path: string, body: Buffer | string, type: string) => mlflow.uploadArtifact(run, path, body, type);
  // Self-contained: the embedder's exact bytes beside the model, so text → category needs MLflow alone.
  const embedderBytes = await store.get(embedderKey(data.embedderVersion));
  const embedderSha256 = createHash('sha256').update(embedderBytes).digest('hex');
  await upload(RUN_ARTIFACTS.embedder, embedderBytes, 'application/octet-stream');
  await upload(
    RUN_ARTIFACTS.embedderManifest,
    JSON.stringify({ ...manifest, version: data.embedderVersion, sha256: embedderSha256 }, null, 2),
    'application/json',
  );
  const [example] = kept.length > 0 ? await readRawBatch(store, kept[0]!.lineage.rawKey).catch(() => []) : [];
  await upload(
    RUN_ARTIFACTS.mlModel,
    mlModelFile({
      family: fitted.family,
      runId,
      createdAt,
      classes: [...fitted.encoder.classes],
      embedderVersion: data.embedderVersion,
      embedderSha256,
      backend: fitted.facts.backend,
    }),
    'text/yaml',
  );
  if (example)
    await upload(RUN_ARTIFACTS.inputExample, inputExample(example.title, example.abstract), 'application/json');
  for (const file of await fitted.modelFiles())
    await upload(`${RUN_ARTIFACTS.modelDir}/${file.name}`, file.body, file.contentType);
  await upload(RUN_ARTIFACTS.labelEncoder, JSON.stringify(fitted.encoder.toJSON(), null, 2), 'application/json');
  await upload(RUN_ARTIFACTS.referenceData, referenceDataCsv(referenceRows.rows), 'text/csv');
  await upload(RUN_ARTIFACTS.testPredictions, JSON.stringify(predictions), 'application/json');
  await upload(RUN_ARTIFACTS.confusionMatrix, confusionMatrixSvg(test.labels, test.confusion), 'image/svg+xml');
  await upload(RUN_ARTIFACTS.modelCard, JSON.stringify(modelCard, null, 2), 'application/json');
}
