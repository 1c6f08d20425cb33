import * as tf from '@tensorflow/tfjs';

import { ensureBackendKernels } from '../backend/ensure_kernels.js';
import { batchIndices } from '../data/batching.js';
import { checkSeed } from '../core/random.js';
import { deriveSeed } from '../nn/initializers.js';
import { checkOptionsObject, MethodCore } from './method_core.js';
import { trainableVariablesOf } from './model_utils.js';
import { GroupOptimizers } from './optimizer_state.js';
import { ProgressReporter } from './progress.js';
import type { ProgressOptions } from './progress.js';
import { runEpoch } from './training_loop.js';
import { optimizerStep } from './training_step.js';
import type { BatchLossResult, BatchMetric, EpochLogs, EpochMetricLists, FitCallbacks, FitOptions, JsonObject, OptimizerGroupState, ParameterGroup, PlannedBatch, TrainingBatch, TrainingState } from './types.js';
import { BASE_FIT_DEFAULTS } from './fit_defaults.js';
import type { FitDefaults } from './fit_defaults.js';

/** The hooks a {@link FitCallbacks} object may have (each checked to be a function). */
const CALLBACK_HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchEnd'] as const;

export { MethodCore } from './method_core.js';
export { BASE_FIT_DEFAULTS } from './fit_defaults.js';
export type { FitDefaults, RecipeName, TrainingRecipe } from './fit_defaults.js';
export type { MethodClass } from './method_core.js';
export type { TrainingBatch, BatchLossResult, BatchMetric, EpochMetricLists, ParameterGroup, EpochLogs, FitOptions, FitCallbacks, BatchEndLogs, MethodOptions, BatchFunction, FeatureMatrix, JsonValue, JsonObject, OptimizerWeight, OptimizerGroupState, TrainingState, PlannedBatch } from './types.js';

/**
 * The one training loop that every method shares (solo-learn style).
 *
 * The base class owns `fit`: validation, seeded shuffling, batching, gradient steps with one
 * optimiser per {@link ParameterGroup}, running metrics kept on the device (read asynchronously
 * once per epoch), progress and callbacks. A method overrides narrow hooks:
 *
 * - {@link build}: create its models for the dataset's input shape (called once, lazily);
 * - {@link models} and {@link restore}: its named sub-models, which the base class saves, loads,
 *   disposes and (by default) trains;
 * - {@link batchLoss}: the loss of one batch (inside a gradient tape; return a scalar);
 * - {@link parameterGroups} or {@link trainableVariables}: what the step updates;
 * - {@link onEpochStart} / {@link onEpochEnd}: per-epoch work (DeepCluster re-clusters here);
 * - {@link epochBatches}: the batch order (DeepCluster samples clusters uniformly);
 * - {@link batchInputs}, {@link validate}, {@link shapeKey}: the data (images: see `ImageMethod`).
 */
export abstract class UnsupervisedMethod<TData extends { size: number } = { size: number }> extends MethodCore<TData> {
  /**
   * Epochs when `fit` is given none; `undefined` for a method whose training length is not a
   * count of epochs (FilterDistinguisher: a sample budget per level), whose `fit` sets them itself.
   */
  protected defaultEpochs: number | undefined = BASE_FIT_DEFAULTS.epochs;
  /** Batch size when `fit` is given none. */
  protected defaultBatchSize: number = BASE_FIT_DEFAULTS.batchSize;
  /** Learning rate when `fit` is given none. */
  protected defaultLearningRate: number = BASE_FIT_DEFAULTS.learningRate;

  /**
   * What `fit` uses when not told: its `epochs`, `batchSize` and `learningRate` defaults (each
   * built-in method exports them as a constant, e.g. `AUTOENCODER_FIT_DEFAULTS`, which the CLI reads).
   */
  get fitDefaults(): FitDefaults {
    return { epochs: this.defaultEpochs, batchSize: this.defaultBatchSize, learningRate: this.defaultLearningRate };
  }

  private readonly optimizers = new GroupOptimizers((rate, group) => this.createOptimizer(rate, group), () => this.name);
  /** The schedule's factor for the running step (1 outside a scheduled fit). */
  private learningRateFactor = 1;
  /**
   * Set to `true` (e.g. from a callback of `fit`) to end the running fit after the current step;
   * `fit` sets it to `false` when it starts (as `tf.LayersModel.stopTraining`).
   */
  stopTraining = false;
  /** Progress reporter of the running fit, for methods that print per-epoch details. */
  protected progress: ProgressReporter | undefined;
  /** The last fit's reporter, so that work after a fit (a stage's summary) prints the same way. */
  private lastProgress: ProgressReporter | undefined;
  /** The loss of one batch; runs inside a gradient tape, so use tensor ops only (no data reads). */
  protected abstract batchLoss(batch: TrainingBatch): BatchLossResult;

  /** The variables a step updates, when a method has one group. Default: every model's trainable weights, in {@link models} order. */
  protected trainableVariables(): tf.Variable[] {
    return trainableVariablesOf(...Object.values(this.models()).filter((m): m is tf.LayersModel => m !== undefined));
  }

  /** Groups of variables with their own optimisers. Default: one group of {@link trainableVariables}. */
  protected parameterGroups(): ParameterGroup[] {
    return [{ name: 'all', variables: this.trainableVariables() }];
  }

  /** Creates the optimiser of a group. Default: Adam. */
  protected createOptimizer(learningRate: number, _group: string): tf.Optimizer {
    return tf.train.adam(learningRate);
  }

  /**
   * The order of an epoch's batches, each its rows or a {@link PlannedBatch} with a phase that
   * the batch hooks read (e.g. IIC's head alternation). Default: a seeded shuffle of all rows.
   */
  protected epochBatches(dataset: TData, batchSize: number, seed: number): Array<Int32Array | PlannedBatch> {
    return this.shuffledBatches(dataset, batchSize, seed);
  }

  /** A seeded shuffle of all rows in batches of `batchSize` (the default epoch plan). */
  protected shuffledBatches(dataset: TData, batchSize: number, seed: number): Int32Array[] {
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

  /**
   * Runs right after a step's optimisers applied its gradients (synchronously, nothing read from
   * the device), e.g. MINE's moving average takes the step's value. Not run when the step throws.
   * Default: nothing.
   */
  protected afterOptimizerStep(_batch: TrainingBatch): void {}

  /** Runs before each epoch (after `build`). Default: nothing. */
  protected async onEpochStart(_epoch: number, _dataset: TData): Promise<void> {}

  /**
   * Runs after each epoch; may add metrics to `logs`. `lists` holds the epoch means of the list
   * metrics the batch loss logged (e.g. IIC's sub-head losses), by name. Default: nothing.
   */
  protected async onEpochEnd(_epoch: number, _logs: EpochLogs, _dataset: TData, _lists: EpochMetricLists): Promise<void> {}

  /**
   * Prints a line through the running fit's progress display, or the last fit's when none runs
   * (so it honours the fit's `progress` mode; nothing in mode `'none'`).
   */
  protected report(text: string): void {
    (this.progress ?? this.lastProgress)?.message(text);
  }

  private optimizerFor(group: ParameterGroup, learningRate: number): tf.Optimizer {
    return this.optimizers.get(group, (group.learningRate ?? learningRate) * this.learningRateFactor);
  }

  /** Drops a group's optimiser (and its state); the next step creates a fresh one. */
  protected resetOptimizer(groupName: string): void {
    this.optimizers.reset(groupName);
  }

  /**
   * One optimiser step on a batch: gradients of {@link batchLoss} with respect to every group's
   * variables, each group updated by its optimiser. Returns the loss and logged metrics as
   * scalars that the caller owns (nothing is read from the device here).
   */
  protected trainStep(batch: TrainingBatch, learningRate: number): { loss: tf.Scalar; metrics: Record<string, BatchMetric> } {
    return optimizerStep(this.parameterGroups(), {
      name: this.name,
      batchLoss: () => this.batchLoss(batch),
      optimizerFor: (group) => this.optimizerFor(group, learningRate),
      afterOptimizerStep: () => this.afterOptimizerStep(batch),
    });
  }

  /**
   * Trains the method on `dataset`. Calling `fit` again continues training (epochs are counted
   * from {@link epochsTrained}).
   *
   * @returns the metrics of the epochs this call ran.
   * @throws on an empty dataset, NaN inputs, or a shape the models were not built for.
   */
  async fit(input: TData | tf.Tensor, options: FitOptions = {}): Promise<EpochLogs[]> {
    this.requireUsableWeights('fit');
    ensureBackendKernels(`${this.name}.fit`);
    const { epochs, batchSize, learningRate, seed, progress } = this.resolveFitOptions(options, 'fit');
    if (epochs === undefined) throw new Error(`${this.name}.fit: epochs must be given (the method has no default number of epochs).`);
    const callbacks = this.resolveCallbacks(options.callbacks, `${this.name}.fit`);
    const dataset = await this.trainingData(input, 'fit');
    this.ensureBuilt(dataset);
    this.progress = progress;
    this.stopTraining = false;
    const ran: EpochLogs[] = [];
    const batchEndCallbacks = callbacks.filter((c) => c.onBatchEnd !== undefined);
    try {
      for (const callback of callbacks) await callback.onTrainBegin?.({});
      for (let e = 0; e < epochs && !this.stopTraining; e++) {
        const epoch = this.epochsTrained;
        const started = performance.now();
        for (const callback of callbacks) await callback.onEpochBegin?.(epoch, {});
        await this.onEpochStart(epoch, dataset);
        const epochSeed = deriveSeed(seed, epoch);
        let batches = this.epochBatches(dataset, batchSize, epochSeed).map((b) => (b instanceof Int32Array ? { indices: b } : b));
        if (options.stepsPerEpoch !== undefined) batches = batches.slice(0, options.stepsPerEpoch);
        const { logs, lists, samples, steps, stopped } = await runEpoch({
          dataset, epoch, index: e, epochs, batches, epochSeed, options, progress, started, name: this.name,
          batchInputs: (indices) => this.batchInputs(dataset, indices),
          step: (batch) => this.trainStep(batch, learningRate),
          watchedMetrics: this.watchedMetrics,
          afterStep: (values, batch) => this.afterStep(values, batch),
          setLearningRateFactor: (factor) => void (this.learningRateFactor = factor),
          globalStep: () => this.globalStep,
          advance: () => void this.globalStep++,
          batchEnd: batchEndCallbacks.length === 0 ? undefined : async (step, logs) => {
            for (const callback of batchEndCallbacks) await callback.onBatchEnd!(step, { ...logs });
          },
          stopRequested: () => this.stopTraining,
        });
        if (!Number.isFinite(logs.loss) && steps > 0) await this.failOnNonFiniteLoss(epoch, logs.loss, learningRate);
        const trainSeconds = (performance.now() - started) / 1000;
        logs.samplesPerSecond = samples / Math.max(trainSeconds, 1e-9);
        this.epochsTrained++;
        await this.onEpochEnd(epoch, logs, dataset, lists);
        logs.seconds = (performance.now() - started) / 1000;
        this.history.push(logs);
        ran.push(logs);
        progress.epochEnd({ epoch: e, epochs, batch: steps, batches: steps, samples, seconds: logs.seconds }, logs);
        await options.onEpochEnd?.(epoch, logs);
        for (const callback of callbacks) await callback.onEpochEnd?.(epoch, { ...logs });
        if (stopped) break;
      }
      const last = ran.at(-1);
      for (const callback of callbacks) await callback.onTrainEnd?.(last === undefined ? {} : { ...last });
    } finally {
      this.lastProgress = this.progress;
      this.progress = undefined;
      this.learningRateFactor = 1;
    }
    return ran;
  }

  /**
   * The training data of a `fit` from a dataset or a tensor of inputs (for images: NHWC), checked
   * as a dataset is (structure and values). The tensor is read, not disposed.
   *
   * @throws on a disposed tensor, a tensor of the wrong rank, or data a dataset could not hold.
   */
  protected async trainingData(input: TData | tf.Tensor, what: string): Promise<TData> {
    if (input instanceof tf.Tensor && input.isDisposed) throw new Error(`${this.name}.${what}: the input tensor is disposed.`);
    const dataset = input instanceof tf.Tensor ? await this.dataFromTensor(input) : input;
    this.validate(dataset, what);
    return dataset;
  }

  /**
   * The fit's callbacks as a list, each checked; a `tf.Callback` (e.g. `tf.callbacks.earlyStopping`)
   * gets this method as its `model`, so that its `model.stopTraining = true` stops the fit.
   *
   * @throws when `callbacks` is not an object or a list of objects, or a hook is not a function.
   */
  private resolveCallbacks(callbacks: FitOptions['callbacks'], context: string): FitCallbacks[] {
    if (callbacks === undefined) return [];
    const list = Array.isArray(callbacks) ? callbacks : [callbacks];
    list.forEach((callback, i) => {
      const where = Array.isArray(callbacks) ? `callbacks[${i}]` : 'callbacks';
      if (callback === null || typeof callback !== 'object' || Array.isArray(callback)) throw new Error(`${context}: ${where} must be an object of callback functions (onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchEnd), got ${callback === null ? 'null' : Array.isArray(callback) ? 'an array' : typeof callback}.`);
      for (const hook of CALLBACK_HOOKS) {
        const value = (callback as Record<string, unknown>)[hook];
        if (value !== undefined && typeof value !== 'function') throw new Error(`${context}: ${where}.${hook} must be a function, got ${typeof value}.`);
      }
      // A tf.Callback reads `this.model.stopTraining`; its setModel takes tf.LayersModels only.
      if (callback instanceof tf.Callback) (callback as unknown as { model: unknown }).model = this;
    });
    return list;
  }

  /** Throws the error of an epoch whose loss is NaN or infinite (and marks NaN weights as unusable). */
  private async failOnNonFiniteLoss(epoch: number, loss: number, learningRate: number): Promise<never> {
    let cause = 'check the inputs for NaN or lower the learning rate';
    if (await this.weightsAreNonFinite()) {
      this.weightsBroken = `the weights became NaN or infinite in epoch ${epoch + 1} of an earlier fit (loss ${loss}, learning rate ${learningRate})`;
      cause = 'the weights are now NaN or infinite, so this method can no longer be used: create a new one (or load a saved one) and train it with a lower learning rate';
    }
    throw new Error(`${this.name}: the loss became ${loss} in epoch ${epoch + 1} (learning rate ${learningRate}); ${cause}.`);
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
   * The fit options with defaults filled in, each checked: an error names the option and its value
   * (`epochs` stays `undefined` when neither the options nor the method give a number).
   *
   * @throws when an option has a wrong type or value.
   */
  protected resolveFitOptions(options: FitOptions, what: string): { epochs: number | undefined; batchSize: number; learningRate: number; seed: number; progress: ProgressReporter } {
    const context = `${this.name}.${what}`;
    checkOptionsObject(options, context);
    const epochs = options.epochs ?? this.defaultEpochs;
    const batchSize = options.batchSize ?? this.defaultBatchSize;
    const learningRate = options.learningRate ?? this.defaultLearningRate;
    if (epochs !== undefined && (!Number.isInteger(epochs) || epochs < 0)) throw new Error(`${context}: epochs must be a non-negative integer, got ${String(epochs)}.`);
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
    return this.optimizers.export();
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
    await this.optimizers.import(states, this.parameterGroups());
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


  /** Frees the models and the optimisers' state. Subclasses free what else they hold and call `super.dispose()`. */
  override dispose(): void {
    super.dispose();
    this.optimizers.dispose();
  }
}
