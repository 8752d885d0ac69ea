import type { ColumnType } from './column-types';
import { defaultTest } from './choose-test';
import { cleanSample, sampleSize } from './samples';
import { STAT_TESTS, StatTestError, type StatTestName } from './stattests';
import type { ColumnValues } from './table';
import { TEXT_TESTS, type TextTestName } from './text-drift';

export type TestName = StatTestName | TextTestName;

export const TEST_NAMES: readonly TestName[] = [...(Object.keys(STAT_TESTS) as StatTestName[]), ...(Object.keys(TEXT_TESTS) as TextTestName[])];

/**
 * Which test and threshold a column gets, most specific first — per column, per column type,
 * for every column — as Evidently resolves them; unset means its automatic choice and the
 * test's default threshold.
 */
export interface TestOverrides {
  test?: TestName;
  numericalTest?: TestName;
  categoricalTest?: TestName;
  textTest?: TestName;
  perColumnTest?: Readonly<Record<string, TestName>>;
  threshold?: number;
  numericalThreshold?: number;
  categoricalThreshold?: number;
  textThreshold?: number;
  perColumnThreshold?: Readonly<Record<string, number>>;
}

export interface ColumnDrift {
  column: string;
  type: ColumnType;
  /** Registry name (`ks`, `wasserstein`, …). */
  test: TestName;
  /** As Evidently labels it ("K-S p_value", …). */
  testLabel: string;
  scoreKind: 'p_value' | 'distance' | 'roc_auc';
  threshold: number;
  score: number;
  drifted: boolean;
  referenceRows: number;
  currentRows: number;
}

export class ColumnDriftError extends Error {
  override readonly name = 'ColumnDriftError';
  readonly permanent = true;
}

function chosenTest(column: string, type: ColumnType, overrides: TestOverrides): TestName | undefined {
  const byType = type === 'numerical' ? overrides.numericalTest : type === 'categorical' ? overrides.categoricalTest : overrides.textTest;
  return overrides.perColumnTest?.[column] ?? byType ?? overrides.test;
}

function chosenThreshold(column: string, type: ColumnType, overrides: TestOverrides): number | undefined {
  const perColumn = overrides.perColumnThreshold?.[column];
  if (perColumn !== undefined) return perColumn;
  const byType = type === 'numerical' ? overrides.numericalThreshold : type === 'categorical' ? overrides.categoricalThreshold : overrides.textThreshold;
  return byType ?? overrides.threshold;
}

/** Drift of one column: missing and infinite values dropped, the test chosen, scored against its threshold. */
export function columnDrift(column: string, type: ColumnType, reference: ColumnValues, current: ColumnValues, overrides: TestOverrides = {}): ColumnDrift {
  const referenceSample = cleanSample(reference);
  const currentSample = cleanSample(current);
  if (sampleSize(referenceSample) === 0) throw new ColumnDriftError(`column "${column}" has no values in the reference data`);
  if (sampleSize(currentSample) === 0) throw new ColumnDriftError(`column "${column}" has no values in the current data`);
  if (type === 'numerical' && (referenceSample.kind !== 'numbers' || currentSample.kind !== 'numbers')) {
    throw new ColumnDriftError(`column "${column}" is numerical but holds values that are not numbers`);
  }
  const explicitTest = chosenTest(column, type, overrides);
  const name = explicitTest ?? defaultTest(referenceSample, currentSample, type);
  const explicitThreshold = chosenThreshold(column, type, overrides);
  const common = { column, type, test: name, referenceRows: sampleSize(referenceSample), currentRows: sampleSize(currentSample) };
  if (name in TEXT_TESTS) {
    const test = TEXT_TESTS[name as TextTestName];
    if (type !== 'text') throw new ColumnDriftError(`${name} applies to text columns, "${column}" is ${type}`);
    const threshold = explicitThreshold ?? test.defaultThreshold;
    return { ...common, testLabel: test.displayName, scoreKind: 'roc_auc', threshold, ...test.run(referenceSample, currentSample, threshold) };
  }
  const test = STAT_TESTS[name as StatTestName];
  if (!test) throw new StatTestError(`unknown drift test "${name}": use one of ${TEST_NAMES.join(', ')}`);
  // Evidently checks the column type of tests one asks for, not of the ones it picks itself.
  if (type === 'text' || (explicitTest && !test.allowedTypes.includes(type))) {
    throw new ColumnDriftError(`${name} does not apply to the ${type} column "${column}" (it takes ${test.allowedTypes.join(' or ')} columns)`);
  }
  const threshold = explicitThreshold ?? test.defaultThreshold;
  return { ...common, testLabel: test.displayName, scoreKind: test.scoreKind, threshold, ...test.run(referenceSample, currentSample, type, threshold) };
}
