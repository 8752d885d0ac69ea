import {
  columnDrift,
  dataDrift,
  embeddingDrift,
  inferColumnType,
  ksTwoSample,
  parseCsv,
  rocAuc,
  TableError,
  type Rows,
} from '../../../lib/drift';
import { LegacyRandomState, trainTestHalves } from '../../../lib/drift/numpy-random';
import { wassersteinDistance } from '../../../lib/drift/distance-tests';
import { binnedShares } from '../../../lib/drift/shares';
import { sturgesEdges } from '../../../lib/drift/samples';

const numbers = (...values: number[]) => ({ storage: 'float' as const, values: Float64Array.from(values) });
const labels = (...values: Array<string | null>) => ({ storage: 'string' as const, values });

describe('numpy-compatible random draws', () => {
  it('draws the same permutation and uniforms as numpy.random.RandomState', () => {
    // numpy: RandomState(42).permutation(10), RandomState(0).rand(3)
    expect(Array.from(new LegacyRandomState(42).permutation(10))).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    const random = new LegacyRandomState(0);
    expect([random.rand(), random.rand(), random.rand()]).toEqual([
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439,
    ]);
  });

  it('splits in halves as scikit-learn train_test_split(test_size=0.5, random_state=42)', () => {
    const { train, test } = trainTestHalves(7, 42);
    expect(Array.from(train)).toEqual([4, 3, 6]);
    expect(Array.from(test)).toEqual([0, 1, 5, 2]);
  });
});

describe('two-sample Kolmogorov–Smirnov test', () => {
  it('gives scipy’s exact p-values for equal and unequal sample sizes', () => {
    // scipy.stats.ks_2samp([1..5], [3..8]) and ([1,2,3,4], [5,6,7,8])
    expect(ksTwoSample(Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(3, 4, 5, 6, 7, 8)).pValue).toBeCloseTo(
      0.35714285714285715,
      12,
    );
    expect(ksTwoSample(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8)).pValue).toBeCloseTo(
      0.028571428571428577,
      12,
    );
  });

  it('returns p = 1 for identical samples', () => {
    expect(ksTwoSample(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3))).toMatchObject({ statistic: 0, pValue: 1 });
  });
});

describe('binning', () => {
  it('cuts Sturges bins as numpy.histogram_bin_edges', () => {
    // numpy.histogram_bin_edges(np.arange(10.0), 'sturges') → 5 bins over [0, 9]
    expect(Array.from(sturgesEdges(Float64Array.from({ length: 10 }, (_, i) => i)))).toEqual([
      0, 1.8, 3.6, 5.4, 7.2, 9,
    ]);
  });

  it('fills empty bins with a small share so logarithms stay finite', () => {
    const { reference, current } = binnedShares(
      { kind: 'labels', values: ['a', 'a', 'b'] },
      { kind: 'labels', values: ['a', 'c'] },
      'categorical',
      true,
    );
    expect(Math.min(...reference, ...current)).toBeGreaterThan(0);
  });
});

describe('column drift', () => {
  it('drops the missing and infinite values of a side that has missing values', () => {
    const result = columnDrift(
      'x',
      'numerical',
      numbers(1, 2, Number.NaN, 3, 4, 5, 6, Number.POSITIVE_INFINITY),
      numbers(1, 2, 3, 4, 5, 6),
    );
    expect(result).toMatchObject({ test: 'ks', referenceRows: 6, currentRows: 6, drifted: false });
  });

  it('keeps the infinite values of a side without missing values, and counts them when choosing the test, as Evidently', () => {
    const five = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
    // Five values and +inf in the current data: six distinct values, K-S (chi-square without the infinity).
    expect(columnDrift('x', 'numerical', numbers(...five), numbers(...five, Number.POSITIVE_INFINITY))).toMatchObject({
      test: 'ks',
      referenceRows: 10,
      currentRows: 11,
    });
    // A missing value on that side drops the infinity with it.
    expect(
      columnDrift('x', 'numerical', numbers(...five), numbers(...five, Number.POSITIVE_INFINITY, Number.NaN)),
    ).toMatchObject({ test: 'chisquare', currentRows: 10 });
    // Two values and an infinity: chi-square rather than the Z-test.
    expect(columnDrift('x', 'numerical', numbers(0, 1, 0, 1), numbers(0, 1, Number.NEGATIVE_INFINITY)).test).toBe(
      'chisquare',
    );
  });

  it('measures infinite values as scipy’s Wasserstein distance does: one infinity is infinitely far, two equal ones NaN', () => {
    expect(wassersteinDistance(Float64Array.of(Number.NEGATIVE_INFINITY, 0), Float64Array.of(1))).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(wassersteinDistance(Float64Array.of(0, 1), Float64Array.of(0, Number.POSITIVE_INFINITY))).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(
      wassersteinDistance(Float64Array.of(0, Number.POSITIVE_INFINITY), Float64Array.of(Number.POSITIVE_INFINITY)),
    ).toBeNaN();
    expect(wassersteinDistance(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8))).toBe(5);
  });

  it('refuses to bin infinite values, naming the column and the test', () => {
    const many = Array.from({ length: 30 }, (_, i) => i);
    expect(() =>
      columnDrift('x', 'numerical', numbers(...many), numbers(...many, Number.POSITIVE_INFINITY), { test: 'psi' }),
    ).toThrow(/^column "x", psi: infinite values cannot be cut into histogram bins/);
    expect(() =>
      columnDrift('x', 'numerical', numbers(...many), numbers(...many, Number.POSITIVE_INFINITY), {
        test: 'hellinger',
      }),
    ).toThrow(/column "x", hellinger: infinite values/);
  });

  it('refuses a test asked for a column type it does not apply to, naming both', () => {
    expect(() =>
      columnDrift('label', 'categorical', labels('a', 'b'), labels('a', 'b'), { perColumnTest: { label: 'ks' } }),
    ).toThrow(/ks does not apply to the categorical column "label"/);
    expect(() =>
      columnDrift('x', 'numerical', numbers(1, 2), numbers(1, 2), { test: 'abs_text_content_drift' }),
    ).toThrow(/abs_text_content_drift does not apply to the numerical column "x" \(it takes text columns\)/);
    expect(() => columnDrift('t', 'text', labels('a b', 'c d'), labels('a b', 'e f'), { textTest: 'psi' })).toThrow(
      /psi does not apply to the text column "t" \(it takes categorical or numerical columns\)/,
    );
  });

  it('says which side of a column holds no values', () => {
    expect(() => columnDrift('x', 'numerical', numbers(Number.NaN), numbers(1))).toThrow(
      /no values in the reference data/,
    );
  });

  it('takes the most specific threshold: per column, then per type, then for all columns', () => {
    const reference = numbers(...Array.from({ length: 50 }, (_, i) => i));
    const current = numbers(...Array.from({ length: 50 }, (_, i) => i + 2));
    const overrides = { threshold: 0.5, numericalThreshold: 0.3, perColumnThreshold: { y: 0.01 } };
    expect(columnDrift('x', 'numerical', reference, current, overrides).threshold).toBe(0.3);
    expect(columnDrift('y', 'numerical', reference, current, overrides).threshold).toBe(0.01);
    expect(columnDrift('x', 'numerical', reference, current, { threshold: 0.5 }).threshold).toBe(0.5);
  });
});

describe('dataset drift', () => {
  it('tests the target and prediction first and decides by the share of drifted columns', () => {
    const reference = parseCsv(
      'label,prediction,a,b\n' +
        Array.from({ length: 60 }, (_, i) => `${i % 2 ? 'p' : 'q'},${i % 2 ? 'p' : 'q'},${i},${i % 3}`).join('\n'),
    );
    const current = parseCsv(
      'label,prediction,a,b\n' + Array.from({ length: 60 }, (_, i) => `p,p,${i + 100},${i % 3}`).join('\n'),
    );
    const result = dataDrift(reference, current, { target: 'label', prediction: 'prediction' });
    expect(result.columns.map((column) => [column.column, column.type])).toEqual([
      ['label', 'categorical'],
      ['prediction', 'categorical'],
      ['a', 'numerical'],
      ['b', 'categorical'],
    ]);
    expect(result.columns.map((column) => column.drifted)).toEqual([true, true, true, false]);
    expect(result).toMatchObject({ numberOfDriftedColumns: 3, shareOfDriftedColumns: 0.75, datasetDrift: true });
    expect(
      dataDrift(reference, current, { target: 'label', prediction: 'prediction' }, { driftShare: 0.8 }).datasetDrift,
    ).toBe(false);
  });

  it('skips a column that exists on one side only and says why', () => {
    const result = dataDrift(parseCsv('a,old\n1,2\n3,4\n5,6'), parseCsv('a,new\n1,2\n3,4\n5,6'));
    expect(result.skipped).toEqual([
      { column: 'new', reason: 'not in the reference data' },
      { column: 'old', reason: 'not in the current data' },
    ]);
  });
});

describe('CSV input', () => {
  it('types columns as pandas reads them and infers column types as Evidently', () => {
    const table = parseCsv(
      'f,i,gap,s,t,b\n1.5,1,1,x,alpha one,True\n2,2,,y,beta two,False\n3,1,3,x,gamma three,True\n4,2,4,x,delta four,False\n',
    );
    expect([...table.data.values()].map((values) => values.storage)).toEqual([
      'float',
      'int',
      'float',
      'string',
      'string',
      'bool',
    ]);
    expect(table.columns.map((name) => inferColumnType(table.data.get(name)!))).toEqual([
      'numerical',
      'categorical',
      'numerical',
      'categorical',
      'text',
      'categorical',
    ]);
  });

  it('rejects a row with a wrong number of fields, naming the row', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'ref.csv')).toThrow(
      new TableError('ref.csv row 3 has 1 fields, the header 2'),
    );
  });
});

describe('embedding drift', () => {
  const rows = (count: number, dims: number, shift: number, seed: number): Rows => {
    const random = new LegacyRandomState(seed);
    return {
      count,
      dims,
      data: Float64Array.from({ length: count * dims }, (_, i) => random.rand() + (i % dims === 0 ? shift : 0)),
    };
  };

  it('detects a shifted embedding with the domain classifier and not an unshifted one', () => {
    expect(embeddingDrift(rows(1200, 8, 0.5, 1), rows(1200, 8, 0.5, 2)).drifted).toBe(false);
    const shifted = embeddingDrift(rows(1200, 8, 0, 3), rows(1200, 8, 0.5, 4));
    expect(shifted).toMatchObject({ method: 'model', bootstrap: false, threshold: 0.55, drifted: true });
  });

  it('bootstraps the threshold for a small reference, as Evidently does', () => {
    expect(embeddingDrift(rows(300, 4, 0, 5), rows(300, 4, 0, 6))).toMatchObject({ method: 'model', bootstrap: true });
  });

  it('computes ROC AUC with ties counted half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
  });
});
