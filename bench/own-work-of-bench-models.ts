/*
 * bench:own-work's and bench:api's own-work figures: each family trained as bench:api's server
 * trains it, then timed one paper per call outside HTTP.
 */
import { predictionDocuments } from '../api/routes/predict';
import type { ModelFamily } from '../lib/model/family';
import { encodePrediction } from '../lib/predictions/prediction-document';
import type { PaperText, TextPredictor } from '../lib/tracking/serving-model';
import { benchPredictor } from './api-target';
import { DEFAULT_CALLS, DEFAULT_WARM_UP_CALLS, measureOwnWork, type OwnWorkMeasurement } from './measure-own-work';

/** One family's figures, without the probabilities (as the JSON lines report them). */
export interface BenchModelOwnWork extends Omit<OwnWorkMeasurement, 'outputs'> {
  /** With `logDocument`: median µs per paper of building and encoding the prediction log's document. */
  logDocumentUs?: number;
}

export interface BenchModelsOptions {
  /** The families, trained and measured in this order (default: lsa-mlp, then tfidf-linear). */
  families?: readonly ModelFamily[];
  /** Also time the prediction log's document of each paper (hash, descriptors, BSON), as bench:api does. */
  logDocument?: boolean;
  /** Told what is being trained and measured. */
  note?: (message: string) => void;
}

/**
 * Trains each family as bench:api's server does (on the bundled sample's first papers) and measures
 * it on `papers`: the predictor's own steps (measureOwnWork), then, with `logDocument`, the log's document.
 */
export async function measureOwnWorkOfBenchModels(
  papers: readonly PaperText[],
  options: BenchModelsOptions = {},
): Promise<BenchModelOwnWork[]> {
  const { families = ['lsa-mlp', 'tfidf-linear'], logDocument = false, note = () => undefined } = options;
  const measured: BenchModelOwnWork[] = [];
  for (const family of families) {
    note(`training ${family} as bench:api does`);
    const predictor = await benchPredictor(family);
    try {
      note(
        `measuring ${family}: ${DEFAULT_WARM_UP_CALLS} warm-up calls, then ${DEFAULT_CALLS} over ${papers.length} papers`,
      );
      const { outputs: _outputs, ...figures } = measureOwnWork(predictor, papers);
      measured.push(logDocument ? { ...figures, logDocumentUs: logDocumentMicroseconds(predictor, papers) } : figures);
    } finally {
      predictor.dispose();
    }
  }
  return measured;
}

/**
 * Median µs per paper of the prediction log's document of a one-paper request (built, then
 * BSON-encoded), over 4,000 calls of which the first 500 are not measured.
 */
function logDocumentMicroseconds(predictor: TextPredictor, papers: readonly PaperText[]): number {
  const model = { name: 'bench', version: '1', runId: predictor.runId, embedderVersion: predictor.embedderVersion };
  const scored = papers.map((paper) => predictor.predict([paper]));
  const answered = scored.map(([prediction]) => ({
    category: prediction!.category,
    top: [{ category: prediction!.category, probability: 1 }],
  }));
  const times: number[] = [];
  for (let call = 0; call < 4_000; call += 1) {
    const i = call % papers.length;
    const started = process.hrtime.bigint();
    for (const document of predictionDocuments(
      'bench-request',
      new Date(),
      [papers[i]!],
      scored[i]!,
      [answered[i]!],
      model,
      false,
    ))
      encodePrediction(document);
    if (call >= 500) times.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
