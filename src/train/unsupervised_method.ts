import * as tf from '@tensorflow/tfjs';

import { batchIndices, gatherImages } from '../data/batching.js';
import type { ImageDataset } from '../data/dataset.js';
import { validateDataset } from '../data/dataset.js';
import { checkSeed } from '../data/random.js';
import { deriveSeed } from '../nn/initializers.js';
import { ProgressReporter } from './progress.js';
import type { ProgressOptions } from './progress.js';
import type { LearningRateSchedule } from './learning_rate_schedule.js';

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
}

/** What a batch loss may return: the scalar to minimise, and optional extra scalars to log. */
export type BatchLossResult = tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, tf.Scalar> };

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
}

/** Options every method's constructor accepts. */
export interface MethodOptions {
  /** Seed of weight initialisation and of the method's own randomness. Default 0. */
  seed?: number;
}

/** A function mapping a batch of inputs to a 2-D output (codes, probabilities…). */
export type BatchFunction = (inputs: tf.Tensor) => tf.Tensor;

/** A row-major matrix returned by inference helpers. */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

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

/**
 * Sets an optimiser's learning rate in place, keeping its state: SGD and momentum through
 * `setLearningRate`, the others (Adam, Adamax, RMSProp, Adagrad, Adadelta) through their
 * `learningRate` field, which every step reads. Returns false when neither exists.
 */
function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): boolean {
  const fields = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate?: unknown };
  if (typeof fields.setLearningRate === 'function') {
    fields.setLearningRate(rate);
    return true;
  }
  if (typeof fields.learningRate === 'number') {
    fields.learningRate = rate;
    return true;
  }
  return false;
}

/**
 * Frees what a gradient tape saved for its backward pass when the forward pass threw: TF.js frees
 * those tensors only after a backward pass, so without this every failed step would leak them
 * (the same clean-up as the end of `tf.variableGrads`, for the outermost tape only).
 */
function releaseAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null as unknown as typeof state.activeTape;
}

/** Throws an error naming `context` when `options` is given but is not a plain object. */
function checkOptionsObject(options: unknown, context: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${context}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`);
  }
}

/** Scalars of some tf.js optimisers that `getWeights()` leaves out but the next step reads. */
const OPTIMIZER_EXTRA_SCALARS = ['accBeta1', 'accBeta2'] as const;

/**
 * The one training loop that every method shares (solo-learn style).
 *
 * The base class owns `fit`: validation, seeded shuffling, batching, gradient steps with one
 * optimiser per {@link ParameterGroup}, running metrics kept on the device (read asynchronously
 * once per epoch), progress and callbacks. A method overrides narrow hooks:
 *
 * - {@link build}: create its models for the dataset's input shape (called once, lazily);
 * - {@link batchLoss}: the loss of one batch (inside a gradient tape; return a scalar);
 * - {@link parameterGroups} or {@link trainableVariables}: what the step updates;
 * - {@link onEpochStart} / {@link onEpochEnd}: per-epoch work (DeepCluster re-clusters here);
 * - {@link epochBatches}: the batch order (DeepCluster samples clusters uniformly);
 * - {@link batchInputs}: how rows become tensors (images by default).
 */
export abstract class UnsupervisedMethod<TData extends { size: number } = ImageDataset> {
  /** Human-readable name used in logs. */
  abstract readonly name: string;
  /** Epochs when `fit` is given none. */
  protected defaultEpochs = 10;
  /** Batch size when `fit` is given none. */
  protected defaultBatchSize = 256;
  /** Learning rate when `fit` is given none. */
  protected defaultLearningRate = 1e-3;

  /** Seed of the method's weights and randomness. */
  readonly seed: number;
  /** Epochs completed over the method's life. */
  epochsTrained = 0;
  /** Optimiser steps taken over the method's life. */
  globalStep = 0;
  /** Metrics of every completed epoch. */
  readonly history: EpochLogs[] = [];

  private readonly optimizers = new Map<string, { signature: string; optimizer: tf.Optimizer; learningRate: number }>();
  private builtFor: string | undefined;
  /** The schedule's factor for the running step (1 outside a scheduled fit). */
  private learningRateFactor = 1;
  /** Progress reporter of the running fit, for methods that print per-epoch details. */
  protected progress: ProgressReporter | undefined;
  /** The last fit's reporter, so that work after a fit (a stage's summary) prints the same way. */
  private lastProgress: ProgressReporter | undefined;
  /** Why the weights can no longer be used (they became NaN or infinite in a fit), if they cannot. */
  private weightsBroken: string | undefined;

  constructor(options: MethodOptions = {}) {
    // `this.name` is a subclass field, not set yet: name the class in constructor errors.
    const context = new.target.name;
    checkOptionsObject(options, context);
    this.seed = checkSeed(options.seed ?? 0, `${context}: seed`);
  }

  /** Creates the method's models for data like `dataset`. Called once before the first step. */
  protected abstract build(dataset: TData): void;

  /** The loss of one batch; runs inside a gradient tape, so use tensor ops only (no data reads). */
  protected abstract batchLoss(batch: TrainingBatch): BatchLossResult;

  /** The variables a step updates, when a method has one group. */
  protected trainableVariables(): tf.Variable[] {
    throw new Error(`${this.name}: override trainableVariables() or parameterGroups().`);
  }

  /** Groups of variables with their own optimisers. Default: one group of {@link trainableVariables}. */
  protected parameterGroups(): ParameterGroup[] {
    return [{ name: 'all', variables: this.trainableVariables() }];
  }

  /** Creates the optimiser of a group. Default: Adam. */
  protected createOptimizer(learningRate: number, _group: string): tf.Optimizer {
    return tf.train.adam(learningRate);
  }

  /** Checks a dataset before training or inference; throws a clear error. */
  protected validate(dataset: TData, context: string): void {
    validateDataset(dataset as unknown as ImageDataset, `${this.name}.${context}`);
  }

  /**
   * Checks that data has the shape the models were built for (when they are built), before any
   * tensor reaches them: an error naming the expected and the given shape, never a TF.js message.
   */
  protected requireBuiltShape(dataset: TData, what: string): void {
    if (this.builtFor === undefined) return;
    const key = this.shapeKey(dataset);
    if (key !== this.builtFor) {
      throw new Error(`${this.name}.${what}: the model was built for inputs of shape ${this.builtFor}, got ${key}; give data of the shape it was trained on (or train a new model for this shape).`);
    }
  }

  /** Key of the data shape a model was built for; `build` runs again only if it changes (it may throw). */
  protected shapeKey(dataset: TData): string {
    return JSON.stringify((dataset as unknown as ImageDataset).shape);
  }

  /** Turns rows into the batch's input tensor. Default: images as [b, h, w, c]. */
  protected batchInputs(dataset: TData, indices: Int32Array): tf.Tensor {
    const images = dataset as unknown as ImageDataset;
    return tf.tensor4d(gatherImages(images, indices), [indices.length, ...images.shape]);
  }

  /** The order of an epoch's batches. Default: a seeded shuffle of all rows. */
  protected epochBatches(dataset: TData, batchSize: number, seed: number): Int32Array[] {
    return batchIndices(dataset.size, batchSize, { shuffle: true, seed });
  }

  /**
   * Names of logged metrics (or `'loss'`) whose values {@link afterStep} receives after every
   * step. Reading them waits for the step to finish on the device, so it is opt-in. Default: none.
   */
  protected watchedMetrics: string[] = [];

  /**
   * Runs after every step with the values of {@link watchedMetrics}; returning `true` ends the
   * fit after this step (e.g. a stopping signal). Default: never stops.
   */
  protected async afterStep(_values: Record<string, number>, _batch: TrainingBatch): Promise<boolean> {
    return false;
  }

  /** Runs before each epoch (after `build`). Default: nothing. */
  protected async onEpochStart(_epoch: number, _dataset: TData): Promise<void> {}

  /** Runs after each epoch; may add metrics to `logs`. Default: nothing. */
  protected async onEpochEnd(_epoch: number, _logs: EpochLogs, _dataset: TData): Promise<void> {}

  /** Builds the models if they are not built yet for this data shape. */
  protected ensureBuilt(dataset: TData): void {
    const key = this.shapeKey(dataset);
    if (this.builtFor === key) return;
    if (this.builtFor !== undefined) {
      throw new Error(`${this.name}: the model was built for inputs of shape ${this.builtFor}, got ${key}; give data of the shape it was trained on (or train a new model for this shape).`);
    }
    this.build(dataset);
    this.builtFor = key;
  }

  /**
   * Creates the models for data like `dataset` without training them, e.g. to evaluate a
   * randomly initialised network (the weights `fit` would start from, for the same seed).
   */
  initialize(dataset: TData): this {
    this.validate(dataset, 'initialize');
    this.ensureBuilt(dataset);
    return this;
  }

  /** Whether the models exist. */
  get isBuilt(): boolean {
    return this.builtFor !== undefined;
  }

  /**
   * Prints a line through the running fit's progress display, or the last fit's when none runs
   * (so it honours the fit's `progress` mode; nothing in mode `'none'`).
   */
  protected report(text: string): void {
    (this.progress ?? this.lastProgress)?.message(text);
  }

  /** Marks the method as built for a data shape (used by `load`). */
  protected markBuilt(key: string): void {
    this.builtFor = key;
  }

  private optimizerFor(group: ParameterGroup, learningRate: number): tf.Optimizer {
    const signature = group.variables.map((v) => v.name).join('|');
    const rate = (group.learningRate ?? learningRate) * this.learningRateFactor;
    const existing = this.optimizers.get(group.name);
    if (existing && existing.signature === signature) {
      // A new rate (a schedule, or another fit's learningRate) keeps the optimiser's moments.
      if (existing.learningRate !== rate && setOptimizerLearningRate(existing.optimizer, rate)) existing.learningRate = rate;
      if (existing.learningRate === rate) return existing.optimizer;
    }
    // Optimisers such as Adam keep their moments by position in the variable list: a new set
    // of variables needs a fresh optimiser, never the state of another variable.
    existing?.optimizer.dispose();
    const optimizer = this.createOptimizer(rate, group.name);
    this.optimizers.set(group.name, { signature, optimizer, learningRate: rate });
    return optimizer;
  }

  /** Drops a group's optimiser (and its state); the next step creates a fresh one. */
  protected resetOptimizer(groupName: string): void {
    this.optimizers.get(groupName)?.optimizer.dispose();
    this.optimizers.delete(groupName);
  }

  /**
   * One optimiser step on a batch: gradients of {@link batchLoss} with respect to every group's
   * variables, each group updated by its optimiser. Returns the loss and logged metrics as
   * scalars that the caller owns (nothing is read from the device here).
   */
  protected trainStep(batch: TrainingBatch, learningRate: number): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
    const groups = this.parameterGroups().filter((g) => g.variables.length > 0);
    const variables = groups.flatMap((g) => g.variables);
    if (variables.length === 0) throw new Error(`${this.name}: no trainable variables for this step.`);
    let metrics: Record<string, tf.Scalar> = {};
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      computed = tf.variableGrads(() => {
        const result = this.batchLoss(batch);
        const loss = result instanceof tf.Tensor ? result : result.loss;
        // Checked here, inside the tape: tf.variableGrads would reject it only after computing
        // (and leaking) every gradient.
        if (!(loss instanceof tf.Tensor) || loss.rank !== 0) {
          throw new Error(`${this.name}: batchLoss must return a scalar loss, got ${loss instanceof tf.Tensor ? `a tensor of shape [${loss.shape}]` : String(loss)}.`);
        }
        if (!(result instanceof tf.Tensor)) metrics = Object.fromEntries(Object.entries(result.metrics ?? {}).map(([k, t]) => [k, tf.keep(t)]));
        return loss;
      }, variables);
    } catch (error) {
      // Metrics kept before the loss (or its gradient) failed would outlive the step.
      tf.dispose(Object.values(metrics));
      releaseAbandonedTape();
      throw error;
    }
    const { value, grads } = computed;
    try {
      for (const group of groups) {
        const groupGrads: tf.NamedTensorMap = {};
        for (const v of group.variables) groupGrads[v.name] = grads[v.name];
        this.optimizerFor(group, learningRate).applyGradients(groupGrads);
      }
    } catch (error) {
      tf.dispose([value, ...Object.values(metrics)]);
      throw error;
    } finally {
      tf.dispose(grads);
    }
    return { loss: value, metrics };
  }

  /**
   * Trains the method on `dataset`. Calling `fit` again continues training (epochs are counted
   * from {@link epochsTrained}).
   *
   * @returns the metrics of the epochs this call ran.
   * @throws on an empty dataset, NaN inputs, or a shape the models were not built for.
   */
  async fit(dataset: TData, options: FitOptions = {}): Promise<EpochLogs[]> {
    this.requireUsableWeights('fit');
    const { epochs, batchSize, learningRate, seed, progress } = this.resolveFitOptions(options, 'fit');
    this.validate(dataset, 'fit');
    this.ensureBuilt(dataset);
    this.progress = progress;
    const ran: EpochLogs[] = [];
    let stopRequested = false;
    try {
      for (let e = 0; e < epochs; e++) {
        const epoch = this.epochsTrained;
        const started = performance.now();
        await this.onEpochStart(epoch, dataset);
        const epochSeed = deriveSeed(seed, epoch);
        let batches = this.epochBatches(dataset, batchSize, epochSeed);
        if (options.stepsPerEpoch !== undefined) batches = batches.slice(0, options.stepsPerEpoch);
        // Running sums stay on the device; a metric's mean is over the steps that logged it.
        const sums = new Map<string, tf.Scalar>();
        const counts = new Map<string, number>();
        const accumulate = (key: string, value: tf.Scalar) => {
          const previous = sums.get(key);
          sums.set(key, previous ? tf.add(previous, value) : tf.clone(value));
          counts.set(key, (counts.get(key) ?? 0) + 1);
          previous?.dispose();
          value.dispose();
        };
        const logs: EpochLogs = { epoch, loss: Number.NaN, seconds: 0, samplesPerSecond: 0 };
        let samples = 0;
        try {
          let lastLossRead = 0;
          let shownLoss: number | undefined;
          for (let step = 0; step < batches.length; step++) {
            const indices = batches[step];
            const inputs = this.batchInputs(dataset, indices);
            let stop = false;
            try {
              const batch: TrainingBatch = { indices, inputs, epoch, step, globalStep: this.globalStep, seed: deriveSeed(epochSeed, step + 1) };
              if (options.learningRateSchedule !== undefined) {
                const factor = options.learningRateSchedule(epoch, step / batches.length);
                if (!(factor >= 0) || !Number.isFinite(factor)) throw new Error(`${this.name}.fit: the learning-rate schedule gave ${factor} at epoch ${epoch}, step ${step}; it must return a finite factor ≥ 0.`);
                this.learningRateFactor = factor;
              }
              const { loss, metrics } = this.trainStep(batch, learningRate);
              const all: Record<string, tf.Scalar> = { loss, ...metrics };
              try {
                if (this.watchedMetrics.length > 0) {
                  const values: Record<string, number> = {};
                  for (const key of this.watchedMetrics) if (all[key] !== undefined) values[key] = (await all[key].data())[0];
                  stop = await this.afterStep(values, batch);
                }
              } finally {
                // The running sums own the step's scalars from here, even when afterStep throws.
                for (const [key, value] of Object.entries(all)) accumulate(key, value);
              }
            } finally {
              inputs.dispose();
            }
            this.globalStep++;
            samples += indices.length;
            const seconds = (performance.now() - started) / 1000;
            if (seconds - lastLossRead > 1 && this.progress !== undefined) {
              // Asynchronous read, at most once a second, only for the progress display.
              lastLossRead = seconds;
              shownLoss = (await sums.get('loss')!.data())[0] / (step + 1);
            }
            this.progress.update({ epoch: e, epochs, batch: step + 1, batches: batches.length, samples, seconds, loss: shownLoss });
            await options.onBatchEnd?.(step, epoch);
            if (stop) {
              stopRequested = true;
              batches = batches.slice(0, step + 1);
              break;
            }
          }
          for (const [key, sum] of sums) logs[key] = (await sum.data())[0] / Math.max(1, counts.get(key) ?? 0);
        } finally {
          // Disposed on every path, including a step, schedule or callback that throws.
          tf.dispose([...sums.values()]);
          sums.clear();
        }
        if (!Number.isFinite(logs.loss) && batches.length > 0) {
          let cause = 'check the inputs for NaN or lower the learning rate';
          if (await this.weightsAreNonFinite()) {
            this.weightsBroken = `the weights became NaN or infinite in epoch ${epoch + 1} of an earlier fit (loss ${logs.loss}, learning rate ${learningRate})`;
            cause = 'the weights are now NaN or infinite, so this method can no longer be used: create a new one (or load a saved one) and train it with a lower learning rate';
          }
          throw new Error(`${this.name}: the loss became ${logs.loss} in epoch ${epoch + 1} (learning rate ${learningRate}); ${cause}.`);
        }
        const trainSeconds = (performance.now() - started) / 1000;
        logs.samplesPerSecond = samples / Math.max(trainSeconds, 1e-9);
        this.epochsTrained++;
        await this.onEpochEnd(epoch, logs, dataset);
        logs.seconds = (performance.now() - started) / 1000;
        this.history.push(logs);
        ran.push(logs);
        this.progress.epochEnd({ epoch: e, epochs, batch: batches.length, batches: batches.length, samples, seconds: logs.seconds }, logs);
        await options.onEpochEnd?.(epoch, logs);
        if (stopRequested) break;
      }
    } finally {
      this.lastProgress = this.progress;
      this.progress = undefined;
      this.learningRateFactor = 1;
    }
    return ran;
  }

  /**
   * Runs `fn` over `dataset` in batches (inference mode) and gathers the 2-D outputs into one
   * row-major matrix. Every batch's tensors are disposed; nothing is kept on the device.
   */
  protected async mapBatches(dataset: TData, fn: BatchFunction, batchSize = 512): Promise<FeatureMatrix> {
    this.requireUsableWeights('inference');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${this.name}: batchSize must be a positive integer, got ${String(batchSize)}.`);
    this.validate(dataset, 'inference');
    this.requireBuiltShape(dataset, 'inference');
    let data: Float32Array | undefined;
    let cols = 0;
    for (const indices of batchIndices(dataset.size, batchSize, { shuffle: false })) {
      const inputs = this.batchInputs(dataset, indices);
      const output = tf.tidy(() => {
        const out = fn(inputs);
        return out.rank === 2 ? out : out.reshape([indices.length, -1]);
      });
      inputs.dispose();
      const values = (await output.data()) as Float32Array;
      if (data === undefined) {
        cols = output.shape[1] as number;
        data = new Float32Array(dataset.size * cols);
      }
      data.set(values, indices[0] * cols);
      output.dispose();
    }
    return { data: data ?? new Float32Array(0), rows: dataset.size, cols };
  }

  /** The embedding of a batch in inference mode. Methods that embed override it. */
  protected encodeBatch(_inputs: tf.Tensor): tf.Tensor {
    throw new Error(`${this.name} does not produce embeddings.`);
  }

  /** Turns a tensor of inputs into data this method reads (images [n, h, w, c] by default). */
  protected async dataFromTensor(tensor: tf.Tensor): Promise<TData> {
    if (tensor.rank !== 4) throw new Error(`${this.name}: expected images [n, height, width, channels], got a tensor of shape [${tensor.shape}].`);
    const [n, h, w, c] = tensor.shape as [number, number, number, number];
    const images: ImageDataset = { images: (await tensor.data()) as Float32Array, shape: [h, w, c], size: n };
    return images as unknown as TData;
  }

  /**
   * Embeds every row of `input` (a dataset, or a tensor of images) with the trained model, in
   * batches, and returns the codes as one row-major `Float32Array` with its dimensions.
   */
  async encode(input: TData | tf.Tensor, options: { batchSize?: number } = {}): Promise<FeatureMatrix> {
    this.requireBuilt('encode');
    checkOptionsObject(options, `${this.name}.encode`);
    const data = await this.inferenceData(input, 'encode');
    return this.mapBatches(data, (x) => this.encodeBatch(x), options.batchSize);
  }

  /**
   * The data of an inference call from a dataset or a tensor of inputs, checked (values, and the
   * shape the models were built for) before any tensor reaches a model.
   */
  protected async inferenceData(input: TData | tf.Tensor, what: string): Promise<TData> {
    if (input instanceof tf.Tensor && input.isDisposed) throw new Error(`${this.name}.${what}: the input tensor is disposed.`);
    const data = input instanceof tf.Tensor ? await this.dataFromTensor(input) : input;
    this.validate(data, what);
    this.requireBuiltShape(data, what);
    return data;
  }

  /** Throws a clear error when the method is used before `fit` or `load`, or after its weights became NaN. */
  protected requireBuilt(what: string): void {
    if (!this.isBuilt) throw new Error(`${this.name}.${what}: the model is not trained yet; call fit() or load() first.`);
    this.requireUsableWeights(what);
  }

  /** Throws when an earlier fit left the weights NaN or infinite. */
  protected requireUsableWeights(what: string): void {
    if (this.weightsBroken !== undefined) {
      throw new Error(`${this.name}.${what}: ${this.weightsBroken}, so this method cannot be used any more: create a new one (or load a saved one) and train it with a lower learning rate.`);
    }
  }

  /** Whether any trainable variable holds a NaN or infinite value (one read, after a failed epoch). */
  private async weightsAreNonFinite(): Promise<boolean> {
    const variables = this.parameterGroups().flatMap((g) => g.variables);
    if (variables.length === 0) return false;
    // x · 0 is 0 for every finite x and NaN for NaN and ±Infinity: the sum is NaN iff one is not finite.
    const flag = tf.tidy(() => tf.addN(variables.map((v) => tf.sum(tf.mul(v, 0)))));
    const value = (await flag.data())[0];
    flag.dispose();
    return !Number.isFinite(value);
  }

  /**
   * The fit options with defaults filled in, each checked: an error names the option and its value.
   *
   * @throws when an option has a wrong type or value.
   */
  protected resolveFitOptions(options: FitOptions, what: string): { epochs: number; batchSize: number; learningRate: number; seed: number; progress: ProgressReporter } {
    const context = `${this.name}.${what}`;
    checkOptionsObject(options, context);
    const epochs = options.epochs ?? this.defaultEpochs;
    const batchSize = options.batchSize ?? this.defaultBatchSize;
    const learningRate = options.learningRate ?? this.defaultLearningRate;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${context}: epochs must be a non-negative integer, got ${String(epochs)}.`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${context}: batchSize must be a positive integer, got ${String(batchSize)}.`);
    if (typeof learningRate !== 'number' || !(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`${context}: learningRate must be a finite positive number, got ${String(learningRate)}.`);
    const seed = options.seed === undefined ? this.seed : checkSeed(options.seed, `${context}: seed`);
    const steps = options.stepsPerEpoch;
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 0)) throw new Error(`${context}: stepsPerEpoch must be a non-negative integer, got ${String(steps)}.`);
    for (const key of ['learningRateSchedule', 'onEpochEnd', 'onBatchEnd'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'function') throw new Error(`${context}: ${key} must be a function, got ${typeof options[key]}.`);
    }
    const progressOptions: ProgressOptions = typeof options.progress === 'object' && options.progress !== null ? options.progress : { mode: options.progress };
    let progress: ProgressReporter;
    try {
      progress = new ProgressReporter({ label: this.name, ...progressOptions });
    } catch (error) {
      throw new Error(`${context}: progress: ${(error as Error).message.replace(/^ProgressReporter: /, '')}`);
    }
    return { epochs, batchSize, learningRate, seed, progress };
  }

  /**
   * The method's own state that a checkpoint needs beyond its weights and configuration to resume
   * training exactly (e.g. DeepCluster's pseudo-labels, MINE's moving average). JSON only.
   * Default: none.
   */
  protected async exportMethodState(): Promise<JsonObject> {
    return {};
  }

  /** Restores what {@link exportMethodState} returned (after `load`). Default: nothing. */
  protected async importMethodState(_state: JsonObject): Promise<void> {}

  /**
   * The state of every optimiser created so far, by parameter group, with values copied off the
   * device (the optimisers keep theirs).
   */
  async exportOptimizerState(): Promise<OptimizerGroupState[]> {
    const groups: OptimizerGroupState[] = [];
    for (const [group, { signature, optimizer, learningRate }] of this.optimizers) {
      const named = await optimizer.getWeights();
      const weights: OptimizerWeight[] = [];
      for (const { name, tensor } of named) {
        const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
        if (tensor.dtype !== 'int32' && tensor.dtype !== 'float32') throw new Error(`${this.name}: optimiser state '${name}' has dtype ${tensor.dtype}; only float32 and int32 are supported.`);
        const data = await tensor.data();
        weights.push({ name, shape: [...tensor.shape], dtype, values: dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array) });
        // getWeights() hands out the optimiser's own variables, and new tensors (the iteration count).
        if (!(tensor instanceof tf.Variable)) tensor.dispose();
      }
      const extra: Record<string, number> = {};
      const fields = optimizer as unknown as Record<string, unknown>;
      for (const key of OPTIMIZER_EXTRA_SCALARS) {
        const value = fields[key];
        if (value instanceof tf.Tensor && value.size === 1) extra[key] = (await value.data())[0];
      }
      const variableCount = signature === '' ? 0 : signature.split('|').length;
      groups.push({ group, optimizer: optimizer.getClassName(), learningRate, variableCount, weights, extra });
    }
    return groups;
  }

  /**
   * Restores optimiser states from {@link exportOptimizerState} into fresh optimisers for the
   * method's current parameter groups, matching the variables by position (their names may
   * differ after `load`). The method must be built (trained or loaded).
   *
   * @throws when a group does not exist now, its variable count or optimiser class differs.
   */
  async importOptimizerState(states: OptimizerGroupState[]): Promise<void> {
    this.requireBuilt('importOptimizerState');
    const current = new Map(this.parameterGroups().map((g) => [g.name, g]));
    for (const state of states) {
      const group = current.get(state.group);
      if (group === undefined) {
        throw new Error(`${this.name}: the saved optimiser state is for parameter group '${state.group}', which the model does not have now (groups: ${[...current.keys()].join(', ') || 'none'}).`);
      }
      if (group.variables.length !== state.variableCount) {
        throw new Error(`${this.name}: parameter group '${state.group}' has ${group.variables.length} variables but its saved optimiser state is for ${state.variableCount}.`);
      }
      this.resetOptimizer(state.group);
      const optimizer = this.optimizerFor({ ...group, learningRate: state.learningRate }, state.learningRate);
      if (optimizer.getClassName() !== state.optimizer) {
        throw new Error(`${this.name}: parameter group '${state.group}' uses a ${optimizer.getClassName()} optimiser but the saved state is from ${state.optimizer}.`);
      }
      const tensors = state.weights.map(({ name, shape, dtype, values }) => ({ name, tensor: tf.tensor(values, shape, dtype) }));
      try {
        await optimizer.setWeights(tensors);
      } finally {
        tf.dispose(tensors.map((t) => t.tensor));
      }
      const fields = optimizer as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(state.extra)) {
        const variable = fields[key];
        if (variable instanceof tf.Variable) tf.tidy(() => variable.assign(tf.scalar(value, variable.dtype)));
      }
    }
  }

  /**
   * Everything besides weights and configuration needed to continue training exactly: epoch and
   * step counters, the history, every optimiser's state and the method's own state. With the
   * method's `save`, this is a checkpoint (see `writeCheckpoint`).
   */
  async exportTrainingState(): Promise<TrainingState> {
    return {
      epochsTrained: this.epochsTrained,
      globalStep: this.globalStep,
      history: this.history.map((logs) => ({ ...logs })),
      optimizers: await this.exportOptimizerState(),
      method: await this.exportMethodState(),
    };
  }

  /**
   * Restores a {@link TrainingState} into a method loaded from the same checkpoint, so that the
   * next `fit` continues as if training had never stopped (same seeds, optimiser moments, method
   * state). Non-finite metrics written to JSON as `null` come back as NaN.
   */
  async importTrainingState(state: TrainingState): Promise<void> {
    this.requireBuilt('importTrainingState');
    this.epochsTrained = state.epochsTrained;
    this.globalStep = state.globalStep;
    this.history.length = 0;
    for (const logs of state.history) {
      const restored = {} as EpochLogs;
      for (const [key, value] of Object.entries(logs)) restored[key] = value === null ? Number.NaN : value;
      this.history.push(restored);
    }
    // Method state first: it may decide which parameter groups exist (e.g. a training stage).
    await this.importMethodState(state.method);
    await this.importOptimizerState(state.optimizers);
  }

  /** Frees the optimisers' state. Subclasses free their models and call `super.dispose()`. */
  dispose(): void {
    for (const { optimizer } of this.optimizers.values()) optimizer.dispose();
    this.optimizers.clear();
  }
}
