import './builtin-tests';
import type { ColumnType } from './column-types';
import { defaultTest } from './choose-test';
import { ownValue } from './own';
import { driftTest, StatTestError, type DriftOutcome, type DriftTest, type TestName } from './registry';
import { cleanSample, sampleSize } from './samples';
import type { ColumnValues } from './table';

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
  scoreKind: DriftTest['scoreKind'];
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
  const explicitName = chosenTest(column, type, overrides);
  const explicitTest = explicitName === undefined ? undefined : driftTest(explicitName);
  const referenceSample = cleanSample(reference);
  const currentSample = cleanSample(current);
  if (sampleSize(referenceSample) === 0)
    throw new ColumnDriftError(`column "${column}" has no values in the reference data`);
  if (sampleSize(currentSample) === 0)
    throw new ColumnDriftError(`column "${column}" has no values in the current data`);
  if (type === 'numerical' && (referenceSample.kind !== 'numbers' || currentSample.kind !== 'numbers')) {
    throw new ColumnDriftError(`column "${column}" is numerical but holds values that are not numbers`);
  }
  const test = explicitTest ?? driftTest(defaultTest(referenceSample, currentSample, type));
  // Evidently checks the column type of tests one asks for, not of the ones it picks itself (a
  // categorical test for a numerical column with few values; always a text test for a text column).
  if (explicitTest && !explicitTest.allowedTypes.includes(type)) {
    throw new ColumnDriftError(
      `${test.name} does not apply to the ${type} column "${column}" (it takes ${test.allowedTypes.join(' or ')} columns)`,
    );
  }
  const threshold = chosenThreshold(column, type, overrides) ?? test.defaultThreshold;
  let outcome: DriftOutcome;
  try {
    outcome = test.run(referenceSample, currentSample, type, threshold);
  } catch (error) {
    if (error instanceof StatTestError)
      throw new ColumnDriftError(`column "${column}", ${test.name}: ${error.message}`);
    throw error;
  }
  return {
    column,
    type,
    test: test.name,
    referenceRows: sampleSize(referenceSample),
    currentRows: sampleSize(currentSample),
    testLabel: test.displayName,
    scoreKind: test.scoreKind,
    threshold,
    ...outcome,
  };
}
