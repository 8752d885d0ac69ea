import { ApplicationFailure } from '@temporalio/common';

/**
 * Errors that retrying cannot fix (bad configuration, a missing file, a malformed artifact) become
 * non-retryable failures, so the workflow fails at once with the message instead of retrying.
 */
export const NON_RETRYABLE_ERRORS = [
  'ConfigError',
  'SourceSpecError',
  'SnapshotFormatError',
  'EmbedderFormatError',
  'AtomFormatError',
  'OaiError',
  'ObjectNotFoundError',
] as const;

export function nonRetryable(error: unknown): never {
  const cause = error instanceof Error ? error : new Error(String(error));
  throw ApplicationFailure.create({ message: cause.message, type: cause.name, nonRetryable: true, cause });
}

/**
 * Whether retrying cannot fix the error: one of the types above, or an error that says so itself
 * (`permanent: true`, or `retryable: false` as HTTP client errors do).
 */
export function isPermanent(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const flags = error as Error & { permanent?: boolean; retryable?: boolean };
  return (
    (NON_RETRYABLE_ERRORS as readonly string[]).includes(error.name) ||
    flags.permanent === true ||
    flags.retryable === false
  );
}

/** Runs fn, converting permanent errors into non-retryable failures. */
export async function failFastOn<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isPermanent(error)) nonRetryable(error);
    throw error;
  }
}
