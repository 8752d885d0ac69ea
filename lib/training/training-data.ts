import { currentEmbedder } from '../embedding/registry';
import type { FeatureRow, FeatureStore } from '../features/feature-store';
import { TrainingDataError } from '../model/classifier';
import { stratifiedSplit, type DatasetSplit } from '../model/split';
import type { ObjectStore } from '../storage/object-store';
import type { MlflowClient } from '../tracking/mlflow-client';
import { MlflowError } from '../tracking/mlflow-error';
import { RUN_ARTIFACTS, RUN_PARAMS } from '../tracking/run-names';
import type { SplitArtifact } from '../tracking/training-run';
import { runParam, type Run } from '../tracking/types';
import type { DataSelection, TrainingData } from './types';

/** Where a training's papers come from, and where its split is saved. */
export interface TrainingDataSources {
  mlflow: MlflowClient;
  store: ObjectStore;
  features: FeatureStore;
}

export const SPLIT_FRACTIONS = { test: 0.2, validation: 0.1 };
export const DEFAULT_MIN_EXAMPLES = 20;
/** The split's seed, unless a single-model training's hyperparameters name another. */
export const SPLIT_SEED = 42;

function dayBound(day: string | undefined, endOfDay: boolean): Date | undefined {
  if (!day) return undefined;
  return new Date(`${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
}

function splitArtifact(split: DatasetSplit<FeatureRow>, seed: number): SplitArtifact {
  return {
    seed,
    train: split.train.map((row) => row.arxivId),
    validation: split.validation.map((row) => row.arxivId),
    test: split.test.map((row) => ({ id: row.arxivId, label: row.primaryCategory })),
  };
}

/** Short enough for an MLflow param. */
function listParam(items: readonly string[], empty = 'none'): string {
  return items.length <= 60 ? items.join(',') || empty : `${items.length} items`;
}

/** The classes a split trains on, sorted. */
export function classesOf(data: TrainingData): string[] {
  return [...new Set(data.split.train.map((row) => row.primaryCategory))].sort();
}

async function savedSplit(mlflow: MlflowClient, run: Run): Promise<SplitArtifact | undefined> {
  try {
    return JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.split)).toString('utf8')) as SplitArtifact;
  } catch (error) {
    if (error instanceof MlflowError && error.notFound) return undefined;
    throw error;
  }
}

/** The rows of a saved split still stored, and the stored classes it leaves out. */
function resplit(rows: FeatureRow[], saved: SplitArtifact): Pick<TrainingData, 'excludedClasses' | 'split'> {
  const byId = new Map(rows.map((row) => [row.arxivId, row]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((row): row is FeatureRow => row !== undefined);
  const split = {
    train: pick(saved.train),
    validation: pick(saved.validation),
    test: pick(saved.test.map(({ id }) => id)),
  };
  const kept = new Set([...split.train, ...split.validation, ...split.test].map((row) => row.primaryCategory));
  const excludedClasses = [...new Set(rows.map((row) => row.primaryCategory))]
    .filter((label) => !kept.has(label))
    .sort();
  return { excludedClasses, split };
}

/** A new stratified split of the rows, leaving out the classes with fewer than `minExamples` papers. */
function newSplit(
  rows: FeatureRow[],
  minExamples: number,
  seed: number,
): Pick<TrainingData, 'excludedClasses' | 'split'> {
  const perClass = new Map<string, number>();
  for (const row of rows) perClass.set(row.primaryCategory, (perClass.get(row.primaryCategory) ?? 0) + 1);
  const excludedClasses = [...perClass]
    .filter(([, n]) => n < minExamples)
    .map(([label]) => label)
    .sort();
  const excluded = new Set(excludedClasses);
  const kept = rows.filter((row) => !excluded.has(row.primaryCategory));
  const split = stratifiedSplit(
    kept,
    (row) => row.primaryCategory,
    (row) => row.arxivId,
    SPLIT_FRACTIONS,
    seed,
  );
  return { excludedClasses, split };
}

/**
 * Selects the features and splits them, saving the split to `run`. A resumed run (or a
 * candidate of a parent run) reuses the embedder version and the split saved there, so new
 * ingestions or a refitted embedder cannot change a training midway.
 */
export async function selectTrainingData(
  sources: TrainingDataSources,
  run: Run,
  input: DataSelection,
  seed: number,
): Promise<TrainingData> {
  const { mlflow } = sources;
  const embedderVersion =
    runParam(run, RUN_PARAMS.embedderVersion) ??
    input.embedderVersion ??
    (await currentEmbedder(sources.store))?.version;
  if (!embedderVersion) throw new TrainingDataError('no embedder has been fitted yet: run `mlops run ingest` first');
  const rows = await sources.features.select({
    embedderVersion,
    from: dayBound(input.from, false),
    until: dayBound(input.until, true),
  });
  const saved = await savedSplit(mlflow, run);
  if (saved) return { embedderVersion, storedRows: rows.length, ...resplit(rows, saved) };
  const { excludedClasses, split } = newSplit(rows, input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES, seed);
  await mlflow.uploadArtifact(run, RUN_ARTIFACTS.split, JSON.stringify(splitArtifact(split, seed)), 'application/json');
  return { embedderVersion, storedRows: rows.length, excludedClasses, split };
}

/** The params describing a training's data, logged once per run. */
export function trainingDataParams(
  input: DataSelection,
  data: TrainingData,
  classes: string[],
): Record<string, string | number> {
  const { split } = data;
  return {
    [RUN_PARAMS.embedderVersion]: data.embedderVersion,
    data_from: input.from ?? 'all',
    data_until: input.until ?? 'all',
    min_examples_per_class: input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES,
    classes: classes.length <= 60 ? classes.join(',') : `${classes.length} classes (see label_encoder.json)`,
    class_count: classes.length,
    excluded_classes: listParam(data.excludedClasses),
    [RUN_PARAMS.storedRows]: data.storedRows,
    train_rows: split.train.length,
    validation_rows: split.validation.length,
    test_rows: split.test.length,
    split_test_fraction: SPLIT_FRACTIONS.test,
    split_validation_fraction: SPLIT_FRACTIONS.validation,
  };
}
