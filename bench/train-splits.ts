import type { PaperRecord } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';
import { stratifiedSplit } from '../lib/model/split';

/**
 * The splits bench:train trains on. Ours train on `train` and choose on `validation`; the peer
 * trains on both (it has no use for a validation set), and everyone is scored on `test`.
 */
export interface BenchSplit {
  name: string;
  definition: string;
  classes: number;
  train: string[];
  validation: string[];
  test: string[];
}

export const SPLIT_NAMES = ['top10', 'all100', 'whole'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

const SEED = 42;
/** The pipeline's own split (activities/train.ts). */
const PIPELINE_FRACTIONS = { test: 0.2, validation: 0.1 };

export async function readPapers(path: string): Promise<PaperRecord[]> {
  const all: PaperRecord[] = [];
  for await (const { item } of readSnapshot(path)) if (item.ok) all.push(item.record);
  return all;
}

function classCounts(papers: readonly PaperRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const paper of papers) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
  return counts;
}

function splitOf(
  name: string,
  definition: string,
  papers: readonly PaperRecord[],
  fractions: { test: number; validation: number },
  innerValidation?: number,
): BenchSplit {
  const outer = stratifiedSplit(
    papers,
    (p) => p.primaryCategory,
    (p) => p.id,
    fractions,
    SEED,
  );
  let { train, validation } = outer;
  if (innerValidation !== undefined) {
    const inner = stratifiedSplit(
      train,
      (p) => p.primaryCategory,
      (p) => p.id,
      { test: 0, validation: innerValidation },
      SEED,
    );
    train = inner.train;
    validation = inner.validation;
  }
  const ids = (rows: readonly PaperRecord[]) => rows.map((p) => p.id);
  return {
    name,
    definition,
    classes: new Set(papers.map((p) => p.primaryCategory)).size,
    train: ids(train),
    validation: ids(validation),
    test: ids(outer.test),
  };
}

/**
 * top10: the 10 most frequent primary categories, the first 2,000 papers of each in file order,
 * stratified 80/20 (seed 42), a tenth of the 80% held out as validation.
 * all100: every primary category with ≥ 100 papers, the pipeline's hash split (70/10/20).
 * whole: every category with ≥ 20 papers (the pipeline's own rule), the pipeline's split.
 */
export function benchSplit(name: SplitName, all: readonly PaperRecord[]): BenchSplit {
  const counts = classCounts(all);
  if (name === 'top10') {
    const top = new Set(
      [...counts]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10)
        .map(([label]) => label),
    );
    const taken = new Map<string, number>();
    const papers = all.filter((paper) => {
      if (!top.has(paper.primaryCategory)) return false;
      const n = taken.get(paper.primaryCategory) ?? 0;
      if (n >= 2_000) return false;
      taken.set(paper.primaryCategory, n + 1);
      return true;
    });
    return splitOf(
      name,
      'top 10 primary categories, first 2,000 papers of each in file order, stratified 80/20 (seed 42), validation = 10% of the 80%',
      papers,
      { test: 0.2, validation: 0 },
      0.1,
    );
  }
  const minimum = name === 'all100' ? 100 : 20;
  const papers = all.filter((paper) => counts.get(paper.primaryCategory)! >= minimum);
  return splitOf(
    name,
    `every primary category with ≥ ${minimum} papers, the pipeline's split (70/10/20 by a seeded hash of the id)`,
    papers,
    PIPELINE_FRACTIONS,
  );
}
