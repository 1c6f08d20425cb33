import * as tf from '@tensorflow/tfjs';

import { checkSeed, createRandom } from '../core/random.js';
import type { Random } from '../core/random.js';
import { subset } from '../data/dataset.js';
import type { ImageDataset } from '../data/dataset.js';
import { iicMnistAugment, iicViewsForShape } from '../data/augment/iic_views.js';
import type { IicViewOptions, PairedViews } from '../data/augment/iic_views.js';
import { checkIicLambda, iicLoss } from '../losses/iic_loss.js';
import { deriveSeed, seededKernelInitializer } from '../nn/initializers.js';
import { vgg } from '../nn/vgg.js';
import { denseSoftmaxFlushingGradient } from '../nn/softmax_flushing_gradient.js';
import type { VggConfig, VggConfigInput } from '../nn/vgg.js';
import { buildUserBackbone, CUSTOM_BACKBONE, isUserBackbone, resolveBackboneConfig } from '../nn/user_backbone.js';
import type { UserBackbone } from '../nn/user_backbone.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel, centerCropLayers } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, EpochLogs, EpochMetricLists, JsonObject, MethodOptions, PlannedBatch, RecipeName, TrainingBatch, TrainingRecipe } from '../train/unsupervised_method.js';
import { argmaxRows } from '../train/model_utils.js';
import { checkOptionTypes } from '../data/checks.js';
import { readOptions } from '../data/options.js';
import { checkChoiceOption, checkIntegerOption, VGG_BACKBONE_ROW } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';

/**
 * IIC's defaults: the paper's MNIST setting (Ji et al. 2019) — VGG F, 10 + 50 clusters, λ = 1,
 * one view per image, heads alternating per epoch; `fit` trains 10 epochs of batches of 256 at
 * learning rate 1e-4 — except 2 sub-heads per head instead of the paper's 5: on this project's
 * CPU, 2 reached 0.969 after 12 epochs on seeds 0 and 1 (one seed in three merged two digits,
 * 0.865), and 0.865 after 2 epochs where 5 reached 0.722, for about 10 % less time (see the
 * README). The CLI's recipes and the examples read these rather than repeating them.
 */
export const IIC_DEFAULTS = {
  backbone: 'F',
  numClusters: 10,
  overclusterClusters: 50,
  subHeads: 2,
  lambda: 1,
  repeats: 1,
  headSchedule: 'alternate',
  minClusterShare: 0,
  epochs: 10,
  batchSize: 256,
  learningRate: 1e-4,
} as const satisfies { backbone: VggConfigInput; headSchedule: 'alternate' | 'joint'; [key: string]: unknown };

/** Options of {@link IIC}. Defaults are the paper's MNIST setting but for the sub-heads ({@link IIC_DEFAULTS}). */
export interface IicOptions extends MethodOptions {
  /**
   * VGG backbone: a named config (`'F'`: the paper's; `'small'`: a quarter of the channels, for
   * CPUs) or a list. Default `'F'`. Or your own `tf.LayersModel`, or a function
   * `(inputShape) => model` called with the views' shape (24x24 for 28x28 images), ending in one
   * feature vector per image: the heads are sized from its output; the method trains, saves and
   * disposes it (its initial weights, and their seeds, are yours).
   */
  backbone?: VggConfigInput | UserBackbone;
  /** Clusters of the main head. Default 10. */
  numClusters?: number;
  /** Clusters of the over-clustering head (0: no such head). Default 50. */
  overclusterClusters?: number;
  /** Sub-heads per head; their losses are averaged. Default 2 (the paper: 5). */
  subHeads?: number;
  /**
   * λ of the IIC loss (weight of the marginals' entropy, see {@link iicLoss}). Default 1 (the
   * paper's). Larger values push harder towards balanced clusters: with a short CPU budget on
   * MNIST, λ = 1.5 keeps the heads from merging two digits into one cluster (the example's default).
   */
  lambda?: number;
  /** Transformed views x′ drawn per image per batch (the paper repeats each image). Default 1. */
  repeats?: number;
  /** The paired views ({@link iicMnistAugment}'s options). Default: IIC's MNIST views scaled to the images' side ({@link iicViewsForShape}). */
  views?: IicViewOptions;
  /**
   * How the two heads share the training: `'alternate'` — per epoch a pass over the data for the
   * over-clustering head, then one for the main head (the paper); `'joint'` — one pass per epoch,
   * each step minimising the mean of both heads' losses on the same features (half the backbone
   * passes per main-head update: the better use of a CPU budget). Default `'alternate'`.
   */
  headSchedule?: 'alternate' | 'joint';
  /**
   * Starved-cluster threshold, as a share of the uniform cluster size n/k: after every epoch the
   * main sub-heads assign a sample of the training images (up to {@link IIC_CLUSTER_CHECK_SAMPLE},
   * inference mode, as `predict`); a cluster holding fewer than `minClusterShare · n/k` of them
   * after two epochs in a row (early clusters come and go) is re-seeded by splitting the largest cluster in two (its output unit copied, the copies nudged
   * apart by seeded noise, each taking half its mass) — the fix k-means uses for an empty cluster,
   * here against IIC's merge (two digits in one cluster beside a nearly empty one), which the loss
   * alone leaves in place. Label-free. Default 0 (off: the paper's IIC); the CLI's CPU recipe
   * uses 0.2 (a cluster under 2 % of the images when k = 10). Runs on every backend, in Node and
   * in browsers (tested in Chromium on webgpu, webgl and wasm).
   */
  minClusterShare?: number;
}

/** How many training images (at most, spread evenly over the dataset) the starved-cluster check of {@link IicOptions.minClusterShare} assigns after each epoch. */
export const IIC_CLUSTER_CHECK_SAMPLE = 4096;

/**
 * IIC's options as command-line flags (kind, range or choices, help): {@link resolveIicConfig}
 * checks against the same rows and the CLI generates its flags from them.
 */
export const IIC_OPTION_TABLE = {
  backbone: VGG_BACKBONE_ROW,
  numClusters: { flag: 'clusters', kind: 'integer', min: 2, description: 'clusters of the main head' },
  overclusterClusters: { flag: 'overcluster', kind: 'integer', min: 0, description: 'clusters of the over-clustering head (0: none)' },
  subHeads: { flag: 'sub-heads', kind: 'integer', min: 1, description: 'sub-heads per head' },
  headSchedule: { flag: 'head-schedule', kind: 'string', choices: ['alternate', 'joint'], description: 'a pass per head per epoch, or one joint pass' },
  repeats: { flag: 'repeats', kind: 'integer', min: 1, description: 'transformed views per image per batch' },
  lambda: { flag: 'lambda', kind: 'number', min: 0, description: 'weight of the marginal entropies in the IIC loss (> 1: more balanced clusters)' },
  minClusterShare: { flag: 'min-cluster-share', kind: 'number', min: 0, description: 'a main-head cluster under this share of n/k at two epoch ends in a row is re-seeded by splitting the largest (0: never)' },
} as const satisfies OptionTable<IicOptions>;

/**
 * IIC's training recipes over {@link IIC_DEFAULTS}, by the machine they are for (the CLI picks
 * `cpu` or `gpu` by its backend, `paper` on `--paper`).
 */
export const IIC_RECIPES = {
  // examples/iic_mnist.ts, 2 threads, trained on 55k images (5k held out for validation): see the README's table.
  cpu: {
    note: 'measured on a 2-core CPU (wasm): quarter-width VGG, λ 1.5, two views x′ per image, both heads every step, learning rate 1e-3, nearly empty clusters re-seeded, 11 epochs of about 2.3–2.6 min on 55k images',
    epochs: 11,
    learningRate: 1e-3,
    options: { backbone: 'small', lambda: 1.5, repeats: 2, headSchedule: 'joint', minClusterShare: 0.2 },
  },
  // Not measured: the CPU recipe's λ, views, schedule and rate with the paper's full-width backbone.
  gpu: {
    note: "a GPU budget (not measured here): the paper's VGG F with the CPU recipe's λ 1.5, two views per image, joint heads and learning rate 1e-3, 20 epochs",
    epochs: 20,
    learningRate: 1e-3,
    options: { lambda: 1.5, repeats: 2, headSchedule: 'joint' },
  },
  paper: {
    note: "Ji et al. 2019's MNIST setting: VGG F, 5 sub-heads, λ 1, heads alternating, batch 700 with 5 views per image, learning rate 1e-4 (their run: 3200 epochs; --epochs sets yours)",
    // The paper's values written out, so that a change of IIC_DEFAULTS never changes --paper.
    batchSize: 700,
    learningRate: 1e-4,
    options: { backbone: 'F', numClusters: 10, overclusterClusters: 50, subHeads: 5, repeats: 5, lambda: 1, headSchedule: 'alternate', minClusterShare: 0 },
  },
} as const satisfies Record<RecipeName, TrainingRecipe<IicOptions>>;

/**
 * Random restarts for the CPU recipe ({@link fitBestOfRestarts}): two candidates from different
 * seeds train 2 epochs each, the one of lower training loss trains on to the recipe's epochs (11 in
 * all; 13 epochs of compute: 28.8–29.9 minutes for seeds 0–2 on 2 wasm threads with the trials side
 * by side in worker threads, `fitBestOfRestartsInWorkers`). Against IIC's early lock-in on a
 * poor partition: on MNIST the run that ended at 0.85 already had the highest loss after 2 epochs
 * (−4.52 against −4.60 and −4.66 of the runs ending at 0.97 and 0.95). examples/iic_mnist.ts uses
 * it; the CLI's `train` fits a single run.
 */
export const IIC_RESTARTS = { candidates: 2, trialEpochs: 2 } as const;

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface IicConfig {
  /** The VGG configuration, or `'custom'` for a backbone the user gave (saved as the `backbone` model). */
  backbone: VggConfig | typeof CUSTOM_BACKBONE;
  numClusters: number;
  overclusterClusters: number;
  subHeads: number;
  lambda: number;
  repeats: number;
  views: IicViewOptions;
  headSchedule: 'alternate' | 'joint';
  minClusterShare: number;
  seed: number;
}

type HeadName = 'main' | 'overcluster';

/**
 * The resolved configuration of {@link IIC}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back. Given the images' shape, views left out are scaled to it
 * ({@link iicViewsForShape}; what `build` does).
 *
 * @throws an error naming the option and its value.
 */
export function resolveIicConfig(options: IicOptions = {}, inputShape?: readonly [number, number, number]): IicConfig {
  options = readOptions(options, 'IIC');
  const seed = checkSeed(options.seed ?? 0, 'IIC: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  const userBackbone = isUserBackbone(options.backbone);
  checkOptionTypes(userBackbone ? { ...options, backbone: undefined } : options, { backbone: ['string', 'list'], views: 'object', headSchedule: 'string' }, 'IIC');
  const cfg = resolveBackboneConfig(options.backbone ?? IIC_DEFAULTS.backbone, 'IIC');
  const config: IicConfig = {
    backbone: cfg,
    numClusters: options.numClusters ?? IIC_DEFAULTS.numClusters,
    overclusterClusters: options.overclusterClusters ?? IIC_DEFAULTS.overclusterClusters,
    subHeads: options.subHeads ?? IIC_DEFAULTS.subHeads,
    lambda: options.lambda ?? IIC_DEFAULTS.lambda,
    repeats: options.repeats ?? IIC_DEFAULTS.repeats,
    views: options.views === undefined && inputShape !== undefined ? iicViewsForShape(inputShape) : { ...(options.views ?? {}) },
    headSchedule: options.headSchedule ?? IIC_DEFAULTS.headSchedule,
    minClusterShare: options.minClusterShare ?? IIC_DEFAULTS.minClusterShare,
    seed,
  };
  const { numClusters, overclusterClusters, subHeads, repeats } = config;
  checkIntegerOption(numClusters, 'numClusters', IIC_OPTION_TABLE.numClusters, 'IIC');
  if (!Number.isInteger(overclusterClusters) || (overclusterClusters !== 0 && overclusterClusters < 2)) throw new Error(`IIC: overclusterClusters must be 0 or an integer ≥ 2, got ${overclusterClusters}.`);
  checkIntegerOption(subHeads, 'subHeads', IIC_OPTION_TABLE.subHeads, 'IIC');
  checkIicLambda(config.lambda, 'IIC');
  checkIntegerOption(repeats, 'repeats', IIC_OPTION_TABLE.repeats, 'IIC');
  checkChoiceOption(config.headSchedule, 'headSchedule', IIC_OPTION_TABLE.headSchedule, 'IIC');
  if (typeof config.minClusterShare !== 'number' || !(config.minClusterShare >= 0 && config.minClusterShare < 1)) throw new Error(`IIC: minClusterShare must be a number in [0, 1) (a share of the uniform cluster size; 0: off), got ${String(config.minClusterShare)}.`);
  return config;
}

/**
 * Invariant Information Clustering (Ji, Henriques & Vedaldi 2019): a backbone with softmax heads
 * is trained to maximise the mutual information between the cluster assignments of an image x
 * and of a random transform x′ of it ({@link iicLoss}). A main head has `numClusters` outputs;
 * an auxiliary over-clustering head with more clusters helps learn finer features. Each head has
 * several sub-heads (independently initialised) whose losses are averaged. As in the paper, every
 * epoch trains the over-clustering head for a pass over the data, then the main head.
 *
 * {@link predict} uses the main sub-head with the lowest training loss in the last epoch — never
 * one chosen with labels. Beyond the paper and off by default, a main-head cluster that stays nearly empty can be
 * re-seeded after an epoch by splitting the largest cluster ({@link IicOptions.minClusterShare}).
 */
export class IIC extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'IIC';
  /** Options added after IIC could be saved, with the values that saved methods trained with (see {@link MethodCore.load}). */
  static readonly savedConfigDefaults = { minClusterShare: 0 };
  readonly name = IIC.methodName;
  override readonly config: IicConfig;
  protected override defaultBatchSize: number = IIC_DEFAULTS.batchSize;
  protected override defaultEpochs: number = IIC_DEFAULTS.epochs;
  protected override defaultLearningRate: number = IIC_DEFAULTS.learningRate;
  /** The backbone: a VGG, or the model the user gave (which the method trains, saves and disposes). */
  backbone: tf.LayersModel | undefined;
  /** The backbone the user gave (a model or a function building one), until `build` uses it. */
  private readonly userBackbone: UserBackbone | undefined;
  /** Main-head sub-heads, then over-clustering sub-heads: each a model on the backbone's features. */
  heads: tf.Sequential[] = [];
  /** Mean training loss of each main sub-head in the last epoch. */
  subHeadLosses: number[] = [];
  /** The starved clusters of the last epoch's check, as `subHead * numClusters + cluster` ({@link IicOptions.minClusterShare}). */
  private starvedClusters: number[] = [];
  private views: PairedViews;
  /** Whether the caller chose the views (else `build` scales IIC's MNIST views to the images, see {@link iicViewsForShape}). */
  private readonly viewsGiven: boolean;

  constructor(options: IicOptions = {}) {
    super(options);
    this.config = resolveIicConfig({ ...options, seed: this.seed });
    this.userBackbone = isUserBackbone(options.backbone) ? options.backbone : undefined;
    this.viewsGiven = options.views !== undefined;
    this.views = iicMnistAugment(this.config.views);
  }

  private get headNames(): HeadName[] {
    return this.config.overclusterClusters > 0 ? ['overcluster', 'main'] : ['main'];
  }

  /** Indices into {@link heads} of a head's sub-heads. */
  private subHeadIndices(head: HeadName): number[] {
    const offset = head === 'main' ? 0 : this.config.subHeads;
    return Array.from({ length: this.config.subHeads }, (_, i) => offset + i);
  }

  protected override build(dataset: ImageDataset): void {
    if (!this.viewsGiven) {
      // The views are part of the configuration that save() keeps, so a loaded IIC uses these.
      this.config.views = iicViewsForShape(dataset.shape);
      this.views = iicMnistAugment(this.config.views);
    }
    const size = this.views.outputSize;
    if (dataset.shape[0] < size || dataset.shape[1] < size) {
      throw new Error(`IIC: images of ${dataset.shape[0]}x${dataset.shape[1]} are smaller than the ${size}x${size} views.`);
    }
    if (this.config.backbone === CUSTOM_BACKBONE) {
      if (this.userBackbone === undefined) throw new Error(`IIC: backbone '${CUSTOM_BACKBONE}' stands for a model the user gave; pass the tf.LayersModel (or a function (inputShape) => model) as backbone, or load a saved IIC.`);
      this.backbone = buildUserBackbone(this.userBackbone, [size, size, dataset.shape[2]], `IIC: backbone (fed ${size}x${size} views of ${dataset.shape[0]}x${dataset.shape[1]} images)`).model;
    } else {
      this.backbone = vgg(this.config.backbone, { inputShape: [size, size, dataset.shape[2]], seed: this.seed, name: 'iic_backbone', context: `IIC (backbone on ${size}x${size} views of ${dataset.shape[0]}x${dataset.shape[1]} images)` });
    }
    const features = this.backbone.outputs[0].shape[1] as number;
    this.heads = [];
    const clusters = [...Array(this.config.subHeads).fill(this.config.numClusters), ...(this.config.overclusterClusters > 0 ? Array(this.config.subHeads).fill(this.config.overclusterClusters) : [])];
    clusters.forEach((k: number, i) => {
      const head = tf.sequential({ name: `iic_head${i}` });
      head.add(tf.layers.dense({ inputShape: [features], units: k, activation: 'softmax', kernelInitializer: seededKernelInitializer(this.seed, 1000 + i), name: `iic_head${i}_dense` }));
      this.heads.push(head);
    });
  }

  /**
   * Each epoch is a pass per head (over-clustering first, then main) as in the paper, each batch's
   * phase naming the head it trains; or one joint pass (no phase: every head).
   */
  protected override epochBatches(dataset: ImageDataset, batchSize: number, seed: number): Array<Int32Array | PlannedBatch> {
    if (this.config.headSchedule === 'joint') return this.shuffledBatches(dataset, batchSize, deriveSeed(seed, 0));
    return this.headNames.flatMap((head, i) => this.shuffledBatches(dataset, batchSize, deriveSeed(seed, i)).map((indices) => ({ indices, phase: head })));
  }

  /** The heads a step trains: the batch's phase when alternating, all of them when joint. */
  private headsForBatch(batch: TrainingBatch): HeadName[] {
    return batch.phase === undefined ? this.headNames : [batch.phase as HeadName];
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const images = batch.inputs as tf.Tensor4D;
    const repeats = this.config.repeats;
    const clean = this.views.clean(images);
    const transformed = Array.from({ length: repeats }, (_, r) => this.views.transformed(images, batch.seed + 7 * r));
    const n = images.shape[0];
    // The clean view goes through the network once; its assignments are repeated for the r pairs.
    const features = this.backbone!.apply(tf.concat([clean, ...transformed], 0), { training: true }) as tf.Tensor2D;
    const metrics: Record<string, tf.Scalar[]> = {};
    const headLosses = this.headsForBatch(batch).map((head) => {
      const losses = this.subHeadIndices(head).map((index) => {
        // The head's own ops, its logits' gradient flushed below 1e-30 (no subnormal floats in the products that follow on CPUs).
        const z = denseSoftmaxFlushingGradient(this.heads[index].layers[0], features);
        const zClean = z.slice([0, 0], [n, -1]);
        const loss = iicLoss(repeats > 1 ? tf.tile(zClean, [repeats, 1]) : zClean, z.slice([n, 0], [n * repeats, -1]), { lambda: this.config.lambda });
        return loss;
      });
      metrics[head] = losses;
      return tf.div(tf.addN(losses), losses.length);
    });
    return { loss: tf.div(tf.addN(headLosses), headLosses.length) as tf.Scalar, metrics };
  }

  /** Sub-head losses arrive as the list metric `main` (logged as `main0`, `main1`, …). */
  protected override async onEpochEnd(epoch: number, logs: EpochLogs, dataset: ImageDataset, lists: EpochMetricLists): Promise<void> {
    this.subHeadLosses = Array.from({ length: this.config.subHeads }, (_, i) => lists.main?.[i] as number);
    logs.bestSubHead = this.bestSubHead;
    if (this.config.minClusterShare > 0) logs.reseededClusters = await this.reseedStarvedClusters(dataset, epoch);
  }

  /**
   * The starved-cluster check of {@link IicOptions.minClusterShare}: assigns a sample of the
   * training images with every main sub-head and splits the largest cluster into each cluster
   * holding fewer than `minClusterShare · n/k` of them now and at the last check. Returns how
   * many clusters it re-seeded.
   */
  private async reseedStarvedClusters(dataset: ImageDataset, epoch: number): Promise<number> {
    const k = this.config.numClusters;
    const sampleSize = Math.min(dataset.size, IIC_CLUSTER_CHECK_SAMPLE);
    // Evenly spread rows: a dataset stored class by class is still sampled across its classes.
    const sample = subset(dataset, Int32Array.from({ length: sampleSize }, (_, i) => Math.floor((i * dataset.size) / sampleSize)));
    const mainHeads = this.subHeadIndices('main');
    // Each sampled image's cluster under every main sub-head: [sampleSize, subHeads].
    const assignments = await this.mapBatches(sample, (x) =>
      tf.tidy(() => {
        const features = this.encodeBatch(x);
        return tf.stack(mainHeads.map((index) => tf.argMax(this.heads[index].apply(features, { training: false }) as tf.Tensor2D, 1)), 1).toFloat();
      }),
    );
    const floor = (this.config.minClusterShare * sampleSize) / k;
    const starvedBefore = new Set(this.starvedClusters);
    this.starvedClusters = [];
    let reseeded = 0;
    for (const [h, headIndex] of mainHeads.entries()) {
      const sizes = new Array<number>(k).fill(0);
      for (let r = 0; r < sampleSize; r++) sizes[assignments.data[r * mainHeads.length + h]]++;
      const random = createRandom(deriveSeed(deriveSeed(this.seed, 7000 + h), epoch));
      for (let cluster = 0; cluster < k; cluster++) {
        if (sizes[cluster] >= floor) continue;
        if (!starvedBefore.has(h * k + cluster)) {
          this.starvedClusters.push(h * k + cluster);
          continue;
        }
        const largest = sizes.indexOf(Math.max(...sizes));
        this.report(`IIC: epoch ${epoch + 1}: main sub-head ${h}'s cluster ${cluster} holds ${sizes[cluster]} of ${sampleSize} sampled images (under ${floor.toFixed(0)}); re-seeded by splitting cluster ${largest} (${sizes[largest]}).`);
        await splitSoftmaxUnit(this.heads[headIndex], largest, cluster, random);
        sizes[cluster] = sizes[largest] / 2;
        sizes[largest] /= 2;
        reseeded++;
      }
    }
    return reseeded;
  }

  /** The main sub-head with the lowest training loss in the last epoch (0 before training). */
  get bestSubHead(): number {
    let best = 0;
    this.subHeadLosses.forEach((loss, i) => {
      if (loss < this.subHeadLosses[best]) best = i;
    });
    return best;
  }

  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.backbone!.apply(this.views.clean(inputs as tf.Tensor4D), { training: false }) as tf.Tensor;
  }

  /** Cluster probabilities [n, numClusters] of a main sub-head (default: the best by training loss). */
  async predictProbabilities(dataset: ImageDataset | tf.Tensor, options: { subHead?: number; batchSize?: number } = {}) {
    this.requireBuilt('predict');
    options = readOptions(options, 'IIC.predict');
    const subHead = options.subHead ?? this.bestSubHead;
    if (!Number.isInteger(subHead) || subHead < 0 || subHead >= this.config.subHeads) throw new Error(`IIC.predict: subHead must be in 0..${this.config.subHeads - 1}, got ${subHead}.`);
    const data = await this.inferenceData(dataset, 'predict');
    return this.mapBatches(data, (x) => this.heads[subHead].apply(this.encodeBatch(x), { training: false }) as tf.Tensor, options.batchSize);
  }

  /** Cluster id of every image under a main sub-head (default: the best by training loss). */
  async predict(dataset: ImageDataset | tf.Tensor, options: { subHead?: number; batchSize?: number } = {}): Promise<Int32Array> {
    return argmaxRows(await this.predictProbabilities(dataset, options));
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in; out
   * the embeddings (what {@link embed} returns) and the cluster probabilities of the best main
   * sub-head (what {@link predictProbabilities} returns). IIC's centre crop is standard layers.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({
      inputShape: this.inputShape!,
      preprocess: (images) => centerCropLayers(images, this.config.views.centerCrop ?? 20, this.views.outputSize, 'iic_center_crop'),
      backbone: this.backbone!,
      head: this.heads[this.bestSubHead],
      name: 'iic_inference',
    });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { backbone: this.backbone, ...Object.fromEntries(this.heads.map((head, i) => [`head${i}`, head])) };
  }

  protected override restore({ models, state }: SavedModels): void {
    this.backbone = models.backbone;
    const headCount = this.config.subHeads * (this.config.overclusterClusters > 0 ? 2 : 1);
    this.heads = Array.from({ length: headCount }, (_, i) => models[`head${i}`] as tf.Sequential);
    this.subHeadLosses = (state.subHeadLosses ?? []) as number[];
    this.starvedClusters = (state.starvedClusters ?? []) as number[];
  }

  protected override savedState(): JsonObject {
    return { subHeadLosses: this.subHeadLosses, starvedClusters: this.starvedClusters };
  }

  override dispose(): void {
    super.dispose();
    this.heads = [];
  }
}

/**
 * Splits output unit `from` of a softmax head (one dense layer) in two: unit `into` gets its
 * weights, both move apart by seeded noise of 5 % of the weights' RMS, and both biases drop by
 * ln 2, so that together they take the mass `from` had.
 */
async function splitSoftmaxUnit(head: tf.Sequential, from: number, into: number, random: Random): Promise<void> {
  const layer = head.layers[0];
  const [kernelTensor, biasTensor] = layer.getWeights();
  const [features, k] = kernelTensor.shape as [number, number];
  // Read asynchronously: a synchronous read (dataSync) on WebGPU in a browser goes through a
  // canvas and, in Chromium's SwiftShader, loses the device ('mapAsync … external Instance').
  const kernel = (await kernelTensor.data()).slice();
  const bias = (await biasTensor.data()).slice();
  let sumOfSquares = 0;
  for (let f = 0; f < features; f++) sumOfSquares += kernel[f * k + from] ** 2;
  const scale = 0.05 * Math.sqrt(sumOfSquares / features);
  for (let f = 0; f < features; f++) {
    const noise = scale * random.normal();
    kernel[f * k + into] = kernel[f * k + from] + noise;
    kernel[f * k + from] -= noise;
  }
  bias[into] = bias[from] - Math.LN2;
  bias[from] -= Math.LN2;
  const values = [tf.tensor2d(kernel, [features, k]), tf.tensor1d(bias)];
  layer.setWeights(values);
  tf.dispose(values);
}
