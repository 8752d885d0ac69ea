import type { TextPredictor } from '../lib/tracking/serving-model';

/** The model being served, and why it is the one. */
export interface ServedModel {
  predictor: TextPredictor;
  modelName: string;
  modelVersion: string | null;
  /** How it was chosen: the registry alias, or pinned by LATEST_TRAINING_RUN_ID. */
  chosenBy: 'alias' | 'LATEST_TRAINING_RUN_ID';
  alias: string;
  loadedAt: Date;
}

export class NoModelLoadedError extends Error {
  override readonly name = 'NoModelLoadedError';
  readonly statusCode = 503;
}

/** A served model in use by one request: released when the request is done with it. */
export interface ModelLease {
  served: ServedModel;
  release(): void;
}

/**
 * Holds the served model. A request leases the model current when it starts and keeps it to the
 * end; a replaced model is disposed of only once the last request using it has released it.
 */
export class ModelHolder {
  private served: ServedModel | undefined;
  private readonly inUse = new Map<ServedModel, number>();
  private readonly retired = new Set<ServedModel>();

  constructor(initial?: ServedModel) {
    this.served = initial;
  }

  current(): ServedModel {
    if (!this.served) throw new NoModelLoadedError('no model is loaded yet: train one (`mlops run train`) and reload');
    return this.served;
  }

  get loaded(): boolean {
    return this.served !== undefined;
  }

  lease(): ModelLease {
    const served = this.current();
    this.inUse.set(served, (this.inUse.get(served) ?? 0) + 1);
    let released = false;
    return {
      served,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inUse.get(served) ?? 1) - 1;
        if (left > 0) this.inUse.set(served, left);
        else {
          this.inUse.delete(served);
          if (this.retired.delete(served)) served.predictor.dispose();
        }
      },
    };
  }

  /** Serves `next` from now on; the model it replaces is disposed of when no request uses it any more. */
  swap(next: ServedModel): ServedModel | undefined {
    const previous = this.served;
    this.served = next;
    if (previous && previous !== next) {
      if (this.inUse.has(previous)) this.retired.add(previous);
      else previous.predictor.dispose();
    }
    return previous;
  }

  /** Disposes of the served model (on shutdown). */
  dispose(): void {
    const served = this.served;
    this.served = undefined;
    served?.predictor.dispose();
  }
}
