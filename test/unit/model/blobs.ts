import { seededRandom } from '../../../lib/embedding/linalg';
import type { Example } from '../../../lib/model/classifier';
import type { LabeledMatrix } from '../../../lib/model/mlp';

export const BLOB_DIMENSIONS = 8;
export const BLOB_CLASSES = ['astro-ph', 'cs.LG', 'math.ST'];

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(Math.max(random(), Number.MIN_VALUE))) * Math.cos(2 * Math.PI * random());
}

/** Three Gaussian blobs in 8 dimensions (fixed centres 3σ apart on average); rows cycle through the classes. */
export function blobRows(rows: number, seed: number, spread = 1): Array<{ vector: Float32Array; label: number }> {
  const centre = gaussian(seededRandom(2024));
  const centres = BLOB_CLASSES.map(() => Array.from({ length: BLOB_DIMENSIONS }, () => centre() * 3));
  const noise = gaussian(seededRandom(seed));
  return Array.from({ length: rows }, (_, r) => {
    const label = r % BLOB_CLASSES.length;
    return { label, vector: Float32Array.from(centres[label]!, (value) => value + noise() * spread) };
  });
}

export function blobMatrix(
  rows: number,
  seed: number,
  options: { spread?: number; flipEvery?: number } = {},
): LabeledMatrix {
  const data = blobRows(rows, seed, options.spread);
  const x = new Float32Array(rows * BLOB_DIMENSIONS);
  const y = new Int32Array(rows);
  data.forEach((row, r) => {
    x.set(row.vector, r * BLOB_DIMENSIONS);
    // Every flipEvery-th row gets the next class's label: noise that confident predictions pay for.
    y[r] = options.flipEvery && r % options.flipEvery === 0 ? (row.label + 1) % BLOB_CLASSES.length : row.label;
  });
  return { rows, dimensions: BLOB_DIMENSIONS, x, y };
}

export function blobExamples(rows: number, seed: number, prefix: string): Example[] {
  return blobRows(rows, seed).map((row, r) => ({
    id: `${prefix}-${r}`,
    label: BLOB_CLASSES[row.label]!,
    vector: row.vector,
  }));
}
