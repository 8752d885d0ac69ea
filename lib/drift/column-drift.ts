import type { ColumnType } from './column-types';
import { defaultTest } from './choose-test';
import { ownValue } from './own';
import { cleanSample, sampleSize } from './samples';
import { findStatTest, STAT_TESTS, StatTestError, type StatTestName } from './stattests';
import type { ColumnValues } from './table';
import { findTextTest, TEXT_TESTS, type TextTestName } from './text-drift';

export type TestName = StatTestName | TextTestName;

export const TEST_NAMES: readonly TestName[] = [
  ...(Object.keys(STAT_TESTS) as StatTestName[]),
  ...(Object.keys(TEXT_TESTS) as TextTestName[]),
];

/** Whether a name given by a user (an option, a configuration) is a test of the registry: own names only. */
export function isTestName(name: string): name is TestName {
  return findStatTest(name) !== undefined || findTextTest(name) !== undefined;
}

function unknownTest(name: string): StatTestError {
  return new StatTestError(`unknown drift test "${name}": use one of ${TEST_NAMES.join(', ')}`);
}

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
  const byType =
    type === 'numerical'
      ? overrides.numericalTest
      : type === 'categorical'
        ? overrides.categoricalTest
        : overrides.textTest;
  return ownValue(overrides.perColumnTest, column) ?? byType ?? overrides.test;
}

function chosenThreshold(column: string, type: ColumnType, overrides: TestOverrides): number | undefined {
  const perColumn = ownValue(overrides.perColumnThreshold, column);
  if (perColumn !== undefined) return perColumn;
  const byType =
    type === 'numerical'
      ? overrides.numericalThreshold
      : type === 'categorical'
        ? overrides.categoricalThreshold
        : overrides.textThreshold;
  return byType ?? overrides.threshold;
}

/** Drift of one column: each side cleaned as Evidently cleans it, the test chosen, scored against its threshold. */
export function columnDrift(
  column: string,
  type: ColumnType,
  reference: ColumnValues,
  current: ColumnValues,
  overrides: TestOverrides = {},
): ColumnDrift {
  const explicitTest = chosenTest(column, type, overrides);
  if (explicitTest !== undefined && !isTestName(explicitTest)) throw unknownTest(explicitTest);
  const referenceSample = cleanSample(reference);
  const currentSample = cleanSample(current);
  if (sampleSize(referenceSample) === 0)
    throw new ColumnDriftError(`column "${column}" has no values in the reference data`);
  if (sampleSize(currentSample) === 0)
    throw new ColumnDriftError(`column "${column}" has no values in the current data`);
  if (type === 'numerical' && (referenceSample.kind !== 'numbers' || currentSample.kind !== 'numbers')) {
    throw new ColumnDriftError(`column "${column}" is numerical but holds values that are not numbers`);
  }
  const name = explicitTest ?? defaultTest(referenceSample, currentSample, type);
  const explicitThreshold = chosenThreshold(column, type, overrides);
  const common = {
    column,
    type,
    test: name,
    referenceRows: sampleSize(referenceSample),
    currentRows: sampleSize(currentSample),
  };
  const textTest = findTextTest(name);
  if (textTest) {
    if (type !== 'text') throw new ColumnDriftError(`${name} applies to text columns, "${column}" is ${type}`);
    const threshold = explicitThreshold ?? textTest.defaultThreshold;
    return {
      ...common,
      testLabel: textTest.displayName,
      scoreKind: 'roc_auc',
      threshold,
      ...textTest.run(referenceSample, currentSample, threshold),
    };
  }
  const test = findStatTest(name);
  if (!test) throw unknownTest(name);
  // Evidently checks the column type of tests one asks for, not of the ones it picks itself.
  if (type === 'text' || (explicitTest && !test.allowedTypes.includes(type))) {
    throw new ColumnDriftError(
      `${name} does not apply to the ${type} column "${column}" (it takes ${test.allowedTypes.join(' or ')} columns)`,
    );
  }
  const threshold = explicitThreshold ?? test.defaultThreshold;
  let outcome: { score: number; drifted: boolean };
  try {
    outcome = test.run(referenceSample, currentSample, type, threshold);
  } catch (error) {
    if (error instanceof StatTestError) throw new ColumnDriftError(`column "${column}", ${name}: ${error.message}`);
    throw error;
  }
  return { ...common, testLabel: test.displayName, scoreKind: test.scoreKind, threshold, ...outcome };
}
