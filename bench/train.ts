import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { paperText, type PaperRecord } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';
import { resolveFromRoot } from '../lib/config/paths';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder } from '../lib/embedding/lsa-embedder';
import { trainClassifier, type Example } from '../lib/model/classifier';
import { LabelEncoder } from '../lib/model/label-encoder';
import { evaluate } from '../lib/model/metrics';
import { DEFAULT_HYPERPARAMETERS } from '../lib/model/mlp';
import { DEFAULT_SPARSE_LINEAR_CONFIG, trainSparseLinear } from '../lib/model/sparse-linear';
import { stratifiedSplit } from '../lib/model/split';

/**
 * Classifier quality on the benchmark split — the 10 most frequent primary categories of the
 * arxiver export, the first 2,000 papers of each in file order, stratified 80/20 with seed 42 —
 * trained through the pipeline's own code (LSA embedder fitted on the training papers, TF.js MLP
 * with early stopping on a validation share of them). When scikit-learn is in .venv, the standard
 * peer (TF-IDF 1–2-grams + LinearSVC) is trained on exactly the same ids in the same run.
 */

const DATA = '../shared/data/arxiv/arxiver_2013-2025.jsonl.gz';
const CATEGORIES = 10;
const PER_CATEGORY = 2_000;
const SEED = 42;
const TARGET_ACCURACY = 0.72;

function note(message: string): void {
  process.stderr.write(`[bench:train] ${message}\n`);
}

interface Scores {
  accuracy: number;
  macroF1: number;
  trainSeconds: number;
}

async function benchmarkPapers(path: string): Promise<PaperRecord[]> {
  const all: PaperRecord[] = [];
  for await (const { item } of readSnapshot(path)) if (item.ok) all.push(item.record);
  const counts = new Map<string, number>();
  for (const record of all) counts.set(record.primaryCategory, (counts.get(record.primaryCategory) ?? 0) + 1);
  const top = new Set([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, CATEGORIES).map(([label]) => label));
  const taken = new Map<string, number>();
  return all.filter((record) => {
    if (!top.has(record.primaryCategory)) return false;
    const n = taken.get(record.primaryCategory) ?? 0;
    if (n >= PER_CATEGORY) return false;
    taken.set(record.primaryCategory, n + 1);
    return true;
  });
}

function runPeer(splitFile: string, dataFile: string): (Scores & { model: string }) | null {
  const python = resolveFromRoot('.venv/bin/python');
  if (!existsSync(python)) {
    note('no .venv/bin/python: skipping the scikit-learn peer (npm run setup installs it)');
    return null;
  }
  note('training the scikit-learn peer (TF-IDF 1–2-grams + LinearSVC) on the same ids…');
  const result = spawnSync(python, [resolveFromRoot('bench/train_peer_sklearn.py'), splitFile, dataFile], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    note(`the peer failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Scores & { model: string };
}

const pct = (value: number) => `${(value * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const dataFile = resolveFromRoot(DATA);
  if (!existsSync(dataFile)) throw new Error(`${DATA} is not there: the benchmark split is defined on that file`);
  note(`reading ${DATA}…`);
  const papers = await benchmarkPapers(dataFile);
  const { train: trainPapers, test: testPapers } = stratifiedSplit(papers, (p) => p.primaryCategory, (p) => p.id, { test: 0.2, validation: 0 }, SEED);
  const outDir = resolveFromRoot('.data/bench');
  mkdirSync(outDir, { recursive: true });
  const splitFile = join(outDir, 'train-split.json');
  writeFileSync(
    splitFile,
    JSON.stringify({
      definition: `top ${CATEGORIES} primary categories of ${DATA}, first ${PER_CATEGORY} of each in file order, stratified 80/20, seed ${SEED}`,
      train: trainPapers.map((p) => p.id),
      test: testPapers.map((p) => p.id),
    }),
  );
  note(`${papers.length} papers: ${trainPapers.length} train, ${testPapers.length} test; ids in ${splitFile}`);

  const started = performance.now();
  note('fitting the LSA embedder on the training papers…');
  const embedder = fitLsaEmbedder(trainPapers.map(paperText), DEFAULT_LSA_CONFIG, (step) => note(`  fit: ${step}`));
  const fitSeconds = (performance.now() - started) / 1000;
  const embedStarted = performance.now();
  const toExample = (p: PaperRecord): Example => ({ id: p.id, label: p.primaryCategory, vector: embedder.embed(paperText(p)) });
  const trainExamples = trainPapers.map(toExample);
  const testExamples = testPapers.map(toExample);
  const embedSeconds = (performance.now() - embedStarted) / 1000;
  const inner = stratifiedSplit(trainExamples, (e) => e.label, (e) => e.id, { test: 0, validation: 0.1 }, SEED);
  note('training the TF.js MLP…');
  const mlpStarted = performance.now();
  const trained = await trainClassifier({ train: inner.train, validation: inner.validation, test: testExamples }, DEFAULT_HYPERPARAMETERS, {
    onEpoch: async (m) => note(`  epoch ${m.epoch}: loss ${m.loss.toFixed(3)}, val accuracy ${pct(m.valAccuracy)}`),
  });
  const mlpSeconds = (performance.now() - mlpStarted) / 1000;
  const ours: Scores = {
    accuracy: trained.evaluation.accuracy,
    macroF1: trained.evaluation.macroF1,
    trainSeconds: fitSeconds + embedSeconds + mlpSeconds,
  };
  trained.model.dispose();

  note('training the sparse linear family (tf-idf → one linear SVM per class)…');
  const encoder = LabelEncoder.fromLabels(trainPapers.map((p) => p.primaryCategory));
  const sparseStarted = performance.now();
  const sparse = await trainSparseLinear(
    { texts: trainPapers.map(paperText), labels: trainPapers.map((p) => encoder.encode(p.primaryCategory)) },
    encoder.size,
    DEFAULT_SPARSE_LINEAR_CONFIG,
    undefined,
    (step) => note(`  sparse: ${step}`),
  );
  const sparseSeconds = (performance.now() - sparseStarted) / 1000;
  const sparseEvaluation = evaluate(
    testPapers.map((p) => encoder.encode(p.primaryCategory)),
    testPapers.map((p) => sparse.model.predict(paperText(p))),
    encoder.classes,
  );
  const sparseScores: Scores = { accuracy: sparseEvaluation.accuracy, macroF1: sparseEvaluation.macroF1, trainSeconds: sparseSeconds };

  const peer = runPeer(splitFile, dataFile);

  const rows: string[][] = [
    ['', 'accuracy', 'macro-F1', 'train seconds'],
    [`ours (LSA ${embedder.dimensions} + TF.js MLP, ${trained.backend})`, pct(ours.accuracy), pct(ours.macroF1), ours.trainSeconds.toFixed(1)],
  ];
  rows.push([`ours (tf-idf ${sparse.model.features} terms → linear SVM per class)`, pct(sparseScores.accuracy), pct(sparseScores.macroF1), sparseScores.trainSeconds.toFixed(1)]);
  if (peer) {
    rows.push([`peer (${peer.model})`, pct(peer.accuracy), pct(peer.macroF1), peer.trainSeconds.toFixed(1)]);
    rows.push(['ratio LSA + MLP / peer', (ours.accuracy / peer.accuracy).toFixed(3), (ours.macroF1 / peer.macroF1).toFixed(3), (ours.trainSeconds / peer.trainSeconds).toFixed(2)]);
    rows.push(['ratio sparse linear / peer', (sparseScores.accuracy / peer.accuracy).toFixed(3), (sparseScores.macroF1 / peer.macroF1).toFixed(3), (sparseScores.trainSeconds / peer.trainSeconds).toFixed(2)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(`\nBenchmark split: ${trainPapers.length} train / ${testPapers.length} test papers, ${CATEGORIES} classes`);
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  console.log(`ours: embedder fit ${fitSeconds.toFixed(1)} s, embedding ${embedSeconds.toFixed(1)} s, MLP ${mlpSeconds.toFixed(1)} s (best epoch ${trained.outcome.bestEpoch} of ${trained.outcome.history.length})`);
  const { vocabulary, matrix, solver, calibration } = sparse.seconds;
  console.log(`sparse linear: vocabulary ${vocabulary.toFixed(1)} s, tf-idf matrix ${matrix.toFixed(1)} s, solver ${solver.toFixed(1)} s, calibration ${calibration.toFixed(1)} s (epochs per class ${sparse.classFits.map((fit) => fit.epochs).join(', ')})`);
  console.log(`target: accuracy ≥ ${pct(TARGET_ACCURACY)} — ${ours.accuracy >= TARGET_ACCURACY ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      split: { trainRows: trainPapers.length, testRows: testPapers.length, classes: CATEGORIES, seed: SEED, idsFile: splitFile },
      ours: {
        ...ours,
        embedderFitSeconds: fitSeconds,
        embedSeconds,
        mlpSeconds,
        dimensions: embedder.dimensions,
        backend: trained.backend,
        bestEpoch: trained.outcome.bestEpoch,
        epochs: trained.outcome.history.length,
        hyperparameters: DEFAULT_HYPERPARAMETERS,
      },
      sparseLinear: { ...sparseScores, features: sparse.model.features, seconds: sparse.seconds, temperature: sparse.model.state.temperature, config: DEFAULT_SPARSE_LINEAR_CONFIG },
      peer,
      sparseRatio: peer ? { accuracy: sparseScores.accuracy / peer.accuracy, macroF1: sparseScores.macroF1 / peer.macroF1, trainSeconds: sparseScores.trainSeconds / peer.trainSeconds } : null,
      ratio: peer ? { accuracy: ours.accuracy / peer.accuracy, macroF1: ours.macroF1 / peer.macroF1, trainSeconds: ours.trainSeconds / peer.trainSeconds } : null,
      target: { accuracy: TARGET_ACCURACY, met: ours.accuracy >= TARGET_ACCURACY },
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
