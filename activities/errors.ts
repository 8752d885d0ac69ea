import { ApplicationFailure } from '@temporalio/common';

/**
 * Errors that retrying cannot fix (bad configuration, a missing file, a malformed artifact) become
 * non-retryable failures, so the workflow fails at once with the message instead of retrying.
 */
export const NON_RETRYABLE_ERRORS = [
  'ConfigError',
  'SourceSpecError',
  'EmbedderFormatError',
  'AtomFormatError',
  'OaiError',
  'ObjectNotFoundError',
] as const;

export function nonRetryable(error: unknown): never {
  const cause = error instanceof Error ? error : new Error(String(error));
  throw ApplicationFailure.create({ message: cause.message, type: cause.name, nonRetryable: true, cause });
}

/** Runs fn, converting the errors listed above into non-retryable failures. */
export async function failFastOn<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error && (NON_RETRYABLE_ERRORS as readonly string[]).includes(error.name)) nonRetryable(error);
    if (error instanceof Error && error.name === 'HttpStatusError' && (error as Error & { retryable?: boolean }).retryable === false) {
      nonRetryable(error);
    }
    throw error;
  }
}
