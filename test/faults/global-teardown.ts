import stopEngines from '../support/global-teardown';
import { faultTable, readOutcomes } from './harness';

/** Prints every scenario's outcome in one table (faults survived / tried), then stops the engines. */
export default async function globalTeardown(): Promise<void> {
  const outcomes = readOutcomes();
  const survived = outcomes.filter((outcome) => outcome.invariants.startsWith('all hold')).length;
  process.stdout.write(`\nFaults survived: ${survived} / ${outcomes.length}\n${faultTable(outcomes)}\n`);
  await stopEngines();
}
