import type { EpochMetrics, LabeledMatrix, MlpClassifier, MlpHyperparameters, WeightValues } from './mlp';

/** Everything needed to continue training after a crash: written after every epoch. */
export interface TrainingCheckpoint {
  /** Last completed epoch (1-based). */
  epoch: number;
  history: EpochMetrics[];
  bestEpoch: number;
  bestValLoss: number;
  bestWeights: WeightValues;
  currentWeights: WeightValues;
  /**
   * The optimizer's state after `epoch` (see MlpClassifier.getOptimizerWeights). Without it a
   * resumed run restarts Adam's moments and no longer matches an uninterrupted run.
   */
  optimizerWeights?: WeightValues;
}

export interface TrainingOutcome {
  history: EpochMetrics[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

export interface TrainingHooks {
  resumeFrom?: TrainingCheckpoint;
  /** Called after each epoch with its metrics and a checkpoint (save it, log it, heartbeat). */
  onEpoch?: (metrics: EpochMetrics, checkpoint: TrainingCheckpoint) => Promise<void>;
}

/**
 * Trains epoch by epoch with early stopping on validation loss; the model ends with the weights
 * of its best epoch. A checkpoint from an interrupted run continues where it stopped.
 */
export async function trainWithEarlyStopping(
  model: MlpClassifier,
  train: LabeledMatrix,
  validation: LabeledMatrix,
  hp: MlpHyperparameters,
  hooks: TrainingHooks = {},
): Promise<TrainingOutcome> {
  const resumed = hooks.resumeFrom;
  const history = resumed ? [...resumed.history] : [];
  let bestEpoch = resumed?.bestEpoch ?? 0;
  let bestValLoss = resumed?.bestValLoss ?? Number.POSITIVE_INFINITY;
  let bestWeights = resumed?.bestWeights ?? model.getWeights();
  if (resumed) {
    model.setWeights(resumed.currentWeights);
    await model.setOptimizerWeights(resumed.optimizerWeights ?? []);
  }

  let stoppedEarly = false;
  for (let epoch = (resumed?.epoch ?? 0) + 1; epoch <= hp.maxEpochs; epoch += 1) {
    if (bestEpoch > 0 && epoch - bestEpoch > hp.patience) {
      stoppedEarly = true;
      break;
    }
    const fitted = await model.trainEpoch(train, hp, epoch);
    const measured = model.measure(validation);
    const metrics: EpochMetrics = {
      epoch,
      loss: fitted.loss,
      accuracy: fitted.accuracy,
      valLoss: measured.loss,
      valAccuracy: measured.accuracy,
    };
    history.push(metrics);
    const currentWeights = model.getWeights();
    if (metrics.valLoss < bestValLoss) {
      bestValLoss = metrics.valLoss;
      bestEpoch = epoch;
      bestWeights = currentWeights;
    }
    if (hooks.onEpoch) {
      const optimizerWeights = await model.getOptimizerWeights();
      await hooks.onEpoch(metrics, {
        epoch,
        history: [...history],
        bestEpoch,
        bestValLoss,
        bestWeights,
        currentWeights,
        optimizerWeights,
      });
    }
  }
  model.setWeights(bestWeights);
  return { history, bestEpoch, stoppedEarly };
}

const MAGIC = Buffer.from('ARXIV-CKPT-1\n');

type CheckpointHeader = Omit<TrainingCheckpoint, 'bestWeights' | 'currentWeights' | 'optimizerWeights'> & {
  lengths: number[];
  bestCount: number;
  /** Absent in checkpoints written before the optimizer state was kept. */
  optimizerCount?: number;
};

/** JSON has no NaN or ±Infinity (a diverged epoch's loss, the best loss before any epoch): keep them as strings. */
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'string' && NON_FINITE.has(value) ? Number(value) : value;
}

/** Binary checkpoint: magic, header length (uint32 LE), JSON header, then every weight array as float32 LE. */
export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Buffer {
  const { bestWeights, currentWeights, optimizerWeights = [], ...rest } = checkpoint;
  const arrays = [...bestWeights, ...currentWeights, ...optimizerWeights];
  const header: CheckpointHeader = {
    ...rest,
    lengths: arrays.map((array) => array.length),
    bestCount: bestWeights.length,
    optimizerCount: optimizerWeights.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header, keepNonFinite));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const bodies = arrays.map((array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  return Buffer.concat([MAGIC, length, headerBytes, ...bodies]);
}

export function decodeCheckpoint(bytes: Buffer): TrainingCheckpoint {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not a training checkpoint');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  const header = JSON.parse(
    bytes.subarray(offset, offset + headerLength).toString('utf8'),
    restoreNonFinite,
  ) as CheckpointHeader;
  offset += headerLength;
  const expected = offset + header.lengths.reduce((sum, length) => sum + length * 4, 0);
  if (bytes.length !== expected) {
    throw new Error(
      `training checkpoint is ${bytes.length} bytes but its header describes ${expected}: it is truncated or corrupt`,
    );
  }
  const arrays = header.lengths.map((length) => {
    const copy = new Float32Array(length);
    Buffer.from(copy.buffer).set(bytes.subarray(offset, offset + length * 4));
    offset += length * 4;
    return copy;
  });
  const { lengths: _lengths, bestCount, optimizerCount = 0, ...rest } = header;
  const currentEnd = arrays.length - optimizerCount;
  return {
    ...rest,
    bestWeights: arrays.slice(0, bestCount),
    currentWeights: arrays.slice(bestCount, currentEnd),
    optimizerWeights: arrays.slice(currentEnd),
  };
}
