import { KernelProjection, projectionFits } from '../../../lib/embedding/kernel-projection';
import { gaussianMatrix, seededRandom, weightedRowSum } from '../../../lib/embedding/linalg';
import { sameBits } from './bits';

const VOCABULARY = 50;

/** A paper's terms: rows of the vocabulary (some repeated, as the kernel must allow) and weights of both signs, some 0. */
function terms(count: number, seed: number): { indices: Int32Array; values: Float64Array } {
  const random = seededRandom(seed);
  const indices = Int32Array.from({ length: count }, () => Math.floor(random() * VOCABULARY));
  const values = Float64Array.from({ length: count }, (_, p) => (p % 7 === 3 ? 0 : random() * 2 - 1));
  return { indices, values };
}

describe('KernelProjection', () => {
  // Widths around the kernel's eight-column blocks, so that the one-column tail runs alone, after
  // blocks, and not at all; and the embedder's usual 384.
  it.each([1, 3, 8, 19, 384])(
    'sums the rows as linalg.ts’s weightedRowSum does, bit for bit (%i dimensions)',
    (dimensions) => {
      const components = Float32Array.from(gaussianMatrix(VOCABULARY, dimensions, dimensions).data);
      const kernel = new KernelProjection(components, dimensions);
      for (const [count, seed] of [
        [0, 1],
        [1, 2],
        [5, 3],
        [37, 4],
        [VOCABULARY, 5],
      ] as const) {
        const { indices, values } = terms(count, seed * dimensions);
        kernel.terms.indices.set(indices);
        kernel.terms.values.set(values);
        const reference = weightedRowSum(indices, values, components, dimensions);
        expect(sameBits(kernel.project(count), reference)).toBe(true);
      }
    },
  );

  it('reads only the first `count` terms, whatever the rest of its buffers hold', () => {
    const components = Float32Array.from(gaussianMatrix(VOCABULARY, 12, 7).data);
    const kernel = new KernelProjection(components, 12);
    kernel.terms.indices.fill(VOCABULARY - 1);
    kernel.terms.values.fill(1e9);
    const { indices, values } = terms(4, 8);
    kernel.terms.indices.set(indices);
    kernel.terms.values.set(values);
    expect(sameBits(kernel.project(4), weightedRowSum(indices, values, components, 12))).toBe(true);
  });

  it('has room for a paper holding every term of the vocabulary', () => {
    const kernel = new KernelProjection(new Float32Array(VOCABULARY * 4), 4);
    expect(kernel.terms.indices).toHaveLength(VOCABULARY);
    expect(kernel.terms.values).toHaveLength(VOCABULARY);
  });

  it('fits any embedder below WebAssembly’s 4 GiB, not one of millions of terms by 384 dimensions', () => {
    expect(projectionFits(20_000, 384)).toBe(true);
    expect(projectionFits(2_000_000, 384)).toBe(true);
    expect(projectionFits(3_000_000, 384)).toBe(false);
  });
});
