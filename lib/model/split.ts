import { seededRandom } from '../embedding/linalg';

export interface SplitFractions {
  test: number;
  validation: number;
}

export interface DatasetSplit<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/** Fisher–Yates with a seeded generator. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Stratified split: each class is shuffled (seeded, after sorting by key so input order does not
 * matter) and cut into test, validation and train shares, so every part keeps the class mix.
 * A class too small to share keeps its examples in train.
 */
export function stratifiedSplit<T>(
  items: readonly T[],
  labelOf: (item: T) => string,
  keyOf: (item: T) => string,
  fractions: SplitFractions,
  seed: number,
): DatasetSplit<T> {
  const byLabel = new Map<string, T[]>();
  for (const item of items) byLabel.set(labelOf(item), [...(byLabel.get(labelOf(item)) ?? []), item]);
  const split: DatasetSplit<T> = { train: [], validation: [], test: [] };
  for (const label of [...byLabel.keys()].sort()) {
    const members = byLabel.get(label)!.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const shuffled = seededShuffle(members, seed);
    const testCount = shuffled.length >= 3 ? Math.max(1, Math.round(shuffled.length * fractions.test)) : 0;
    const validationCount = shuffled.length >= 3 ? Math.max(1, Math.round(shuffled.length * fractions.validation)) : 0;
    split.test.push(...shuffled.slice(0, testCount));
    split.validation.push(...shuffled.slice(testCount, testCount + validationCount));
    split.train.push(...shuffled.slice(testCount + validationCount));
  }
  return split;
}
