/*
 * Margins as probabilities: a softmax at a temperature, and the temperature that fits held-out papers.
 */

/** exp((margin − max) / temperature) for each class, normalized to sum to 1. */
export function softmax(margins: Float64Array, temperature: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const m of margins) if (m > max) max = m;
  const out = new Float64Array(margins.length);
  let sum = 0;
  for (let k = 0; k < margins.length; k += 1) {
    out[k] = Math.exp((margins[k]! - max) / temperature);
    sum += out[k]!;
  }
  for (let k = 0; k < out.length; k += 1) out[k]! /= sum;
  return out;
}

/** The index of the largest value (the first of equal ones). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k += 1) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * The temperature T minimizing the held-out papers' log loss of softmax(margins / T), searched on
 * log T (golden section over [1e-3, 1e3]); the ranking of classes, hence top-1, does not depend on it.
 */
export function fitTemperature(margins: readonly Float64Array[], labels: readonly number[]): number {
  if (margins.length === 0) return 1;
  const loss = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    margins.forEach((m, i) => {
      let max = Number.NEGATIVE_INFINITY;
      for (const v of m) if (v > max) max = v;
      let sum = 0;
      for (const v of m) sum += Math.exp((v - max) / t);
      total += Math.log(sum) - (m[labels[i]!]! - max) / t;
    });
    return total / margins.length;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(1e-3);
  let high = Math.log(1e3);
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = loss(a);
  let fb = loss(b);
  for (let step = 0; step < 60; step += 1) {
    if (fa <= fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = loss(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = loss(b);
    }
  }
  return Math.exp((low + high) / 2);
}
