import { paperText, type PaperRecord } from '../../../lib/arxiv/record';
import { LabelEncoder } from '../../../lib/model/label-encoder';
import { trainSparseLinear } from '../../../lib/model/sparse-linear';
import { DEFAULT_SPARSE_LINEAR_CONFIG, type SparseLinearConfig } from '../../../lib/model/sparse-linear-config';
import { stratifiedSplit } from '../../../lib/model/split';
import { type TermWeights } from '../../../lib/model/term-weights';
import { samplePapers } from '../embedding/sample-corpus';

export const CONFIG: SparseLinearConfig = {
  ...DEFAULT_SPARSE_LINEAR_CONFIG,
  tfidf: { ...DEFAULT_SPARSE_LINEAR_CONFIG.tfidf, minDf: 2 },
};

/** Every byte of a model's weights: offsets, values and classes. */
export const weightBytes = ({ offsets, values, classOf }: TermWeights) =>
  Buffer.concat([offsets, values, classOf].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

export const doc = (paper: PaperRecord) => ({ text: paperText(paper), title: paper.title });

export type SampleSplit = Awaited<ReturnType<typeof sampleSplit>>;
export type TrainedSparseLinear = Awaited<ReturnType<typeof trainSparseLinear>>;

/** The bundled sample's six largest primary categories, split 80/20 as the pipeline splits. */
export async function sampleSplit(): Promise<{ train: PaperRecord[]; test: PaperRecord[]; encoder: LabelEncoder }> {
  const papers = await samplePapers(5_000);
  const counts = new Map<string, number>();
  for (const paper of papers) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
  const top = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([label]) => label),
  );
  const kept = papers.filter((paper) => top.has(paper.primaryCategory));
  const { train, test } = stratifiedSplit(
    kept,
    (p) => p.primaryCategory,
    (p) => p.id,
    { test: 0.2, validation: 0 },
    42,
  );
  return { train, test, encoder: LabelEncoder.fromLabels(kept.map((p) => p.primaryCategory)) };
}

/** The sample split and the model trained with CONFIG on its training part. */
export async function trainedOnSample(): Promise<{ split: SampleSplit; trained: TrainedSparseLinear }> {
  const split = await sampleSplit();
  const trained = await trainSparseLinear(
    {
      texts: split.train.map(paperText),
      titles: split.train.map((p) => p.title),
      labels: split.train.map((p) => split.encoder.encode(p.primaryCategory)),
    },
    split.encoder.size,
    CONFIG,
  );
  return { split, trained };
}
