import { MongoBulkWriteError, type Collection } from 'mongodb';

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

/** Inserts what is not stored yet; returns the positions of the documents that already were. */
export async function insertNew<T extends { _id: string }>(
  collection: Collection<T>,
  documents: T[],
): Promise<Set<number>> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver's OptionalUnlessRequiredId does not see `_id: string`
    await collection.insertMany(documents as any[], { ordered: false });
    return new Set();
  } catch (error) {
    const duplicates = duplicatesOfStoredBatch(error, documents.length);
    if (!duplicates) throw error;
    return new Set(duplicates);
  }
}
