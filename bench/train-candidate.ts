/**
 * One candidate of bench:train, in its own process so its peak memory is its own and candidates
 * can run side by side: reads the split file and the data, trains through the pipeline's own code
 * (lib/model/candidate-fit; an lsa-mlp candidate fits its LSA embedder on the training papers
 * first), and prints one JSON line.
 *
 *   node dist/bench/train-candidate.js SPLIT_JSON DATA_JSONL_GZ CANDIDATE_SPEC
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { paperText } from '../lib/arxiv/record';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder } from '../lib/embedding/lsa-embedder';
import { fitCandidate, type LabeledPaper } from '../lib/model/candidate-fit';
import { parseCandidate } from '../lib/model/candidates';
import { readSnapshot } from '../lib/arxiv/snapshot';
import type { PaperRecord } from '../lib/arxiv/record';
import type { BenchSplit } from './train-splits';

export interface CandidateOutcome {
  name: string;
  family: string;
  validationAccuracy: number;
  validationMacroF1: number;
  accuracy: number;
  macroF1: number;
  /** Wall seconds: the embedder fit and embedding (lsa-mlp), and the model's own training. */
  seconds: { embedderFit: number; embedding: number; train: number; total: number };
  /** When training began and ended (ms since the epoch): reading the data file is outside it, as it is outside the peer's time. */
  trainedFrom: number;
  trainedTo: number;
  /** The process's peak resident memory, data included. */
  peakRssBytes: number;
  facts: Record<string, number | string>;
}

async function main(): Promise<void> {
  const [splitFile, dataFile, spec] = process.argv.slice(2);
  if (!splitFile || !dataFile || !spec)
    throw new Error('usage: train-candidate.js SPLIT_JSON DATA_JSONL_GZ CANDIDATE_SPEC');
  const split = JSON.parse(readFileSync(splitFile, 'utf8')) as BenchSplit;
  const candidate = parseCandidate(spec);
  const wanted = new Set([...split.train, ...split.validation, ...split.test]);
  // Only what training reads of the split's papers is kept, as they stream by: the whole file's
  // records would add a few hundred megabytes to the peak memory this process reports.
  const byId = new Map<string, Pick<PaperRecord, 'title' | 'primaryCategory'> & { text: string }>();
  for await (const { item } of readSnapshot(dataFile)) {
    if (item.ok && wanted.has(item.record.id))
      byId.set(item.record.id, {
        text: paperText(item.record),
        title: item.record.title,
        primaryCategory: item.record.primaryCategory,
      });
  }

  // Training (the embedder fit included) starts here; reading the data file is outside it.
  const trainedFrom = Date.now();
  let embedderFit = 0;
  let embedding = 0;
  let vectors: Map<string, Float32Array> | undefined;
  if (candidate.family === 'lsa-mlp') {
    let started = performance.now();
    const embedder = fitLsaEmbedder(
      split.train.map((id) => byId.get(id)!.text),
      DEFAULT_LSA_CONFIG,
    );
    embedderFit = (performance.now() - started) / 1000;
    started = performance.now();
    vectors = new Map([...byId].map(([id, { text }]) => [id, embedder.embed(text)]));
    embedding = (performance.now() - started) / 1000;
  }
  const papers = (ids: string[]) =>
    ids.map((id): LabeledPaper => ({
      id,
      label: byId.get(id)!.primaryCategory,
      ...(candidate.family === 'tfidf-linear' ? { text: byId.get(id)!.text, title: byId.get(id)!.title } : {}),
      vector: vectors?.get(id),
    }));
  const data = { train: papers(split.train), validation: papers(split.validation), test: papers(split.test) };
  const started = performance.now();
  const fitted = await fitCandidate(candidate, data, {
    onStep: (step) => void process.stderr.write(`[${candidate.name}] ${step}\n`),
  });
  const train = (performance.now() - started) / 1000;
  const trainedTo = Date.now();
  const outcome: CandidateOutcome = {
    name: candidate.name,
    family: candidate.family,
    validationAccuracy: fitted.validation.accuracy,
    validationMacroF1: fitted.validation.macroF1,
    accuracy: fitted.test.accuracy,
    macroF1: fitted.test.macroF1,
    seconds: { embedderFit, embedding, train, total: embedderFit + embedding + train },
    trainedFrom,
    trainedTo,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    facts: {
      ...fitted.facts.metrics,
      bestEpoch: fitted.facts.bestEpoch,
      epochs: fitted.facts.epochs,
      backend: fitted.facts.backend,
    },
  };
  fitted.dispose();
  console.log(JSON.stringify(outcome));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
