/*
 * `npm run bench:embed`: embedding throughput of our LSA embedder on one core, against
 * scikit-learn's TfidfVectorizer + TruncatedSVD measured in the same run on the same texts.
 * Progress goes to stderr; the last stdout line is a JSON summary of every figure.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolveFromRoot } from '../lib/config/paths';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder, type LsaEmbedder } from '../lib/embedding/lsa-embedder';
import { readPaperTexts, repeatTo } from './corpus';
import { peerPython, runSklearnPeer, type PeerFigures } from './sklearn-peer';

const FIT_CORPUS = 'data/sample/arxiv-sample.jsonl.gz';
const EMBED_CORPUS = '../shared/data/arxiv/arxiver_2013-2025.jsonl.gz';
const FIT_DOCUMENTS = 5_000;
const EMBED_TEXTS = 20_000;
const WARM_UP_TEXTS = 1_000;
const PASSES = 3;
const TARGET_ABSTRACTS_PER_SECOND = 2_000;

function note(message: string): void {
  process.stderr.write(`[bench:embed] ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median rate over PASSES full passes; the checksum keeps the work observable. */
function embedRate(embedder: LsaEmbedder, texts: readonly string[]): number {
  let checksum = 0;
  for (const text of texts.slice(0, WARM_UP_TEXTS)) checksum += embedder.embed(text)[0]!;
  const rates: number[] = [];
  for (let pass = 0; pass < PASSES; pass += 1) {
    const started = performance.now();
    for (const text of texts) checksum += embedder.embed(text)[0]!;
    rates.push(texts.length / ((performance.now() - started) / 1000));
  }
  if (!Number.isFinite(checksum)) throw new Error('an embedding was not finite');
  return median(rates);
}

function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(ours: { fitSeconds: number; abstractsPerSecond: number }, peer: PeerFigures | null): void {
  const rows = [
    ['', 'ours', peer ? 'scikit-learn' : 'scikit-learn (not run)', 'ours/peer'],
    [
      'fit (seconds)',
      formatNumber(ours.fitSeconds, 2),
      peer ? formatNumber(peer.fitSeconds, 2) : '–',
      peer ? formatNumber(ours.fitSeconds / peer.fitSeconds, 2) : '–',
    ],
    [
      'embed (abstracts/s, 1 core)',
      formatNumber(ours.abstractsPerSecond, 0),
      peer ? formatNumber(peer.abstractsPerSecond, 0) : '–',
      peer ? formatNumber(ours.abstractsPerSecond / peer.abstractsPerSecond, 2) : '–',
    ],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('   '),
    );
  }
  console.log('ours/peer > 1 means: fit takes longer; embed is faster.');
  console.log('Ours embeds one text at a time, as ingestion does; scikit-learn transforms all texts as one batch.');
}

async function main(): Promise<void> {
  note(`reading ${FIT_DOCUMENTS} fit texts from ${FIT_CORPUS}`);
  const fitTexts = await readPaperTexts(resolveFromRoot(FIT_CORPUS), FIT_DOCUMENTS);
  const embedPath = resolveFromRoot(EMBED_CORPUS);
  let embedCorpus: string;
  let embedTexts: string[];
  if (existsSync(embedPath)) {
    note(`reading ${EMBED_TEXTS} embed texts from ${EMBED_CORPUS}`);
    embedTexts = await readPaperTexts(embedPath, EMBED_TEXTS);
    embedCorpus = EMBED_CORPUS;
  } else {
    note(`${EMBED_CORPUS} not found: embedding the fit corpus repeated to ${EMBED_TEXTS} texts`);
    embedTexts = repeatTo(fitTexts, EMBED_TEXTS);
    embedCorpus = `${FIT_CORPUS} (repeated)`;
  }

  note(`fitting our LsaEmbedder (${DEFAULT_LSA_CONFIG.dimensions} dimensions) on ${fitTexts.length} texts`);
  const fitStarted = performance.now();
  const embedder = fitLsaEmbedder(fitTexts, DEFAULT_LSA_CONFIG);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  note(`embedding ${embedTexts.length} texts, ${PASSES} passes after ${WARM_UP_TEXTS} warm-up texts`);
  const ours = { fitSeconds, abstractsPerSecond: embedRate(embedder, embedTexts) };

  const python = peerPython();
  let peer: PeerFigures | null = null;
  if (python) {
    note('running the scikit-learn peer (single-threaded BLAS)');
    peer = await runSklearnPeer(python, { fit: fitTexts, embed: embedTexts, passes: PASSES });
  } else {
    note('no .venv/bin/python with scikit-learn: the peer is skipped');
  }

  printTable(ours, peer);
  console.log(
    JSON.stringify({
      fitDocuments: fitTexts.length,
      embedTexts: embedTexts.length,
      embedCorpus,
      embedderVersion: embedder.version,
      ours: {
        ...ours,
        vocabulary: embedder.state.tfidf.terms.length,
        explainedVariance: embedder.state.fit.explainedVariance,
      },
      peer,
      ratio: peer
        ? {
            fitSeconds: ours.fitSeconds / peer.fitSeconds,
            abstractsPerSecond: ours.abstractsPerSecond / peer.abstractsPerSecond,
          }
        : null,
      target: {
        abstractsPerSecond: TARGET_ABSTRACTS_PER_SECOND,
        met: ours.abstractsPerSecond >= TARGET_ABSTRACTS_PER_SECOND,
      },
      // Wall-clock figures on a shared machine: the load says how much else was running.
      machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0]!.toFixed(2)), node: process.version },
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
