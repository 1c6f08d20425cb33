import * as tf from '@tensorflow/tfjs';

import { checkSeed } from '../core/random.js';
import { readOptions } from '../data/options.js';
import type { ImageDataset } from '../data/dataset.js';
import { filterDistinguisherLoss } from '../losses/filter_distinguisher_loss.js';
import { seededHeInitializer, seededKernelInitializer } from '../nn/initializers.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, EpochLogs, FitOptions, JsonObject, MethodOptions, ParameterGroup, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import { trainableVariablesOf } from '../train/model_utils.js';
import { checkOptionTypes } from '../data/checks.js';
import { listOption } from '../data/checks.js';
import { checkIntegerOption } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';

/** Options of {@link FilterDistinguisher}. Defaults are the original's MNIST plan. */
export interface FilterDistinguisherOptions extends MethodOptions {
  /** Channels from the input through every level's output. Default `[1, 16, 16, 16, 4]` (4 levels). */
  channels?: number[];
  /** Channels of each level's 5x5 conv. Default 64. */
  hiddenChannels?: number;
  /** Side of each level's first conv. Default 5. */
  kernelSize?: number;
  /** A stage ends when the running mean of max |cos| drops below this. Default 0.4. */
  threshold?: number;
  /** Batches in the running mean of the stopping signal. Default 10. */
  window?: number;
  /** While training level s, keep levels before s fixed. Default `true`. */
  freezeEarlierLevels?: boolean;
}

/**
 * FilterDistinguisher's training defaults (what `fit` uses when not told); the CLI's defaults read
 * them. It trains in stages, not epochs: a level trains until its stopping signal or
 * `samplesPerLevel` samples, so it has no default number of epochs (`fit` takes none; the CLI's
 * `--epochs N` sets the budget to N passes over the training images).
 */
export const FILTER_DISTINGUISHER_FIT_DEFAULTS = { epochs: undefined, samplesPerLevel: 20000, batchSize: 16, learningRate: 1e-3 } as const satisfies FitDefaults & { samplesPerLevel: number };

/** Options of {@link FilterDistinguisher.fit}. */
export interface FilterDistinguisherFitOptions extends Omit<FitOptions, 'epochs'> {
  /** Sample budget of each stage, when the stopping signal does not end it first. Default 20000 ({@link FILTER_DISTINGUISHER_FIT_DEFAULTS}). */
  samplesPerLevel?: number;
}

/**
 * FilterDistinguisher's options (and `fit`'s level budget) as command-line flags (kind, range,
 * help): its resolve function and `fit` check against the same rows and the CLI generates its
 * flags from them.
 */
export const FILTER_DISTINGUISHER_OPTION_TABLE = {
  channels: { flag: 'channels', kind: 'string', placeholder: 'C1,C2,...', description: "every level's output channels" },
  hiddenChannels: { flag: 'hidden-channels', kind: 'integer', min: 1, description: "channels of each level's first conv" },
  threshold: { flag: 'threshold', kind: 'number', min: 0, exclusiveMin: true, description: 'a level is done when the running max |cos| drops below this' },
  samplesPerLevel: {
    flag: 'samples-per-level',
    kind: 'integer',
    min: 1,
    description: `sample budget of each level (default: --epochs passes over the training images when --epochs is given, else ${FILTER_DISTINGUISHER_FIT_DEFAULTS.samplesPerLevel})`,
  },
} as const satisfies OptionTable<FilterDistinguisherOptions & FilterDistinguisherFitOptions>;

/** What one stage did. */
export interface FilterDistinguisherStage {
  level: number;
  /** Mean max |cos| of the level's maps on the evaluation batch before its stage. */
  signalBefore: number;
  /** The same after its stage. */
  signalAfter: number;
  /** Samples the stage trained on. */
  samples: number;
  /** Whether the threshold (rather than the budget) ended it. */
  stoppedBySignal: boolean;
}

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface FilterDistinguisherConfig {
  channels: number[];
  hiddenChannels: number;
  kernelSize: number;
  threshold: number;
  window: number;
  freezeEarlierLevels: boolean;
  seed: number;
}

/**
 * The resolved configuration of {@link FilterDistinguisher}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back.
 *
 * @throws an error naming the option and its value.
 */
export function resolveFilterDistinguisherConfig(options: FilterDistinguisherOptions = {}): FilterDistinguisherConfig {
  options = readOptions(options, 'FilterDistinguisher');
  const seed = checkSeed(options.seed ?? 0, 'FilterDistinguisher: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  checkOptionTypes(options, { channels: 'list', freezeEarlierLevels: 'boolean' }, 'FilterDistinguisher');
  const config: FilterDistinguisherConfig = {
    channels: listOption(options.channels, [1, 16, 16, 16, 4], 'channels', 'FilterDistinguisher'),
    hiddenChannels: options.hiddenChannels ?? 64,
    kernelSize: options.kernelSize ?? 5,
    threshold: options.threshold ?? 0.4,
    window: options.window ?? 10,
    freezeEarlierLevels: options.freezeEarlierLevels ?? true,
    seed,
  };
  const { channels, hiddenChannels, kernelSize, threshold, window } = config;
  if (channels.length < 2 || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(`FilterDistinguisher: channels must list the input channels and at least one level's output, all positive integers; got ${JSON.stringify(channels)}.`);
  }
  if (channels.slice(1).some((c) => c < 2)) throw new Error(`FilterDistinguisher: every level needs at least 2 output channels to compare, got ${JSON.stringify(channels)}.`);
  checkIntegerOption(hiddenChannels, 'hiddenChannels', FILTER_DISTINGUISHER_OPTION_TABLE.hiddenChannels, 'FilterDistinguisher');
  if (!Number.isInteger(kernelSize) || kernelSize < 1) throw new Error(`FilterDistinguisher: kernelSize must be a positive integer, got ${kernelSize}.`);
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`FilterDistinguisher: threshold must be in (0, 1], got ${threshold}.`);
  if (!Number.isInteger(window) || window < 1) throw new Error(`FilterDistinguisher: window must be a positive integer, got ${window}.`);
  return config;
}

/**
 * The filter distinguisher (evrimozmermer/filter_distinguisher): a stack of conv levels, each a
 * conv5x5 (64) → ReLU → conv1x1 (its output channels), trained without labels so that the maps
 * a level produces for an image are as different from each other as possible
 * ({@link filterDistinguisherLoss}: squared cosine similarity of every pair, pushed to 0).
 * Levels are trained one after another: stage s trains through the first s levels (earlier ones
 * frozen by default) until the running mean of max |cos| drops below a threshold or a sample
 * budget runs out. {@link encode} gives the last level's maps, flattened.
 */
export class FilterDistinguisher extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'FilterDistinguisher';
  readonly name = FilterDistinguisher.methodName;
  override readonly config: FilterDistinguisherConfig;
  /** Stages, not epochs: see {@link FILTER_DISTINGUISHER_FIT_DEFAULTS}. */
  protected override defaultEpochs: number | undefined = FILTER_DISTINGUISHER_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = FILTER_DISTINGUISHER_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = FILTER_DISTINGUISHER_FIT_DEFAULTS.learningRate;
  /** One model per level. */
  levels: tf.Sequential[] = [];
  /** What each completed stage did. */
  readonly stages: FilterDistinguisherStage[] = [];
  private stage = 0;
  private recentSignals: number[] = [];
  private stageSamples = 0;
  private stageBudget = Number.POSITIVE_INFINITY;
  /** The stage being trained: its level, signal before it and epochs done (kept in checkpoints). */
  private stageProgress: { level: number; signalBefore: number; epochsDone: number } | undefined;
  protected override watchedMetrics = ['maxAbsCosine'];

  constructor(options: FilterDistinguisherOptions = {}) {
    super(options);
    this.config = resolveFilterDistinguisherConfig({ ...options, seed: this.seed });
  }

  /** Number of levels. */
  get depth(): number {
    return this.config.channels.length - 1;
  }

  protected override build(dataset: ImageDataset): void {
    const [h, w, c] = dataset.shape;
    const { channels, hiddenChannels, kernelSize, seed } = this.config;
    if (c !== channels[0]) throw new Error(`FilterDistinguisher: channels[0] is ${channels[0]} but the images have ${c} channel(s).`);
    this.levels = [];
    for (let l = 0; l < this.depth; l++) {
      const level = tf.sequential({ name: `level${l}` });
      level.add(
        tf.layers.conv2d({
          inputShape: [h, w, channels[l]],
          filters: hiddenChannels,
          kernelSize,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: seededHeInitializer(seed, 2 * l),
          name: `level${l}_conv${kernelSize}x${kernelSize}`,
        }),
      );
      level.add(tf.layers.conv2d({ filters: channels[l + 1], kernelSize: 1, kernelInitializer: seededKernelInitializer(seed, 2 * l + 1), name: `level${l}_conv1x1` }));
      this.levels.push(level);
    }
  }

  /** Runs the first `count` levels (inference unless `training`). */
  private forward(x: tf.Tensor, count: number, training = false): tf.Tensor4D {
    let y = x;
    for (let l = 0; l < count; l++) y = this.levels[l].apply(y, { training }) as tf.Tensor;
    return y as tf.Tensor4D;
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const maps = this.forward(batch.inputs, this.stage, true);
    const { loss, maxAbsCosine } = filterDistinguisherLoss(maps);
    return { loss, metrics: { maxAbsCosine } };
  }

  protected override parameterGroups(): ParameterGroup[] {
    const first = this.config.freezeEarlierLevels ? this.stage - 1 : 0;
    const variables = trainableVariablesOf(...this.levels.slice(first, this.stage));
    return [{ name: `stage${this.stage}`, variables }];
  }

  /** Whether the running mean of the last `window` signals is below the threshold. */
  private signalBelowThreshold(): boolean {
    const mean = this.recentSignals.reduce((a, b) => a + b, 0) / Math.max(1, this.recentSignals.length);
    return this.recentSignals.length === this.config.window && mean < this.config.threshold;
  }

  protected override async afterStep(values: Record<string, number>, batch: TrainingBatch): Promise<boolean> {
    this.recentSignals.push(values.maxAbsCosine);
    if (this.recentSignals.length > this.config.window) this.recentSignals.shift();
    this.stageSamples += batch.indices.length;
    return this.signalBelowThreshold() || this.stageSamples >= this.stageBudget;
  }

  /** Mean max |cos| of level `level`'s maps on the first `count` rows of `dataset` (inference). */
  async signal(dataset: ImageDataset, level: number, count = 256): Promise<number> {
    this.requireBuilt('signal');
    if (!Number.isInteger(level) || level < 0 || level >= this.depth) throw new Error(`FilterDistinguisher.signal: level must be an integer in 0..${this.depth - 1}, got ${String(level)}.`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`FilterDistinguisher.signal: count must be a positive integer, got ${String(count)}.`);
    this.validate(dataset, 'signal');
    this.requireBuiltShape(dataset, 'signal');
    const rows = Int32Array.from({ length: Math.min(count, dataset.size) }, (_, i) => i);
    const inputs = this.batchInputs(dataset, rows);
    const signal = tf.tidy(() => {
      const { loss, maxAbsCosine } = filterDistinguisherLoss(this.forward(inputs, level + 1));
      loss.dispose();
      return maxAbsCosine;
    });
    inputs.dispose();
    const value = (await signal.data())[0];
    signal.dispose();
    return value;
  }

  /**
   * Trains the levels one after another (stage s trains level s, or levels 1..s when
   * `freezeEarlierLevels` is false). Each stage ends when the running mean of max |cos| over the
   * last `window` batches drops below `threshold`, or after `samplesPerLevel` samples.
   *
   * @returns the epoch logs of every stage, with `level` set in each; {@link stages} records the
   *   stopping signal before and after each stage.
   */
  override async fit(input: ImageDataset | tf.Tensor, options: FilterDistinguisherFitOptions = {}): Promise<EpochLogs[]> {
    this.requireUsableWeights('fit');
    // Every option is checked (and named) before anything is derived from it.
    const { batchSize } = this.resolveFitOptions(options, 'fit');
    const { samplesPerLevel = FILTER_DISTINGUISHER_FIT_DEFAULTS.samplesPerLevel, ...fitOptions } = options;
    checkIntegerOption(samplesPerLevel, 'samplesPerLevel', FILTER_DISTINGUISHER_OPTION_TABLE.samplesPerLevel, 'FilterDistinguisher.fit');
    const dataset = await this.trainingData(input, 'fit');
    this.ensureBuilt(dataset);
    this.stopTraining = false;
    const stepsBudget = Math.ceil(samplesPerLevel / batchSize);
    const stepsPerEpoch = Math.min(stepsBudget, Math.ceil(dataset.size / batchSize));
    const logs: EpochLogs[] = [];
    for (let level = this.stages.length; level < this.depth; level++) {
      // A stage interrupted by a checkpoint (see importTrainingState) continues where it stopped.
      const resumed = this.stageProgress?.level === level ? this.stageProgress : undefined;
      const signalBefore = resumed?.signalBefore ?? (await this.signal(dataset, level));
      this.stage = level + 1;
      if (resumed === undefined) {
        this.recentSignals = [];
        this.stageSamples = 0;
      }
      this.stageBudget = samplesPerLevel;
      const epochsDone = resumed?.epochsDone ?? 0;
      this.stageProgress = { level, signalBefore, epochsDone };
      const finished = resumed !== undefined && (this.signalBelowThreshold() || this.stageSamples >= this.stageBudget);
      const epochs = finished ? 0 : Math.max(0, Math.ceil(stepsBudget / stepsPerEpoch) - epochsDone);
      const ran = epochs === 0 ? [] : await super.fit(dataset, { ...fitOptions, epochs, stepsPerEpoch, seed: (fitOptions.seed ?? this.seed) + 7919 * (level + 1) });
      logs.push(...ran);
      // A callback set stopTraining: the fit ends here and the stage stays open (stageProgress), so the next fit continues it.
      if (this.stopTraining) break;
      const stage: FilterDistinguisherStage = {
        level,
        signalBefore,
        signalAfter: await this.signal(dataset, level),
        samples: this.stageSamples,
        stoppedBySignal: this.signalBelowThreshold(),
      };
      this.stages.push(stage);
      this.stageProgress = undefined;
      // A stage's optimiser state is never used again: later stages train other variable sets.
      this.resetOptimizer(`stage${level + 1}`);
      this.report(`level ${level + 1}: max|cos| ${signalBefore.toFixed(3)} → ${stage.signalAfter.toFixed(3)}`);
    }
    this.stage = 0;
    this.stageBudget = Number.POSITIVE_INFINITY;
    return logs;
  }

  /** Marks the epoch with its level and counts it towards the stage (for checkpoints). */
  protected override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    logs.level = this.stage - 1;
    if (this.stageProgress !== undefined) this.stageProgress.epochsDone++;
  }

  /** The stage in progress (level, signal before it, epochs done, recent signals, samples), for checkpoints. */
  protected override async exportMethodState(): Promise<JsonObject> {
    if (this.stageProgress === undefined) return {};
    return { stageProgress: { ...this.stageProgress }, recentSignals: [...this.recentSignals], stageSamples: this.stageSamples };
  }

  protected override async importMethodState(state: JsonObject): Promise<void> {
    const progress = state.stageProgress as { level: number; signalBefore: number; epochsDone: number } | undefined;
    if (progress === undefined || progress === null) return;
    if (progress.level !== this.stages.length) {
      throw new Error(`FilterDistinguisher: the checkpoint's stage in progress is level ${progress.level + 1} but ${this.stages.length} level(s) are complete.`);
    }
    this.stageProgress = { level: progress.level, signalBefore: progress.signalBefore, epochsDone: progress.epochsDone };
    this.recentSignals = (state.recentSignals as number[] | undefined) ?? [];
    this.stageSamples = (state.stageSamples as number | undefined) ?? 0;
    // The stage's parameter group (and so its optimiser state) depends on it.
    this.stage = progress.level + 1;
  }

  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.forward(inputs, this.depth);
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in, the
   * last level's maps flattened (what {@link embed} returns) out; standard TF.js layers only.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({ inputShape: this.inputShape!, backbone: this.levels, name: 'filter_distinguisher_inference' });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return Object.fromEntries(this.levels.map((level, l) => [`level${l}`, level]));
  }

  protected override restore({ models, state }: SavedModels): void {
    this.levels = Array.from({ length: this.depth }, (_, l) => models[`level${l}`] as tf.Sequential);
    this.stages.push(...((state.stages ?? []) as unknown[] as FilterDistinguisherStage[]));
  }

  protected override savedState(): JsonObject {
    return { stages: JSON.parse(JSON.stringify(this.stages)) as JsonObject[] };
  }

  override dispose(): void {
    super.dispose();
    this.levels = [];
  }
}
