import startEngines from '../support/global-setup';
import { clearOutcomes } from './harness';

/** The local engines, as for the integration tests, and an empty table of outcomes. */
export default async function globalSetup(): Promise<void> {
  clearOutcomes();
  await startEngines();
}
