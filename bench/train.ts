import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { resolveFromRoot } from '../lib/config/paths';
import { chooseWinner, DEFAULT_CANDIDATES, parseCandidate, parseCandidates } from '../lib/model/candidates';
import { MODEL_FAMILIES } from '../lib/model/family';
import type { CandidateOutcome } from './train-candidate';
import { benchSplit, readPapers, SPLIT_NAMES, type BenchSplit, type SplitName } from './train-splits';

/**
 * Classifier quality and training cost, family by family, against the standard peer (TF-IDF
 * 1–2-grams + scikit-learn's LinearSVC) trained on exactly the same ids in the same run, on up to
 * three splits of the arxiver file (bench/train-splits.ts). Each candidate trains through the
 * pipeline's own code in its own process, the candidates side by side (as the CPU workers run
 * them); the winner is the best on validation macro-F1, as trainWorkflow chooses. Families not
 * among the candidates (--compare, default: each one left out) train afterwards, one row each,
 * outside the choice and the candidates' wall time.
 *
 *   npm run bench:train [-- --splits top10,all100,whole] [--candidates tfidf-linear] [--compare lsa-mlp|none] [--parallel 2] [--no-peer]
 */

const DATA = '../shared/data/arxiv/arxiver_2013-2025.jsonl.gz';
const AIMS = { accuracyPoints: 0.5, timeRatio: 2, wholeRssBytes: 2 * 2 ** 30 };

function note(message: string): void {
  process.stderr.write(`[bench:train] ${message}\n`);
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

interface PeerOutcome {
  model: string;
  accuracy: number;
  macroF1: number;
  trainSeconds: number;
  peakRssBytes?: number;
}

function runPeer(splitFile: string, dataFile: string): PeerOutcome | null {
  const python = resolveFromRoot('.venv/bin/python');
  if (!existsSync(python)) {
    note('no .venv/bin/python: skipping the scikit-learn peer (npm run setup installs it)');
    return null;
  }
  note('  the scikit-learn peer (TF-IDF 1–2-grams + LinearSVC) on the same ids…');
  const result = spawnSync(python, [resolveFromRoot('bench/train_peer_sklearn.py'), splitFile, dataFile], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    note(`the peer failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as PeerOutcome;
}

/** Trains one candidate in a child process; its last stdout line is its outcome. */
function trainInChild(splitFile: string, dataFile: string, spec: string): Promise<CandidateOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'train-candidate.js'), splitFile, dataFile, spec], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const line = chunk.toString().trim().split('\n').pop();
      if (line && /class \d+\/\d+$/.test(line) === false) note(`    ${line}`);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()!) as CandidateOutcome);
      else
        reject(
          new Error(`candidate ${spec} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
        );
    });
  });
}

/** Runs the tasks at most `limit` at a time; resolves in input order. */
async function limited<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await tasks[index]!();
    }
  });
  await Promise.all(lanes);
  return results;
}

interface SplitOutcome {
  split: Omit<BenchSplit, 'train' | 'validation' | 'test'> & {
    trainRows: number;
    validationRows: number;
    testRows: number;
    idsFile: string;
  };
  candidates: CandidateOutcome[];
  /** Families trained for comparison only (--compare): neither in the choice nor in the wall time. */
  comparisons: CandidateOutcome[];
  winner: string;
  /**
   * From the first candidate's start of training (its embedder fit, if any) to the last one's end,
   * side by side; each process's start and reading of the data file are outside it, as reading
   * is outside the peer's time.
   */
  candidatesWallSeconds: number;
  peer: PeerOutcome | null;
  aims: { accuracy: boolean | null; macroF1: boolean | null; time: boolean | null; rss: boolean | null };
}

const pct = (value: number) => `${(value * 100).toFixed(2)}%`;
const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)}`;

function printTable(outcome: SplitOutcome): void {
  const { split, candidates, comparisons, peer, winner } = outcome;
  const rows: string[][] = [['', 'val macro-F1', 'accuracy', 'macro-F1', 'seconds', 'peak RSS GB']];
  const row = (candidate: CandidateOutcome, mark: string) => {
    const stages =
      candidate.family === 'lsa-mlp'
        ? ` (fit ${candidate.seconds.embedderFit.toFixed(0)} + embed ${candidate.seconds.embedding.toFixed(0)} + MLP ${candidate.seconds.train.toFixed(0)})`
        : '';
    rows.push([
      `${mark}${candidate.name}${stages}`,
      pct(candidate.validationMacroF1),
      pct(candidate.accuracy),
      pct(candidate.macroF1),
      candidate.seconds.total.toFixed(1),
      gb(candidate.peakRssBytes),
    ]);
  };
  for (const candidate of candidates) row(candidate, candidate.name === winner ? '★ ' : '  ');
  rows.push([`  all candidates side by side (wall)`, '', '', '', outcome.candidatesWallSeconds.toFixed(1), '']);
  for (const compared of comparisons) row(compared, '  compared: ');
  if (peer) {
    rows.push([
      `  peer: ${peer.model}`,
      '',
      pct(peer.accuracy),
      pct(peer.macroF1),
      peer.trainSeconds.toFixed(1),
      peer.peakRssBytes ? gb(peer.peakRssBytes) : '',
    ]);
    const best = candidates.find((candidate) => candidate.name === winner)!;
    rows.push([
      `  winner vs peer`,
      '',
      `${((best.accuracy - peer.accuracy) * 100).toFixed(2)} pt`,
      `${(best.macroF1 / peer.macroF1).toFixed(3)}×`,
      `${(outcome.candidatesWallSeconds / peer.trainSeconds).toFixed(2)}×`,
      '',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(`\n${split.name}: ${split.definition}`);
  console.log(
    `${split.trainRows} train / ${split.validationRows} validation / ${split.testRows} test papers, ${split.classes} classes`,
  );
  for (const row of rows)
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const verdict = (met: boolean | null) => (met === null ? 'no peer' : met ? 'met' : 'NOT met');
  const aims = [
    `accuracy ≥ peer + ${AIMS.accuracyPoints} pt: ${verdict(outcome.aims.accuracy)}`,
    `macro-F1 ≥ peer: ${verdict(outcome.aims.macroF1)}`,
    `all candidates ≤ ${AIMS.timeRatio}× the peer's time: ${verdict(outcome.aims.time)}`,
  ];
  if (outcome.aims.rss !== null)
    aims.push(`peak RSS ≤ ${gb(AIMS.wholeRssBytes)} GB: ${outcome.aims.rss ? 'met' : 'NOT met'}`);
  console.log(`aims: ${aims.join('; ')}`);
}

async function benchOne(
  name: SplitName,
  all: Awaited<ReturnType<typeof readPapers>>,
  dataFile: string,
  specs: string[],
  compared: string[],
  parallel: number,
): Promise<SplitOutcome> {
  const split = benchSplit(name, all);
  const outDir = resolveFromRoot('.data/bench');
  mkdirSync(outDir, { recursive: true });
  const splitFile = join(outDir, `train-split-${name}.json`);
  writeFileSync(splitFile, JSON.stringify(split));
  // The peer has no use for a validation set: it trains on train + validation.
  const peerFile = join(outDir, `train-split-${name}-peer.json`);
  writeFileSync(
    peerFile,
    JSON.stringify({ definition: split.definition, train: [...split.train, ...split.validation], test: split.test }),
  );
  note(
    `${name}: ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test, ${split.classes} classes; ${specs.length} candidates, ${parallel} at a time…`,
  );
  const candidates = await limited(
    specs.map((spec) => () => trainInChild(splitFile, dataFile, spec)),
    parallel,
  );
  const candidatesWallSeconds =
    (Math.max(...candidates.map((c) => c.trainedTo)) - Math.min(...candidates.map((c) => c.trainedFrom))) / 1000;
  const winner = chooseWinner(candidates).name;
  if (compared.length > 0) note(`  compared, outside the candidates: ${compared.join(', ')}…`);
  const comparisons = await limited(
    compared.map((spec) => () => trainInChild(splitFile, dataFile, spec)),
    parallel,
  );
  const peer = process.argv.includes('--no-peer') ? null : runPeer(peerFile, dataFile);
  const best = candidates.find((candidate) => candidate.name === winner)!;
  return {
    split: {
      name: split.name,
      definition: split.definition,
      classes: split.classes,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      testRows: split.test.length,
      idsFile: splitFile,
    },
    candidates,
    comparisons,
    winner,
    candidatesWallSeconds,
    peer,
    aims: {
      accuracy: peer ? best.accuracy >= peer.accuracy + AIMS.accuracyPoints / 100 : null,
      macroF1: peer ? best.macroF1 >= peer.macroF1 : null,
      time: peer ? candidatesWallSeconds <= AIMS.timeRatio * peer.trainSeconds : null,
      rss:
        name === 'whole'
          ? Math.max(...candidates.map((candidate) => candidate.peakRssBytes)) <= AIMS.wholeRssBytes
          : null,
    },
  };
}

async function main(): Promise<void> {
  const dataFile = resolveFromRoot(DATA);
  if (!existsSync(dataFile)) throw new Error(`${DATA} is not there: the benchmark splits are defined on that file`);
  const splits = (option('splits') ?? SPLIT_NAMES.join(',')).split(',').map((name) => {
    if (!(SPLIT_NAMES as readonly string[]).includes(name))
      throw new Error(`unknown split ${name}: ${SPLIT_NAMES.join(', ')}`);
    return name as SplitName;
  });
  const specs = parseCandidates(option('candidates') ?? DEFAULT_CANDIDATES).map((candidate) => candidate.name);
  // Every family not among the candidates, trained apart for comparison (--compare none: skip).
  const compareOption =
    option('compare') ??
    MODEL_FAMILIES.filter((family) => !specs.some((spec) => parseCandidate(spec).family === family)).join(',');
  const compared =
    compareOption === 'none' || compareOption === ''
      ? []
      : parseCandidates(compareOption).map((candidate) => candidate.name);
  const parallel = Number(option('parallel') ?? availableParallelism());
  note(`reading ${DATA}…`);
  const all = await readPapers(dataFile);
  const outcomes: SplitOutcome[] = [];
  for (const name of splits) outcomes.push(await benchOne(name, all, dataFile, specs, compared, parallel));
  for (const outcome of outcomes) printTable(outcome);
  console.log(JSON.stringify({ data: DATA, parallel, aims: AIMS, splits: outcomes }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
