import { createHash } from 'node:crypto';
import { paperText } from '../arxiv/record';
import { EmbedderFormatError, deserializeEmbedder } from '../embedding/serialize';
import type { LsaEmbedder } from '../embedding/lsa-embedder';
import { TokenSpans } from '../embedding/tokenize';
import { argmaxRows, type ModelFamily, type PaperInput } from '../model/family';
import { MlflowError, type MlflowClient } from './mlflow-client';
import { RUN_ARTIFACTS } from './run-names';
import { loadTrainedModel, type TrainedModel } from './training-run';
import type { Run } from './types';

export interface PaperText {
  title: string;
  abstract: string;
}

export interface Prediction {
  category: string;
  /** One per class, in `classes` order. */
  probabilities: Float32Array;
  /** The paper as the model saw it: the embedder's vector. */
  vector: Float32Array;
  /** Share of the paper's tokens outside the embedder's vocabulary. */
  oovShare: number;
}

/**
 * A training run as a text → category predictor: its embedder (the exact bytes it was trained
 * with, checked against their sha256), its model and its label encoder — all from MLflow. The
 * inference API serves it; the monitor scores windows with it.
 */
export interface TextPredictor {
  runId: string;
  embedderVersion: string;
  family: ModelFamily;
  /** The model needs each paper's text, not only its stored vector (the tfidf-linear family). */
  readsText: boolean;
  /** Of the embedder's vectors. */
  dimensions: number;
  classes: readonly string[];
  embedder: LsaEmbedder;
  model: TrainedModel;
  /** Class probabilities (papers × classes) of papers already embedded (and with their text, for a model that reads it). */
  probabilities(papers: readonly PaperInput[]): Float32Array;
  /** The most probable category of each. */
  categories(papers: readonly PaperInput[]): string[];
  /** A paper as the model reads it (its vector, text and title) and its out-of-vocabulary share: predict's first step. */
  readPaper(paper: PaperText): ServingInput;
  predict(papers: readonly PaperText[]): Prediction[];
  dispose(): void;
}

export interface ServingInput extends PaperInput {
  vector: Float32Array;
  text: string;
  title: string;
  oovShare: number;
}

export class ModelArtifactError extends Error {
  override readonly name = 'ModelArtifactError';
  readonly permanent = true;
}

async function runEmbedder(client: MlflowClient, run: Run): Promise<LsaEmbedder | undefined> {
  let bytes: Buffer;
  let manifest: { version?: string; sha256?: string };
  try {
    [bytes, manifest] = await Promise.all([
      client.downloadArtifact(run, RUN_ARTIFACTS.embedder),
      client
        .downloadArtifact(run, RUN_ARTIFACTS.embedderManifest)
        .then((body) => JSON.parse(body.toString('utf8')) as { version?: string; sha256?: string }),
    ]);
  } catch (error) {
    if (error instanceof MlflowError && error.notFound) return undefined;
    throw error;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (manifest.sha256 && manifest.sha256 !== sha256) {
    throw new ModelArtifactError(
      `the embedder of run ${run.info.run_id} does not match its sha256 (${sha256} ≠ ${manifest.sha256}): the artifact is damaged`,
    );
  }
  return deserializeEmbedder(bytes);
}

/** A trained model and the embedder it was trained with, as one text → category predictor. */
export function textPredictor(model: TrainedModel, embedder: LsaEmbedder): TextPredictor {
  const dimensions = embedder.dimensions;
  const k = model.encoder.classes.length;
  const probabilities = (papers: readonly PaperInput[]) => model.model.probabilities(papers);
  const readsText = model.model.readsText;
  const readPaper = (paper: PaperText): ServingInput => {
    const text = paperText(paper);
    // A model reading the text reads the tokens the embedder scanned rather than scanning it again.
    const tokens = readsText ? new TokenSpans() : undefined;
    const { vector, oovShare } = embedder.embedWithCoverage(text, tokens);
    return { vector, text, title: paper.title, oovShare, tokens };
  };
  return {
    runId: model.runId,
    embedderVersion: model.embedderVersion,
    family: model.family,
    readsText,
    dimensions,
    classes: model.encoder.classes,
    embedder,
    model,
    probabilities,
    categories: (papers) => Array.from(argmaxRows(probabilities(papers), k), (code) => model.encoder.decode(code)),
    readPaper,
    predict(papers) {
      if (papers.length === 0) return [];
      const inputs = papers.map(readPaper);
      const all = probabilities(inputs);
      const best = argmaxRows(all, k);
      return inputs.map((input, i) => ({
        category: model.encoder.decode(best[i]!),
        probabilities: all.slice(i * k, (i + 1) * k),
        vector: input.vector,
        oovShare: input.oovShare,
      }));
    },
    dispose: () => model.model.dispose(),
  };
}

/**
 * Builds the predictor of a run. Runs trained before embedders were logged with them take the
 * embedder from `fallback` (the object store), when given.
 */
export async function loadPredictor(
  client: MlflowClient,
  run: Run,
  fallback?: (version: string) => Promise<LsaEmbedder>,
): Promise<TextPredictor> {
  const model = await loadTrainedModel(client, run);
  try {
    let embedder = await runEmbedder(client, run);
    if (!embedder && fallback) embedder = await fallback(model.embedderVersion);
    if (!embedder)
      throw new ModelArtifactError(
        `run ${run.info.run_id} has no ${RUN_ARTIFACTS.embedder}: it predates self-contained models; train again`,
      );
    if (embedder.version !== model.embedderVersion) {
      throw new EmbedderFormatError(
        `run ${run.info.run_id} was trained with embedder ${model.embedderVersion}, its artifact is ${embedder.version}`,
      );
    }
    return textPredictor(model, embedder);
  } catch (error) {
    model.model.dispose();
    throw error;
  }
}
