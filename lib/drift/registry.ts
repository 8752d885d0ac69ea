import type { ColumnType } from './column-types';
import type { Sample } from './samples';

/**
 * The registry of drift tests, as Evidently's stattest registry: every test — statistical tests on
 * numerical and categorical columns, domain-classifier tests on text columns — is one `DriftTest`
 * under the name Evidently gives it, registered by the module that implements it (the families
 * `builtin-tests` loads), and found by that name with `driftTest`.
 */
export const TEST_NAMES = [
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'kl_div',
  'hellinger',
  'perc_text_content_drift',
  'abs_text_content_drift',
] as const;

export type TestName = (typeof TEST_NAMES)[number];

export interface DriftOutcome {
  score: number;
  drifted: boolean;
}

export interface DriftTest {
  name: TestName;
  /** As Evidently's reports show it ("K-S p_value", …). */
  displayName: string;
  /** The column types it applies to (Evidently's allowed_feature_types). */
  allowedTypes: readonly ColumnType[];
  defaultThreshold: number;
  /** What the score is: a p-value (small means drift), a distance or a classifier's ROC AUC (large means drift). */
  scoreKind: 'p_value' | 'distance' | 'roc_auc';
  /** Scores a reference and a current sample (missing values already dropped) against the threshold. */
  run(reference: Sample, current: Sample, type: ColumnType, threshold: number): DriftOutcome;
}

/** A test that cannot run: an unknown name, or values it cannot take. */
export class StatTestError extends Error {
  override readonly name = 'StatTestError';
  readonly permanent = true;
}

const NAMES: ReadonlySet<string> = new Set(TEST_NAMES);
const REGISTERED = new Map<TestName, DriftTest>();

/** Whether a name given by a user (an option, a configuration) is a test of the registry: own names only. */
export function isTestName(name: string): name is TestName {
  return NAMES.has(name);
}

/** Adds a test to the registry; each name is implemented once. */
export function registerDriftTest(test: DriftTest): void {
  if (REGISTERED.has(test.name)) throw new Error(`drift test "${test.name}" is registered twice`);
  REGISTERED.set(test.name, test);
}

/** The test of this name (`toString` is none), or a StatTestError naming the valid ones. */
export function driftTest(name: string): DriftTest {
  if (!isTestName(name)) throw new StatTestError(`unknown drift test "${name}": use one of ${TEST_NAMES.join(', ')}`);
  const test = REGISTERED.get(name);
  if (!test)
    throw new Error(`drift test "${name}" is not registered: import './builtin-tests' before looking tests up`);
  return test;
}
