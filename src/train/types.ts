/**
 * The types of the training loop: what a method's hooks receive and return, what `fit` takes and
 * reports, and the JSON shapes of saved training state.
 */
import type * as tf from '@tensorflow/tfjs';

import type { Matrix } from '../core/matrix.js';

import type { LearningRateSchedule } from './learning_rate_schedule.js';
import type { ProgressOptions } from './progress.js';

/** One mini-batch as a method's {@link UnsupervisedMethod.batchLoss} sees it. */
export interface TrainingBatch {
  /** Rows of the dataset in this batch. */
  indices: Int32Array;
  /** The batch's inputs, from {@link UnsupervisedMethod.batchInputs} (images [b, h, w, c] by default). Owned by the loop. */
  inputs: tf.Tensor;
  /** Zero-based epoch. */
  epoch: number;
  /** Zero-based step within the epoch. */
  step: number;
  /** Steps taken before this one over the method's whole life (survives several `fit` calls). */
  globalStep: number;
  /** A seed for this batch's randomness (augmentations, shuffles), derived from the fit seed, epoch and step. */
  seed: number;
  /** The phase `epochBatches` set for this batch (e.g. IIC: the head its pass trains), if any. */
  phase: string | undefined;
}

/**
 * A batch of an epoch's plan (what `epochBatches` returns): its rows, and optionally a phase
 * that the batch's hooks read from {@link TrainingBatch.phase} (e.g. IIC's head alternation).
 */
export interface PlannedBatch {
  indices: Int32Array;
  phase?: string;
}

/**
 * A metric a batch loss logs: one scalar, or a list of them (e.g. IIC's loss of every sub-head),
 * logged as `name0`, `name1`, … in the epoch's metrics and handed back to `onEpochEnd` as a list.
 */
export type BatchMetric = tf.Scalar | tf.Scalar[];

/** What a batch loss may return: the scalar to minimise, and optional extra metrics to log. */
export type BatchLossResult = tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, BatchMetric> };

/** The epoch means of the list metrics a batch loss logged, by name (an entry is `undefined` when no step logged it). */
export type EpochMetricLists = Record<string, Array<number | undefined>>;

/** A set of variables trained by one optimiser. */
export interface ParameterGroup {
  /** Stable name of the group; its optimiser (and e.g. Adam moments) is kept while its variables stay the same. */
  name: string;
  /** The variables to update. */
  variables: tf.Variable[];
  /** Learning rate of this group. Default: the fit's `learningRate`. */
  learningRate?: number;
}

/** Per-epoch metrics: `loss` (mean over batches) and whatever the method logs. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  seconds: number;
  samplesPerSecond: number;
  [metric: string]: number;
}

/** Options of {@link UnsupervisedMethod.fit}. Defaults work for MNIST. */
export interface FitOptions {
  /** Epochs to train. Default: the method's `defaultEpochs`. */
  epochs?: number;
  /** Mini-batch size. Default: the method's `defaultBatchSize` (256 for most). */
  batchSize?: number;
  /** Adam learning rate. Default: the method's `defaultLearningRate` (1e-3 for most). */
  learningRate?: number;
  /** Seed of shuffling and of per-batch randomness. Default 0. */
  seed?: number;
  /** Stop each epoch after this many steps (quick runs and tests). Default: the whole dataset. */
  stepsPerEpoch?: number;
  /**
   * Progress display: a mode (default `'auto'`: a bar on a TTY, a line per epoch otherwise), or
   * {@link ProgressOptions} to choose the stream too.
   */
  progress?: ProgressOptions['mode'] | ProgressOptions;
  /**
   * Learning-rate schedule: a factor on `learningRate` (and on every group's own rate), updated
   * every step, e.g. {@link cosineLearningRate}. Its epoch is counted over the method's life, so a
   * resumed run given the same schedule follows the same rates. Default: constant.
   */
  learningRateSchedule?: LearningRateSchedule;
  /** Called after every epoch with its metrics; may be async (the loop waits). */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Called after every step with the step's index (no tensor is read for it). */
  onBatchEnd?: (step: number, epoch: number) => void | Promise<void>;
  /**
   * Callbacks in TF.js's shape (`model.fit`'s `callbacks`): an object or a list of them, each
   * with any of `onTrainBegin`, `onTrainEnd`, `onEpochBegin`, `onEpochEnd`, `onBatchEnd`; TF.js's
   * own callbacks work too, e.g. `tf.callbacks.earlyStopping({ monitor: 'loss' })`. Setting
   * `method.stopTraining = true` in one ends the fit after the running step (or epoch).
   */
  callbacks?: FitCallbacks | FitCallbacks[];
}

/** The per-step logs of {@link FitCallbacks.onBatchEnd}. */
export interface BatchEndLogs {
  /** The step's index within the epoch (zero-based). */
  batch: number;
  /** Samples in the batch. */
  size: number;
  /** The step's loss (read from the device after the step, only when an `onBatchEnd` callback is given). */
  loss: number;
  /** The epoch (over the method's life, zero-based). */
  epoch: number;
  [key: string]: number;
}

/**
 * Callbacks of `fit` in TF.js's shape (`tf.CustomCallbackArgs`). Epochs are counted over the
 * method's life (as {@link EpochLogs.epoch}); each may be async (the loop waits). A `tf.Callback`
 * (e.g. `tf.callbacks.earlyStopping`) gets the method as its `model`, so setting
 * `model.stopTraining` stops the fit.
 */
export interface FitCallbacks {
  /** Before the first epoch of the fit. */
  onTrainBegin?: (logs: Record<string, number>) => void | Promise<void>;
  /** After the last epoch of the fit (not when it throws). */
  onTrainEnd?: (logs: Record<string, number>) => void | Promise<void>;
  /** Before each epoch. */
  onEpochBegin?: (epoch: number, logs: Record<string, number>) => void | Promise<void>;
  /** After each epoch with its metrics (`loss` and what the method logs). */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** After each step with its loss (reading it waits for the step to finish on the device). */
  onBatchEnd?: (batch: number, logs: BatchEndLogs) => void | Promise<void>;
}

/** Options every method's constructor accepts. */
export interface MethodOptions {
  /** Seed of weight initialisation and of the method's own randomness. Default 0. */
  seed?: number;
}

/** A function mapping a batch of inputs to a 2-D output (codes, probabilities…). */
export type BatchFunction = (inputs: tf.Tensor) => tf.Tensor;

/** A row-major float32 matrix returned by inference helpers (the core {@link Matrix}). */
export type FeatureMatrix = Matrix<Float32Array>;

/** A JSON value (what method state in a checkpoint may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One tensor of an optimiser's state, with its values copied off the device. */
export interface OptimizerWeight {
  /** The name the optimiser gave it (e.g. `iter`, `encoder_dense0/kernel/m`); informational only. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/**
 * The state of one parameter group's optimiser: what `tf.Optimizer.getWeights()` returns (for
 * Adam: the iteration count, then the first and second moments of every variable, in the
 * group's variable order) plus scalars some optimisers keep outside it (Adam's β₁ᵗ and β₂ᵗ).
 * Restored by position: the group must have as many variables, in the same order.
 */
export interface OptimizerGroupState {
  /** The {@link ParameterGroup} name. */
  group: string;
  /** `getClassName()` of the optimiser, e.g. `'Adam'`. */
  optimizer: string;
  /** Learning rate the optimiser was created with. */
  learningRate: number;
  /** Variables of the group when the state was taken. */
  variableCount: number;
  /** `getWeights()`, in order. */
  weights: OptimizerWeight[];
  /** Scalars outside `getWeights()` (Adam: `accBeta1`, `accBeta2`), restored exactly. */
  extra: Record<string, number>;
}

/**
 * Everything besides the weights and the configuration that training needs to continue exactly
 * where it stopped: counters, history, optimiser states and the method's own state. See
 * {@link UnsupervisedMethod.exportTrainingState}.
 */
export interface TrainingState {
  epochsTrained: number;
  globalStep: number;
  history: EpochLogs[];
  optimizers: OptimizerGroupState[];
  /** Method-specific state (pseudo-labels, moving averages, stage progress...). */
  method: JsonObject;
}
