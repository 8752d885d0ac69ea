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

/** Holds the served model; a request takes the one current when it starts and keeps it to the end. */
export class ModelHolder {
  private served: ServedModel | undefined;

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

  /** Serves `next` from now on and returns the model it replaced. */
  swap(next: ServedModel): ServedModel | undefined {
    const previous = this.served;
    this.served = next;
    return previous;
  }
}
