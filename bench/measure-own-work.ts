/*
 * Our own work per paper on the serving path, timed one paper per call: reading the paper, its
 * probabilities, and the whole `predict` (bench:own-work and bench:api report it).
 */
import type { ModelFamily } from '../lib/model/family';
import type { PaperText, TextPredictor } from '../lib/tracking/serving-model';

export interface OwnWorkOptions {
  /** Calls before the measured ones (JIT, caches); their times are dropped. */
  warmUpCalls?: number;
  /** Measured calls, going round the papers. */
  calls?: number;
}

/** Microseconds per paper of each step: reading the paper (embed), its probabilities (classify), and the whole `predict`. */
export interface StageMicroseconds {
  embed: number;
  classify: number;
  total: number;
}

/** One family's figures. */
export interface OwnWorkMeasurement {
  family: ModelFamily;
  calls: number;
  perPaperUs: StageMicroseconds;
  meanUs: StageMicroseconds;
  p90Us: StageMicroseconds;
  /**
   * Each paper's probabilities (the first `min(calls, papers)` papers, in order), from the classify
   * step and from `predict([paper])`.
   */
  outputs: { classified: Float32Array[]; predicted: Float32Array[] };
}
/** Unmeasured calls before the measured ones, and measured calls, unless the options say otherwise. */
export const DEFAULT_WARM_UP_CALLS = 500;
export const DEFAULT_CALLS = 4_000;

function microsecondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1_000;
}

function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

function summarize(times: Float64Array): { median: number; mean: number; p90: number } {
  const sorted = times.slice().sort();
  return {
    median: quantile(sorted, 0.5),
    mean: sorted.reduce((sum, t) => sum + t, 0) / sorted.length,
    p90: quantile(sorted, 0.9),
  };
}

/**
 * Microseconds of each of `calls` calls of `step` (after `warmUpCalls` unmeasured ones), the call
 * numbered `call` going to paper `call mod papers`: consecutive calls read different papers, as
 * consecutive requests do (the same paper twice in a row would find its rows of the embedder
 * already in the CPU's caches).
 */
function timeCalls(
  papers: number,
  warmUpCalls: number,
  calls: number,
  step: (paper: number, call: number) => void,
): Float64Array {
  const times = new Float64Array(calls);
  for (let call = -warmUpCalls; call < calls; call += 1) {
    const paper = ((call % papers) + papers) % papers;
    const started = process.hrtime.bigint();
    step(paper, call);
    const elapsed = microsecondsSince(started);
    if (call >= 0) times[call] = elapsed;
  }
  return times;
}

/**
 * Times the predictor's own steps one paper per call, as the API runs them: `readPaper` (text →
 * vector and whatever else the model reads), `probabilities` of that one input, and the whole
 * `predict([paper])` (both, and the category), each step in a pass of its own.
 */
export function measureOwnWork(
  predictor: TextPredictor,
  papers: readonly PaperText[],
  options: OwnWorkOptions = {},
): OwnWorkMeasurement {
  if (papers.length === 0) throw new Error('measureOwnWork needs at least one paper');
  const warmUpCalls = options.warmUpCalls ?? DEFAULT_WARM_UP_CALLS;
  const calls = options.calls ?? DEFAULT_CALLS;
  const measured = Math.min(calls, papers.length);
  const inputs = papers.map((paper) => predictor.readPaper(paper));
  const classified: Float32Array[] = [];
  const predicted: Float32Array[] = [];
  const embed = timeCalls(papers.length, warmUpCalls, calls, (paper) => {
    inputs[paper] = predictor.readPaper(papers[paper]!);
  });
  const classify = timeCalls(papers.length, warmUpCalls, calls, (paper, call) => {
    const probabilities = predictor.probabilities([inputs[paper]!]);
    if (call >= 0 && call < measured) classified.push(probabilities);
  });
  const total = timeCalls(papers.length, warmUpCalls, calls, (paper, call) => {
    const [prediction] = predictor.predict([papers[paper]!]);
    if (call >= 0 && call < measured) predicted.push(prediction!.probabilities);
  });
  const [e, c, t] = [summarize(embed), summarize(classify), summarize(total)];
  return {
    family: predictor.family,
    calls,
    perPaperUs: { embed: e.median, classify: c.median, total: t.median },
    meanUs: { embed: e.mean, classify: c.mean, total: t.mean },
    p90Us: { embed: e.p90, classify: c.p90, total: t.p90 },
    outputs: { classified, predicted },
  };
}
