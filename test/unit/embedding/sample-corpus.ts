import { resolve } from 'node:path';
import type { PaperRecord } from '../../../lib/arxiv/record';
import { readSnapshot } from '../../../lib/arxiv/snapshot';
import type { LsaConfig } from '../../../lib/embedding/lsa-embedder';

const SAMPLE = resolve(__dirname, '../../../data/sample/arxiv-sample.jsonl.gz');

/** The first `count` valid papers of the bundled sample: real abstracts, read in file order. */
export async function samplePapers(count: number): Promise<PaperRecord[]> {
  const papers: PaperRecord[] = [];
  for await (const { item } of readSnapshot(SAMPLE)) {
    if (item.ok) papers.push(item.record);
    if (papers.length >= count) break;
  }
  return papers;
}

/** The default pipeline at a size that fits in well under a second. */
export const SMALL_CONFIG: LsaConfig = {
  tfidf: { ngramMax: 2, minDf: 2, maxDfRatio: 0.95, maxFeatures: 3_000, sublinearTf: true },
  dimensions: 32,
  powerIterations: 4,
  seed: 42,
};

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(normA * normB);
}
