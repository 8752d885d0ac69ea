/** An error MLflow answered with (error_code and message), or the server could not be reached. */
export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.errorCode === 'RESOURCE_DOES_NOT_EXIST' || this.status === 404;
  }

  get alreadyExists(): boolean {
    return this.errorCode === 'RESOURCE_ALREADY_EXISTS';
  }

  /** A request MLflow refused as such (4xx other than rate limiting or timeout): sending it again cannot help. */
  get permanent(): boolean {
    return (
      this.status !== undefined && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429
    );
  }
}
