import * as tf from '@tensorflow/tfjs';

import { checkSeed } from '../core/random.js';
import { readOptions } from '../data/options.js';
import { batchIndices } from '../data/batching.js';
import type { ImageDataset } from '../data/dataset.js';
import { relationalAugment, resolveRelationalAugment } from '../data/augment/relational_views.js';
import type { RelationalAugmentOptions, RelationalAugmentPreset, ResolvedRelationalAugment, ViewFunction } from '../data/augment/relational_views.js';
import { binaryCrossEntropyLoss } from '../losses/binary_cross_entropy_loss.js';
import { focalLoss } from '../losses/focal_loss.js';
import { batchNormalization } from '../nn/batch_normalization.js';
import { conv4 } from '../nn/conv4.js';
import { deriveSeed, seededKernelInitializer } from '../nn/initializers.js';
import { resnet } from '../nn/resnet.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, MethodOptions, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import { checkOptionTypes, checkTensor, listOption } from '../data/checks.js';
import { buildUserBackbone, CUSTOM_BACKBONE, isUserBackbone } from '../nn/user_backbone.js';
import { checkChoiceOption, checkIntegerOption, describeChoices } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';
import type { UserBackbone } from '../nn/user_backbone.js';

/** How the relation head combines the two representations of a pair. */
export type RelationAggregation = 'cat' | 'sum' | 'mean' | 'max';

/** The pairs of one batch, as rows of the view-major feature matrix (row `v·b + i`: view v of image i). */
export interface RelationPairs {
  /** Row of each pair's first representation. */
  first: Int32Array;
  /** Row of each pair's second representation. */
  second: Int32Array;
  /** 1 for a positive pair (two views of the same image), 0 for a negative one. */
  labels: Float32Array;
  /** Number of positive pairs, K(K−1)/2·b; they come first, followed by as many negatives. */
  positives: number;
}

/**
 * The pairs of relational reasoning (Patacchiola & Storkey 2020, and their reference code) for a
 * batch of `batchSize` images with `views` augmentations each, whose representations are stacked
 * view-major (row `v·b + i` is view v of image i, as `concat(views, 0)` gives).
 *
 * For every pair of views (v₁ < v₂), taken in order and numbered p = 0, 1, …:
 * - positives: (v₁, i) with (v₂, i) for every image i;
 * - negatives: (v₁, i) with (v₂, (i − s) mod b), the second view's batch rolled by
 *   s = 1 + (p mod (b − 1)), a shift in 1..b−1 that changes from pair to pair, so no image is
 *   ever paired with itself.
 *
 * That is K(K−1)/2·b positives followed by as many negatives. Pure and deterministic.
 *
 * @throws when `batchSize` < 2 (negatives need two images) or `views` < 2, or either is not an integer.
 */
export function relationPairs(batchSize: number, views: number): RelationPairs {
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new Error(`relationPairs: batchSize must be an integer ≥ 2 (negatives pair different images), got ${batchSize}.`);
  if (!Number.isInteger(views) || views < 2) throw new Error(`relationPairs: views must be an integer ≥ 2, got ${views}.`);
  const b = batchSize;
  const positives = ((views * (views - 1)) / 2) * b;
  const first = new Int32Array(2 * positives);
  const second = new Int32Array(2 * positives);
  const labels = new Float32Array(2 * positives);
  labels.fill(1, 0, positives);
  let pair = 0;
  for (let v1 = 0; v1 < views; v1++) {
    for (let v2 = v1 + 1; v2 < views; v2++) {
      const shift = 1 + (pair % (b - 1));
      for (let i = 0; i < b; i++) {
        const row = pair * b + i;
        first[row] = v1 * b + i;
        second[row] = v2 * b + i;
        first[positives + row] = v1 * b + i;
        second[positives + row] = v2 * b + ((i - shift + b) % b);
      }
      pair++;
    }
  }
  return { first, second, labels, positives };
}

/**
 * Combines the representations of pairs ([P, d] each): `'cat'` → [P, 2d]; `'sum'`, `'mean'`,
 * `'max'` (element-wise) → [P, d].
 */
export function aggregatePairs(a: tf.Tensor2D, b: tf.Tensor2D, aggregation: RelationAggregation): tf.Tensor2D {
  checkTensor(a, 'a', 'aggregatePairs', 2);
  checkTensor(b, 'b', 'aggregatePairs', 2);
  if (a.rank !== 2 || !tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`aggregatePairs: expected two [pairs, features] tensors of one shape, got [${a.shape}] and [${b.shape}].`);
  return tf.tidy(() => {
    switch (aggregation) {
      case 'cat':
        return tf.concat([a, b], 1);
      case 'sum':
        return tf.add(a, b);
      case 'mean':
        return tf.mul(tf.add(a, b), 0.5);
      case 'max':
        return tf.maximum(a, b);
      default:
        throw new Error(`aggregatePairs: aggregation must be 'cat', 'sum', 'mean' or 'max', got '${String(aggregation)}'.`);
    }
  });
}

/** Options of {@link RelationalReasoning}. Defaults work for MNIST. */
export interface RelationalReasoningOptions extends MethodOptions {
  /**
   * Backbone: `'conv4'` (the paper's shallow net: conv3x3–BN–ReLU–max-pool blocks + global average
   * pooling, see {@link conv4}) or `'resnet'` (a small ResNet, see {@link resnet}). Default `'conv4'`.
   * Or your own `tf.LayersModel` (or a function `(inputShape) => model`) from images to a feature
   * vector; the head is sized from its output (`channels` and `blocks` are then not used).
   */
  backbone?: 'conv4' | 'resnet' | UserBackbone;
  /** Channels of the backbone's blocks / stages. Default `[8, 16, 32, 64]` for conv4, `[16, 32, 64]` for the ResNet. */
  channels?: number[];
  /** ResNet only: basic blocks per stage. Default `[1, 1, 1]` (ResNet-8). */
  blocks?: number[];
  /** K, the augmented views of each image per batch (the paper uses up to 32). Default 4. */
  views?: number;
  /** How a pair's two representations are combined for the relation head. Default `'cat'`. */
  aggregation?: RelationAggregation;
  /** Width of the relation head's hidden layer. Default 256. */
  headUnits?: number;
  /** Negative slope of the head's LeakyReLU. Default 0.01 (PyTorch's, as the reference code). */
  leakySlope?: number;
  /** `'bce'`: binary cross-entropy on the head's logits; `'focal'`: {@link focalLoss}. Default `'bce'`. */
  loss?: 'bce' | 'focal';
  /** γ of the focal loss. Default 2. */
  focalGamma?: number;
  /** α of the focal loss (0.5 weights positives and negatives alike). Default 0.5. */
  focalAlpha?: number;
  /**
   * The random views: a preset (`'mnist'`: resized crops of area 0.3–1 and ±20° rotations;
   * `'cifar'`: the paper's resized crop 0.08–1, flip, colour jitter, grayscale), `'auto'` (the
   * MNIST preset for 1-channel images, the CIFAR one for 3 channels), or options on top of the
   * `'auto'` preset. Default `'auto'`.
   */
  augment?: RelationalAugmentPreset | 'auto' | RelationalAugmentOptions;
}

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface RelationalReasoningConfig {
  /** `'custom'`: a backbone the user gave (saved as the `backbone` model). */
  backbone: 'conv4' | 'resnet' | typeof CUSTOM_BACKBONE;
  channels: number[];
  blocks: number[];
  views: number;
  aggregation: RelationAggregation;
  headUnits: number;
  leakySlope: number;
  loss: 'bce' | 'focal';
  focalGamma: number;
  focalAlpha: number;
  augment: RelationalAugmentPreset | 'auto' | RelationalAugmentOptions;
  seed: number;
}

const AGGREGATIONS: readonly RelationAggregation[] = ['cat', 'sum', 'mean', 'max'];

/** The backbones' channels when none are given, by backbone. */
export const RELATIONAL_REASONING_DEFAULT_CHANNELS = { conv4: [8, 16, 32, 64], resnet: [16, 32, 64] } as const;

/**
 * RelationalReasoning's options as command-line flags (kind, range or choices, help):
 * {@link resolveRelationalReasoningConfig} checks against the same rows and the CLI generates its
 * flags from them.
 */
export const RELATIONAL_REASONING_OPTION_TABLE = {
  backbone: { flag: 'backbone', kind: 'string', choices: ['conv4', 'resnet'], description: 'Conv4 or a small ResNet' },
  channels: {
    flag: 'channels',
    kind: 'string',
    placeholder: 'C1,C2,...',
    description: `channels of the backbone's blocks (default ${RELATIONAL_REASONING_DEFAULT_CHANNELS.conv4.join(',')} for conv4, ${RELATIONAL_REASONING_DEFAULT_CHANNELS.resnet.join(',')} for resnet)`,
  },
  views: { flag: 'views', kind: 'integer', min: 2, description: 'augmented views K of each image per batch' },
  aggregation: { flag: 'aggregation', kind: 'string', choices: AGGREGATIONS, description: "how a pair's representations are combined" },
  loss: { flag: 'loss', kind: 'string', choices: ['bce', 'focal'], description: 'binary cross-entropy or focal loss' },
  headUnits: { flag: 'head-units', kind: 'integer', min: 1, description: "width of the relation head's hidden layer" },
} as const satisfies OptionTable<RelationalReasoningOptions>;

/**
 * The resolved configuration of {@link RelationalReasoning}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back.
 *
 * @throws an error naming the option and its value.
 */
export function resolveRelationalReasoningConfig(options: RelationalReasoningOptions = {}): RelationalReasoningConfig {
  options = readOptions(options, 'RelationalReasoning');
  const seed = checkSeed(options.seed ?? 0, 'RelationalReasoning: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  const userBackbone = isUserBackbone(options.backbone);
  checkOptionTypes(userBackbone ? { ...options, backbone: undefined } : options, { backbone: 'string', channels: 'list', blocks: 'list', aggregation: 'string', loss: 'string', augment: ['string', 'object'] }, 'RelationalReasoning');
  const backbone = userBackbone ? CUSTOM_BACKBONE : (options.backbone as RelationalReasoningConfig['backbone'] | undefined) ?? 'conv4';
  if (backbone !== CUSTOM_BACKBONE && !(RELATIONAL_REASONING_OPTION_TABLE.backbone.choices as readonly string[]).includes(backbone)) {
    throw new Error(`RelationalReasoning: backbone must be ${describeChoices(RELATIONAL_REASONING_OPTION_TABLE.backbone.choices)}, got '${String(backbone)}' (or give your own tf.LayersModel, or a function building one).`);
  }
  const config: RelationalReasoningConfig = {
    backbone,
    channels: listOption(options.channels, [...RELATIONAL_REASONING_DEFAULT_CHANNELS[backbone === 'conv4' ? 'conv4' : 'resnet']], 'channels', 'RelationalReasoning'),
    blocks: listOption(options.blocks, backbone === 'resnet' ? [1, 1, 1] : [], 'blocks', 'RelationalReasoning'),
    views: options.views ?? 4,
    aggregation: options.aggregation ?? 'cat',
    headUnits: options.headUnits ?? 256,
    leakySlope: options.leakySlope ?? 0.01,
    loss: options.loss ?? 'bce',
    focalGamma: options.focalGamma ?? 2,
    focalAlpha: options.focalAlpha ?? 0.5,
    augment: typeof options.augment === 'object' && options.augment !== null ? { ...options.augment } : (options.augment ?? 'auto'),
    seed,
  };
  const { channels, blocks, views, aggregation, headUnits, leakySlope, loss, focalGamma, focalAlpha, augment } = config;
  if (channels.length === 0 || channels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`RelationalReasoning: channels must be a non-empty list of positive integers, got ${JSON.stringify(channels)}.`);
  if (backbone === 'resnet' && blocks.length !== channels.length) {
    throw new Error(`RelationalReasoning: blocks (${JSON.stringify(blocks)}) must have one entry per ResNet stage of channels (${JSON.stringify(channels)}).`);
  }
  const table = RELATIONAL_REASONING_OPTION_TABLE;
  checkIntegerOption(views, 'views (K)', table.views, 'RelationalReasoning');
  checkChoiceOption(aggregation, 'aggregation', table.aggregation, 'RelationalReasoning');
  checkIntegerOption(headUnits, 'headUnits', table.headUnits, 'RelationalReasoning');
  if (!(leakySlope >= 0) || !Number.isFinite(leakySlope)) throw new Error(`RelationalReasoning: leakySlope must be a finite number ≥ 0, got ${leakySlope}.`);
  checkChoiceOption(loss, 'loss', table.loss, 'RelationalReasoning');
  if (!(focalGamma >= 0) || !Number.isFinite(focalGamma)) throw new Error(`RelationalReasoning: focalGamma must be a finite number ≥ 0, got ${focalGamma}.`);
  if (!(focalAlpha >= 0 && focalAlpha <= 1)) throw new Error(`RelationalReasoning: focalAlpha must be in [0, 1], got ${focalAlpha}.`);
  if (typeof augment === 'string' && augment !== 'auto' && augment !== 'mnist' && augment !== 'cifar') {
    throw new Error(`RelationalReasoning: augment must be 'auto', 'mnist', 'cifar' or an options object, got '${augment}'.`);
  }
  // Option errors of an explicit preset or overrides surface now, not at the first fit.
  return config;
}

/** RelationalReasoning's training defaults (what `fit` uses when not told); the CLI's defaults read them. */
export const RELATIONAL_REASONING_FIT_DEFAULTS = { epochs: 10, batchSize: 64, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * Self-supervised relational reasoning (Patacchiola & Storkey 2020, "Self-Supervised Relational
 * Reasoning for Representation Learning", NeurIPS): every image of a mini-batch is augmented K
 * times, a backbone embeds all K·b views, and a relation head (Linear → BN → LeakyReLU →
 * Linear(1)) learns to tell whether two aggregated representations come from the same image
 * (positives: all K(K−1)/2 pairs of views of one image) or from different images (negatives: the
 * same pairs with the second view's batch rolled; see {@link relationPairs}), trained with binary
 * cross-entropy or focal loss. The backbone's features ({@link encode}: the un-augmented images,
 * inference-mode batch norm) are the representation; the head is discarded after training.
 *
 * Logged per epoch besides `loss`: `accuracy`, the share of pairs the head classifies correctly.
 */
export class RelationalReasoning extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'RelationalReasoning';
  readonly name = RelationalReasoning.methodName;
  override readonly config: RelationalReasoningConfig;
  protected override defaultEpochs: number = RELATIONAL_REASONING_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = RELATIONAL_REASONING_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = RELATIONAL_REASONING_FIT_DEFAULTS.learningRate;
  /** The backbone: images → features (the representation). */
  backbone: tf.LayersModel | undefined;
  /** The backbone the user gave (a model or a function building one), until `build` uses it. */
  private readonly userBackbone: UserBackbone | undefined;
  /** The relation head: aggregated pair → logit. */
  head: tf.Sequential | undefined;
  private augmentView: ViewFunction | undefined;
  private pairCache = new Map<number, { pairs: RelationPairs; first: tf.Tensor1D; second: tf.Tensor1D; labels: tf.Tensor2D }>();

  constructor(options: RelationalReasoningOptions = {}) {
    super(options);
    this.config = resolveRelationalReasoningConfig({ ...options, seed: this.seed });
    this.userBackbone = isUserBackbone(options.backbone) ? options.backbone : undefined;
    if (this.config.augment !== 'auto') this.resolveAugment(1);
  }

  /** The augmentation settings for images with `channels` channels. */
  resolveAugment(channels: number): ResolvedRelationalAugment {
    const augment = this.config.augment;
    const auto: RelationalAugmentPreset = channels === 1 ? 'mnist' : 'cifar';
    if (typeof augment === 'string') return resolveRelationalAugment(augment === 'auto' ? auto : augment);
    return resolveRelationalAugment(auto, augment);
  }

  protected override build(dataset: ImageDataset): void {
    const shape: [number, number, number] = [...dataset.shape];
    const { backbone, channels, blocks, aggregation, headUnits, leakySlope } = this.config;
    if (backbone === CUSTOM_BACKBONE) {
      if (this.userBackbone === undefined) throw new Error(`RelationalReasoning: backbone '${CUSTOM_BACKBONE}' stands for a model the user gave; pass the tf.LayersModel (or a function (inputShape) => model) as backbone, or load a saved RelationalReasoning.`);
      this.backbone = buildUserBackbone(this.userBackbone, shape, 'RelationalReasoning: backbone').model;
    } else this.backbone =
      backbone === 'conv4'
        ? conv4({ inputShape: shape, channels, seed: this.seed, name: 'relational_conv4', context: 'RelationalReasoning (conv4 backbone)' })
        : resnet({ inputShape: shape, channels, blocks, seed: this.seed, name: 'relational_resnet', context: 'RelationalReasoning (resnet backbone)' });
    const features = this.backbone.outputs[0].shape[1] as number;
    this.head = this.createHead(aggregation === 'cat' ? 2 * features : features, headUnits, leakySlope);
    this.augmentView = relationalAugment(this.resolveAugment(shape[2]));
  }

  private createHead(inputSize: number, units: number, slope: number): tf.Sequential {
    return tf.sequential({
      name: 'relational_head',
      layers: [
        tf.layers.dense({ inputShape: [inputSize], units, kernelInitializer: seededKernelInitializer(this.seed, 2000), name: 'relational_head_dense1' }),
        batchNormalization({ name: 'relational_head_bn' }),
        tf.layers.leakyReLU({ alpha: slope, name: 'relational_head_leaky_relu' }),
        tf.layers.dense({ units: 1, kernelInitializer: seededKernelInitializer(this.seed, 2001), name: 'relational_head_dense2' }),
      ],
    });
  }

  /** A last batch of one image cannot form negatives: it is merged into the batch before it. */
  protected override epochBatches(dataset: ImageDataset, batchSize: number, seed: number): Int32Array[] {
    if (dataset.size < 2) throw new Error(`${this.name}: needs at least 2 images (negatives pair different images), got ${dataset.size}.`);
    const batches = batchIndices(dataset.size, batchSize, { shuffle: true, seed });
    const last = batches[batches.length - 1];
    if (last.length === 1) {
      const previous = batches[batches.length - 2];
      // Consecutive views of one Int32Array: the merged batch is one longer subarray.
      batches.splice(batches.length - 2, 2, new Int32Array(previous.buffer, previous.byteOffset, previous.length + 1));
    }
    return batches;
  }

  /** Pair indices of a batch size, as tensors kept across steps (created outside any tape). */
  private pairTensors(batchSize: number): { pairs: RelationPairs; first: tf.Tensor1D; second: tf.Tensor1D; labels: tf.Tensor2D } {
    let cached = this.pairCache.get(batchSize);
    if (cached === undefined) {
      const pairs = relationPairs(batchSize, this.config.views);
      // Kept: this may run inside the training step's scope, which would dispose them.
      cached = {
        pairs,
        first: tf.keep(tf.tensor1d(pairs.first, 'int32')),
        second: tf.keep(tf.tensor1d(pairs.second, 'int32')),
        labels: tf.keep(tf.tensor2d(pairs.labels, [pairs.labels.length, 1])),
      };
      this.pairCache.set(batchSize, cached);
    }
    return cached;
  }

  /** The K augmented views of a batch, stacked view-major: [K·b, h, w, c]. */
  augmentBatch(images: tf.Tensor4D, seed: number): tf.Tensor4D {
    if (this.augmentView === undefined) this.augmentView = relationalAugment(this.resolveAugment(images.shape[3]));
    const view = this.augmentView;
    return tf.tidy(() => tf.concat(Array.from({ length: this.config.views }, (_, k) => view(images, deriveSeed(seed, k))), 0));
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const images = batch.inputs as tf.Tensor4D;
    const { first, second, labels } = this.pairTensors(images.shape[0]);
    const features = this.backbone!.apply(this.augmentBatch(images, batch.seed), { training: true }) as tf.Tensor2D;
    const pairs = aggregatePairs(tf.gather(features, first), tf.gather(features, second), this.config.aggregation);
    const logits = this.head!.apply(pairs, { training: true }) as tf.Tensor2D;
    const loss =
      this.config.loss === 'focal'
        ? focalLoss(labels, logits, { gamma: this.config.focalGamma, alpha: this.config.focalAlpha })
        : binaryCrossEntropyLoss(labels, logits, { fromLogits: true });
    const accuracy = tf.mean(tf.cast(tf.equal(tf.greater(logits, 0), tf.greater(labels, 0.5)), 'float32')) as tf.Scalar;
    return { loss, metrics: { accuracy } };
  }

  /** Backbone features of un-augmented images, batch norm in inference mode. */
  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.backbone!.apply(inputs, { training: false }) as tf.Tensor;
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in, the
   * backbone's features (what {@link embed} returns) out; standard TF.js layers only.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({ inputShape: this.inputShape!, backbone: this.backbone!, name: 'relational_inference' });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { backbone: this.backbone, head: this.head };
  }

  /** After `load`: `encode` works and `fit` continues training. */
  protected override restore({ models, inputShape }: SavedModels): void {
    this.backbone = models.backbone;
    this.head = models.head as tf.Sequential;
    this.augmentView = relationalAugment(this.resolveAugment((inputShape as [number, number, number])[2]));
  }

  override dispose(): void {
    super.dispose();
    for (const { first, second, labels } of this.pairCache.values()) tf.dispose([first, second, labels]);
    this.pairCache.clear();
  }
}
