import { paperText } from '../../../lib/arxiv/record';
import { fitTfidf, TfidfVectorizer } from '../../../lib/embedding/tfidf';
import { fitBinarySvm } from '../../../lib/model/svm-solver';
import { samplePapers } from '../embedding/sample-corpus';
import { CONFIG } from './sparse-linear-fixtures';

describe('the binary SVM solver', () => {
  it('reaches the optimum: primal and dual objectives meet', async () => {
    const sample = await samplePapers(1_500);
    const counts = new Map<string, number>();
    for (const paper of sample) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
    const [largest] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const papers = sample.map((p) => ({ text: paperText(p), positive: p.primaryCategory === largest }));
    const x = new TfidfVectorizer(
      fitTfidf(
        papers.map((p) => p.text),
        { ...CONFIG.tfidf, minDf: 2 },
      ),
    ).matrix(papers.map((p) => p.text));
    const c = 0.5;
    const { weights, bias } = fitBinarySvm(
      x,
      (row) => papers[row]!.positive,
      () => c,
      { maxEpochs: 1_000, tolerance: 1e-4, seed: 1 },
    );
    const sign = (i: number) => (papers[i]!.positive ? 1 : -1);
    const margin = (i: number) => {
      let sum = bias;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1) sum += weights[x.indices[p]!]! * x.values[p]!;
      return sum;
    };
    let squaredNorm = bias * bias;
    for (const w of weights) squaredNorm += w * w;
    let hinge = 0;
    for (let i = 0; i < x.rows; i += 1) hinge += Math.max(0, 1 - sign(i) * margin(i)) ** 2;
    const primal = 0.5 * squaredNorm + c * hinge;
    // A dual point from the primal one (αᵢ = 2C·max(0, 1 − yᵢ·marginᵢ)); by weak duality
    // dual(α) ≤ optimum ≤ primal(w), so a small gap means both are at the optimum.
    const alphas = Array.from({ length: x.rows }, (_, i) => 2 * c * Math.max(0, 1 - sign(i) * margin(i)));
    const dualWeights = new Float64Array(x.cols);
    let dualBias = 0;
    let dual = 0;
    alphas.forEach((alpha, i) => {
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
        dualWeights[x.indices[p]!]! += alpha * sign(i) * x.values[p]!;
      dualBias += alpha * sign(i);
      dual += alpha - (alpha * alpha) / (4 * c);
    });
    let dualNorm = dualBias * dualBias;
    for (const w of dualWeights) dualNorm += w * w;
    dual -= 0.5 * dualNorm;
    expect(papers.filter((p) => p.positive).length).toBeGreaterThan(100);
    expect(dual).toBeLessThanOrEqual(primal + 1e-9);
    expect(Math.abs(primal - dual) / primal).toBeLessThan(1e-3);
  });

  it('warm-started from the solution on part of the rows, reaches the same optimum on all of them in fewer passes', async () => {
    const sample = await samplePapers(1_500);
    const label = sample[0]!.primaryCategory;
    const texts = sample.map(paperText);
    const x = new TfidfVectorizer(fitTfidf(texts, { ...CONFIG.tfidf, minDf: 2 })).matrix(texts);
    const positive = (row: number) => sample[row]!.primaryCategory === label;
    const options = { maxEpochs: 1_000, tolerance: 1e-3, seed: 1 };
    const part = { ...x, rows: 1_200, indptr: x.indptr.subarray(0, 1_201) };
    const first = fitBinarySvm(part, positive, () => 0.5, options);
    const initialAlpha = new Float64Array(x.rows);
    initialAlpha.set(first.alpha);
    const cold = fitBinarySvm(x, positive, () => 0.5, options);
    const warm = fitBinarySvm(x, positive, () => 0.5, { ...options, initialAlpha });
    expect(warm.fit.converged).toBe(true);
    expect(warm.fit.epochs).toBeLessThan(cold.fit.epochs);
    let largest = 0;
    cold.weights.forEach((w, j) => (largest = Math.max(largest, Math.abs(w - warm.weights[j]!))));
    expect(largest).toBeLessThan(0.02);
    expect(warm.bias).toBeCloseTo(cold.bias, 1);
  });

  it("solves with the columns only one row has as that row's slack, to the same optimum as with them", async () => {
    const sample = await samplePapers(1_500);
    const label = sample[0]!.primaryCategory;
    const texts = sample.map(paperText);
    const full = new TfidfVectorizer(fitTfidf(texts, { ...CONFIG.tfidf, minDf: 1 })).matrix(texts);
    const rowsOf = new Int32Array(full.cols);
    for (const column of full.indices) rowsOf[column]! += 1;
    // The same rows without their once-seen columns; their squared values become the row's slack.
    const slack = new Float64Array(full.rows);
    const indptr = new Int32Array(full.rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < full.rows; i += 1) {
      for (let p = full.indptr[i]!; p < full.indptr[i + 1]!; p += 1) {
        if (rowsOf[full.indices[p]!] === 1) slack[i]! += full.values[p]! ** 2;
        else {
          indices.push(full.indices[p]!);
          values.push(full.values[p]!);
        }
      }
      indptr[i + 1] = indices.length;
    }
    const reduced = {
      rows: full.rows,
      cols: full.cols,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    };
    expect(indices.length).toBeLessThan(full.indices.length * 0.8);
    const positive = (row: number) => sample[row]!.primaryCategory === label;
    const options = { maxEpochs: 1_000, tolerance: 1e-5, seed: 1 };
    const withColumns = fitBinarySvm(full, positive, () => 0.5, options);
    const withSlack = fitBinarySvm(reduced, positive, () => 0.5, { ...options, slack });
    expect(withSlack.fit.converged).toBe(true);
    let largest = 0;
    withColumns.weights.forEach((w, j) => {
      if (rowsOf[j]! > 1) largest = Math.max(largest, Math.abs(w - withSlack.weights[j]!));
    });
    expect(largest).toBeLessThan(1e-3);
    expect(withSlack.bias).toBeCloseTo(withColumns.bias, 3);
    let alphaGap = 0;
    withColumns.alpha.forEach((a, i) => (alphaGap = Math.max(alphaGap, Math.abs(a - withSlack.alpha[i]!))));
    expect(alphaGap).toBeLessThan(1e-3);
  });
});
