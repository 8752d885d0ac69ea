import { MongoBulkWriteError } from 'mongodb';

const DUPLICATE_KEY = 11000;

/**
 * After an unordered insertMany failed: the positions of the documents refused only because they
 * were already stored, when every other document was inserted; undefined when the batch is not
 * wholly stored. A bulk error can carry a lost connection and no write error at all (seen with a
 * MongoDB-protocol server killed mid-write): that batch is not stored, whatever its errors say.
 */
export function duplicatesOfStoredBatch(error: unknown, batchSize: number): number[] | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const writeErrors = (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]).filter(
    (writeError) => writeError !== undefined,
  );
  // No write error at all: the failure was elsewhere (the connection, the write concern).
  if (writeErrors.length === 0 || writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) return undefined;
  if (error.insertedCount + writeErrors.length !== batchSize) return undefined;
  return writeErrors.map((writeError) => writeError.index);
}
