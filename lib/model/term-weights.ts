/**
 * A linear model's weights kept term by term, non-zeros only. One-vs-rest SVMs over millions of
 * tf-idf terms are mostly zero: a rare term has a weight only in the classes where a paper holding
 * it is a support vector, so a dense classes × terms block would be almost all zeros (and grow as
 * classes × vocabulary). Term-major order is also the order a paper's margins are summed in: each of
 * its terms adds to the few classes that weigh it.
 */
export interface TermWeights {
  terms: number;
  classes: number;
  /** Term t's weights are classOf/values[offsets[t] .. offsets[t + 1]), classes ascending. */
  offsets: Int32Array;
  classOf: Uint16Array;
  values: Float32Array;
}

/** One class's non-zero weights, terms ascending. */
export interface ClassWeights {
  indices: Int32Array;
  values: Float32Array;
}

export const MAX_CLASSES = 0xffff;

/** The weights that stay non-zero once stored as float32. */
export function nonzeroWeights(weights: Float64Array | Float32Array): ClassWeights {
  let count = 0;
  for (let t = 0; t < weights.length; t += 1) if (Math.fround(weights[t]!) !== 0) count += 1;
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  let at = 0;
  for (let t = 0; t < weights.length; t += 1) {
    const value = Math.fround(weights[t]!);
    if (value === 0) continue;
    indices[at] = t;
    values[at] = value;
    at += 1;
  }
  return { indices, values };
}

export function countWeights(classes: readonly ClassWeights[]): number {
  return classes.reduce((sum, { values }) => sum + values.length, 0);
}

/**
 * The `budget` weights of largest magnitude over all classes (ties at the cut-off go to the earlier
 * class, then the earlier position), each class's kept in order. Returns the classes unchanged
 * when they hold no more than the budget.
 */
export function keepLargest(classes: readonly ClassWeights[], budget: number): ClassWeights[] {
  if (countWeights(classes) <= budget) return [...classes];
  const cutoff = magnitudeCutoff(classes, budget);
  let tiesLeft = budget - cutoff.above;
  return classes.map(({ indices, values }) => {
    const keep = new Uint8Array(values.length);
    let kept = 0;
    for (let p = 0; p < values.length; p += 1) {
      const bits = magnitudeBits(values[p]!);
      if (bits > cutoff.bits || (bits === cutoff.bits && tiesLeft > 0)) {
        if (bits === cutoff.bits) tiesLeft -= 1;
        keep[p] = 1;
        kept += 1;
      }
    }
    const out = { indices: new Int32Array(kept), values: new Float32Array(kept) };
    let at = 0;
    for (let p = 0; p < values.length; p += 1) {
      if (!keep[p]) continue;
      out.indices[at] = indices[p]!;
      out.values[at] = values[p]!;
      at += 1;
    }
    return out;
  });
}

/**
 * The magnitude of the budget-th largest weight, as float32 bits (non-negative floats order as their
 * bits do), and how many weights are strictly above it: two passes of a 65,536-bucket histogram,
 * on the high then the low 16 bits, instead of sorting every weight.
 */
function magnitudeCutoff(classes: readonly ClassWeights[], budget: number): { bits: number; above: number } {
  const histogram = new Float64Array(65_536);
  for (const { values } of classes)
    for (let p = 0; p < values.length; p += 1) histogram[magnitudeBits(values[p]!) >>> 16]! += 1;
  const pick = (wanted: number) => {
    let above = 0;
    for (let bucket = 65_535; bucket >= 0; bucket -= 1) {
      if (above + histogram[bucket]! >= wanted) return { bucket, above };
      above += histogram[bucket]!;
    }
    return { bucket: 0, above };
  };
  const high = pick(budget);
  histogram.fill(0);
  for (const { values } of classes) {
    for (let p = 0; p < values.length; p += 1) {
      const bits = magnitudeBits(values[p]!);
      if (bits >>> 16 === high.bucket) histogram[bits & 0xffff]! += 1;
    }
  }
  const low = pick(budget - high.above);
  return { bits: ((high.bucket << 16) | low.bucket) >>> 0, above: high.above + low.above };
}

const bitsScratch = new Uint32Array(1);
const floatScratch = new Float32Array(bitsScratch.buffer);

/** |value| as float32 bits: non-negative floats order as their bits do. */
function magnitudeBits(value: number): number {
  floatScratch[0] = Math.abs(value);
  return bitsScratch[0]!;
}

/** Regroups per-class weights term by term. */
export function termMajor(classes: readonly ClassWeights[], terms: number): TermWeights {
  if (classes.length > MAX_CLASSES) throw new RangeError(`at most ${MAX_CLASSES} classes, got ${classes.length}`);
  const offsets = new Int32Array(terms + 1);
  for (const { indices } of classes) for (let p = 0; p < indices.length; p += 1) offsets[indices[p]! + 1]! += 1;
  for (let t = 0; t < terms; t += 1) offsets[t + 1]! += offsets[t]!;
  const total = offsets[terms]!;
  const classOf = new Uint16Array(total);
  const values = new Float32Array(total);
  const next = offsets.slice(0, terms);
  classes.forEach(({ indices, values: weights }, k) => {
    for (let p = 0; p < indices.length; p += 1) {
      const at = next[indices[p]!]!++;
      classOf[at] = k;
      values[at] = weights[p]!;
    }
  });
  return { terms, classes: classes.length, offsets, classOf, values };
}

/** A classes × terms row-major block (the first model file format's) as term weights. */
export function fromDense(dense: Float32Array, classes: number, terms: number): TermWeights {
  return termMajor(
    Array.from({ length: classes }, (_, k) => nonzeroWeights(dense.subarray(k * terms, (k + 1) * terms))),
    terms,
  );
}

/**
 * Each class's bias plus its weights · the paper's values. Every class sums the paper's terms in the
 * paper's order, skipping zero weights (adding w · v for w = 0 changes no sum), so the margins are
 * those of the dense product bit for bit.
 */
export function margins(
  weights: TermWeights,
  bias: Float32Array,
  indices: Int32Array,
  values: Float64Array,
  start = 0,
  end = indices.length,
): Float64Array {
  const out = Float64Array.from(bias);
  const { offsets, classOf, values: w } = weights;
  const ranges = rangeScratch(end - start);
  // Every term's range and first weight before any sum: in a table of millions of terms these reads
  // miss the CPU's caches, and made apart from the sums they no longer wait on them (the sums'
  // loops, their lengths hard to predict, keep few reads in flight). 1.3× faster on a cold cache.
  for (let p = start; p < end; p += 1) {
    const term = indices[p]!;
    const first = offsets[term]!;
    const last = offsets[term + 1]!;
    ranges.firsts[p - start] = first;
    ranges.ends[p - start] = last;
    if (first < last) {
      ranges.firstClasses[p - start] = classOf[first]!;
      ranges.firstWeights[p - start] = w[first]!;
    }
  }
  for (let p = start; p < end; p += 1) {
    const first = ranges.firsts[p - start]!;
    const last = ranges.ends[p - start]!;
    if (first === last) continue;
    const value = values[p]!;
    out[ranges.firstClasses[p - start]!]! += ranges.firstWeights[p - start]! * value;
    for (let q = first + 1; q < last; q += 1) out[classOf[q]!]! += w[q]! * value;
  }
  return out;
}

/** Scratch of margins, which runs to completion before anyone else can call it. */
let ranges = {
  firsts: new Int32Array(1024),
  ends: new Int32Array(1024),
  firstClasses: new Int32Array(1024),
  firstWeights: new Float32Array(1024),
};

function rangeScratch(terms: number): typeof ranges {
  if (ranges.firsts.length < terms) {
    const length = 2 * terms;
    ranges = {
      firsts: new Int32Array(length),
      ends: new Int32Array(length),
      firstClasses: new Int32Array(length),
      firstWeights: new Float32Array(length),
    };
  }
  return ranges;
}

/** Class k's weight of term t (0 when it has none). */
export function weightOf(weights: TermWeights, k: number, t: number): number {
  for (let q = weights.offsets[t]!; q < weights.offsets[t + 1]!; q += 1)
    if (weights.classOf[q] === k) return weights.values[q]!;
  return 0;
}
