import { fitTemperature, softmax } from '../../../lib/model/softmax-temperature';

describe('the softmax temperature', () => {
  it('is the one with the lowest held-out log loss', () => {
    const margins = [
      [2, 0.5, -1],
      [0.2, 1.5, -0.3],
      [1.1, 1.0, 0.9],
      [-0.5, -0.2, 0.8],
      [0.9, 1.2, -1.4],
      [1.4, -0.1, 0.3],
    ].map((m) => Float64Array.from(m));
    const labels = [0, 1, 2, 2, 0, 0];
    const loss = (t: number) => margins.reduce((sum, m, i) => sum - Math.log(softmax(m, t)[labels[i]!]!), 0);
    const t = fitTemperature(margins, labels);
    expect(loss(t)).toBeLessThanOrEqual(loss(t * 1.05));
    expect(loss(t)).toBeLessThanOrEqual(loss(t / 1.05));
    expect(softmax(Float64Array.from([1, 2, 3]), t).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
