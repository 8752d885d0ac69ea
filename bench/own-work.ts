/*
 * `npm run bench:own-work`: our own work per paper on the serving path (text → vector → class
 * probabilities), without HTTP, JSON or the prediction log: one paper per call, as a single-paper
 * request runs it, for the lsa-mlp and the tfidf-linear family trained as bench:api trains them.
 * Prints a table, then one JSON line last.
 */
import { cpus, loadavg } from 'node:os';
import type { PaperText } from '../lib/tracking/serving-model';
import { samplePapers, TRAIN_PAPERS } from './api-target';
import type { StageMicroseconds } from './measure-own-work';
import { measureOwnWorkOfBenchModels, type BenchModelOwnWork } from './own-work-of-bench-models';

/** Both families' figures, without the probabilities (as the JSON line reports them). */
interface OwnWorkFigures {
  papers: number;
  families: BenchModelOwnWork[];
  /** Wall-clock figures on a shared machine: the load says how much else was running. */
  machine: { cpus: number; loadAverage1m: number; node: string };
}

function note(message: string): void {
  process.stderr.write(`[bench:own-work] ${message}\n`);
}

/** Trains each family as bench:api's server does (on the bundled sample's first papers) and measures it on `served`. */
async function measureBenchModels(served: readonly PaperText[]): Promise<OwnWorkFigures> {
  const families = await measureOwnWorkOfBenchModels(served, { note });
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
  // The papers bench:api sends: 200 the models did not train on.
  const served = (await samplePapers())
    .slice(TRAIN_PAPERS, TRAIN_PAPERS + 200)
    .map(({ title, abstract }) => ({ title, abstract: abstract.slice(0, 10_000) }));
  const figures = await measureBenchModels(served);
  printOwnWork(figures);
  console.log(JSON.stringify({ bench: 'own-work', ...figures }));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
