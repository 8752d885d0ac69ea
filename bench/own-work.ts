/*
 * `npm run bench:own-work`: our own work per paper on the serving path (text → vector → class
 * probabilities), without HTTP, JSON or the prediction log: one paper per call, as a single-paper
 * request runs it, for the lsa-mlp and the tfidf-linear family trained as bench:api trains them.
 * Prints a table, then one JSON line last.
 */
import { cpus, loadavg } from 'node:os';
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

const DEFAULT_WARM_UP_CALLS = 500;
const DEFAULT_CALLS = 4_000;

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

/** Both families' figures, without the probabilities (as the JSON line reports them). */
interface OwnWorkFigures {
  papers: number;
  families: Array<Omit<OwnWorkMeasurement, 'outputs'>>;
  /** Wall-clock figures on a shared machine: the load says how much else was running. */
  machine: { cpus: number; loadAverage1m: number; node: string };
}

function note(message: string): void {
  process.stderr.write(`[bench:own-work] ${message}\n`);
}

/** Trains each family as bench:api's server does (on the bundled sample's first papers) and measures it on `served`. */
async function measureOwnWorkOfBenchModels(served: readonly PaperText[]): Promise<OwnWorkFigures> {
  // Loaded here, so that importing measureOwnWork does not load the API server's modules.
  const { benchPredictor } = await import('./api-target');
  const families: OwnWorkFigures['families'] = [];
  for (const family of ['lsa-mlp', 'tfidf-linear'] as const) {
    note(`training ${family} as bench:api does`);
    const predictor = await benchPredictor(family);
    try {
      note(
        `measuring ${family}: ${DEFAULT_WARM_UP_CALLS} warm-up calls, then ${DEFAULT_CALLS} over ${served.length} papers`,
      );
      const { outputs: _outputs, ...figures } = measureOwnWork(predictor, served);
      families.push(figures);
    } finally {
      predictor.dispose();
    }
  }
  return {
    papers: served.length,
    families,
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0]!.toFixed(2)), node: process.version },
  };
}

function printOwnWork(figures: OwnWorkFigures): void {
  console.log(
    `\nour own work per paper (µs: median; mean; p90), one paper per call over ${figures.papers} papers, outside HTTP`,
  );
  const rows = [['', 'embed', 'classify', 'total']];
  for (const f of figures.families) {
    const cell = (stage: keyof StageMicroseconds) =>
      `${f.perPaperUs[stage].toFixed(1)}; ${f.meanUs[stage].toFixed(1)}; ${f.p90Us[stage].toFixed(1)}`;
    rows.push([f.family, cell('embed'), cell('classify'), cell('total')]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('   '),
    );
}

async function main(): Promise<void> {
  const { samplePapers, TRAIN_PAPERS } = await import('./api-target');
  // The papers bench:api sends: 200 the models did not train on.
  const served = (await samplePapers())
    .slice(TRAIN_PAPERS, TRAIN_PAPERS + 200)
    .map(({ title, abstract }) => ({ title, abstract: abstract.slice(0, 10_000) }));
  const figures = await measureOwnWorkOfBenchModels(served);
  printOwnWork(figures);
  console.log(JSON.stringify({ bench: 'own-work', ...figures }));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
