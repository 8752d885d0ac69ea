import type { ModelHolder, ServedModel } from './model-holder';

/** Which run the configuration chooses now (cheap: a registry lookup, no download). */
export interface ServingChoice {
  runId: string;
  modelVersion: string | null;
}

export interface ReloadOutcome {
  changed: boolean;
  /** What triggered it: the poll, a promotion announcement, or an admin. */
  reason: string;
  from: ServingChoice | null;
  to: ServingChoice;
}

export interface ModelReloaderDeps {
  choose(): Promise<ServingChoice>;
  /** Downloads and builds the chosen model. */
  load(): Promise<ServedModel>;
  onReload?(outcome: ReloadOutcome): void;
  onError?(error: unknown, reason: string): void;
}

function choiceOf(served: ServedModel): ServingChoice {
  return { runId: served.predictor.runId, modelVersion: served.modelVersion };
}

/**
 * Moves the API to the model the configuration chooses when it changed (the alias moved): the
 * new model is downloaded and built while the old one keeps answering, then swapped in. One
 * reload at a time; a reload asked for meanwhile waits for it and checks again.
 */
export class ModelReloader {
  private running: Promise<ReloadOutcome> | undefined;
  private queued: Promise<ReloadOutcome> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** How the checks ended so far (for /metrics). */
  readonly outcomes = { swapped: 0, unchanged: 0, failed: 0 };

  constructor(
    private readonly holder: ModelHolder,
    private readonly deps: ModelReloaderDeps,
  ) {}

  reload(reason: string): Promise<ReloadOutcome> {
    if (!this.running) {
      this.running = this.check(reason).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.reload(reason);
      });
    return this.queued;
  }

  private async check(reason: string): Promise<ReloadOutcome> {
    try {
      const outcome = await this.decide(reason);
      this.outcomes[outcome.changed ? 'swapped' : 'unchanged'] += 1;
      return outcome;
    } catch (error) {
      this.outcomes.failed += 1;
      throw error;
    }
  }

  private async decide(reason: string): Promise<ReloadOutcome> {
    const from = this.holder.loaded ? choiceOf(this.holder.current()) : null;
    const to = await this.deps.choose();
    if (from && from.runId === to.runId && from.modelVersion === to.modelVersion) {
      return { changed: false, reason, from, to };
    }
    const next = await this.deps.load();
    this.holder.swap(next);
    const outcome = { changed: true, reason, from, to: choiceOf(next) };
    this.deps.onReload?.(outcome);
    return outcome;
  }

  /** Checks every `intervalSeconds` (0: never); failures are reported and the current model stays. */
  startPolling(intervalSeconds: number): void {
    if (intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.reload('poll').catch((error: unknown) => this.deps.onError?.(error, 'poll'));
    }, intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([this.running, this.queued]);
  }
}
