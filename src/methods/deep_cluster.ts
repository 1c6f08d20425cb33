import * as tf from '@tensorflow/tfjs';

import { randomResizedCrop } from '../data/augment/geometric.js';

import { checkSeed } from '../core/random.js';
import { readOptions } from '../data/options.js';
import { kmeans } from '../cluster/kmeans.js';
import { l2Normalize } from '../cluster/l2_normalize.js';
import { pcaWhiten } from '../cluster/pca_whiten.js';
import { uniformClusterSampler } from '../data/cluster_sampler.js';
import type { ImageDataset } from '../data/dataset.js';
import { batchIndices } from '../data/batching.js';
import { clusterAccuracy } from '../metrics/cluster_accuracy.js';
import { nmi } from '../metrics/nmi.js';
import { deriveSeed, seededKernelInitializer } from '../nn/initializers.js';
import { sobelFilter } from '../nn/sobel.js';
import { vgg } from '../nn/vgg.js';
import type { VggConfig, VggConfigInput } from '../nn/vgg.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel, sobelLayer } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, EpochLogs, JsonObject, MethodOptions, ParameterGroup, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import { argmaxRows, trainableVariablesOf } from '../train/model_utils.js';
import { checkOptionTypes } from '../data/checks.js';
import { checkChoiceOption, checkIntegerOption, VGG_BACKBONE_ROW } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';
import { buildUserBackbone, CUSTOM_BACKBONE, isUserBackbone, resolveBackboneConfig } from '../nn/user_backbone.js';
import type { UserBackbone } from '../nn/user_backbone.js';

/** Options of {@link DeepCluster}. */
export interface DeepClusterOptions extends MethodOptions {
  /** Number of k-means clusters (pseudo-classes). Default 10; over-clustering (e.g. 100) often helps. */
  numClusters?: number;
  /**
   * VGG backbone config (default `'small'`; a Dense layer of `featureSize` units follows it), or
   * your own `tf.LayersModel` (or a function `(inputShape) => model`) ending in the features: its
   * output size is the feature size, and no layer is added.
   */
  backbone?: VggConfigInput | UserBackbone;
  /** Width of the layer before the classifier, whose pre-ReLU output is clustered. Default 256. */
  featureSize?: number;
  /**
   * PCA components kept before whitening: min(this, feature size). Default 32. The paper reduces
   * 4 096 features to 256; whitening all 256 of our features (the earlier default) gives the
   * untrained, low-variance directions the same weight as the learned ones: on MNIST (10k images,
   * 4 epochs, seeds 0 and 1) the pseudo-labels then drifted (label NMI 0.57 → 0.53, 0.46 → 0.52)
   * and the trained features clustered below random init, where 32 components kept them rising
   * (0.56 → 0.69, 0.63 → 0.71) and above random init on a validation split (README).
   */
  pcaComponents?: number;
  /** Lloyd iterations of each epoch's k-means (faiss's default in DeepCluster: 20). Default 20. */
  kmeansIterations?: number;
  /** `'uniform'`: sample clusters equally often (the paper); `'weighted'`: all rows, cross-entropy weighted by 1/cluster size. Default `'uniform'`. */
  balance?: 'uniform' | 'weighted';
  /** Feed fixed Sobel edges instead of pixels. Default `false`. */
  sobel?: boolean;
  /**
   * What the network trains on: `'random-crop'` — each image of a batch as a random square crop
   * of half to all of its area, resized back to its size (the paper's RandomResizedCrop, without
   * flips); `'none'` — the images as they are. Clustering always sees the plain images. Default
   * `'random-crop'`: on MNIST (20k images, 6 epochs, PCA 32) it took the test features' k-means NMI
   * from 0.687 to 0.811 (random init 0.678) and the linear probe from 0.955 to 0.968 (random init
   * 0.955); methods saved before this option train on with `'none'`.
   */
  augmentation?: 'random-crop' | 'none';
}

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface DeepClusterConfig {
  numClusters: number;
  /** The VGG configuration, or `'custom'` for a backbone the user gave (saved as the `backbone` model). */
  backbone: VggConfig | typeof CUSTOM_BACKBONE;
  featureSize: number;
  pcaComponents: number;
  kmeansIterations: number;
  balance: 'uniform' | 'weighted';
  sobel: boolean;
  augmentation: 'random-crop' | 'none';
  seed: number;
}

/** What one epoch's clustering gave. */
export interface DeepClusterEpoch {
  epoch: number;
  /** k-means inertia on the whitened, normalised features. */
  kmeansLoss: number;
  /** NMI between this epoch's and the previous epoch's assignments (NaN at the first epoch). */
  stabilityNmi: number;
  /** Size of every cluster. */
  clusterSizes: number[];
  /** Clusters left empty after k-means' empty-cluster handling. */
  emptyClusters: number;
  /** Evaluation only (never used for training): NMI and Hungarian accuracy against the dataset's labels, when it has them. */
  labelNmi?: number;
  labelAccuracy?: number;
}

/** DeepCluster's backbone when none is given: the quarter-width VGG (a CPU budget). */
export const DEEP_CLUSTER_DEFAULT_BACKBONE = 'small';

/**
 * DeepCluster's options as command-line flags (kind, range or choices, help):
 * {@link resolveDeepClusterConfig} checks against the same rows and the CLI generates its flags from them.
 */
export const DEEP_CLUSTER_OPTION_TABLE = {
  backbone: VGG_BACKBONE_ROW,
  numClusters: { flag: 'clusters', kind: 'integer', min: 2, description: 'k-means clusters (pseudo-classes)' },
  featureSize: { flag: 'feature-size', kind: 'integer', min: 1, description: 'width of the clustered feature layer' },
  pcaComponents: { flag: 'pca', kind: 'integer', min: 1, description: 'PCA components before whitening' },
  balance: { flag: 'balance', kind: 'string', choices: ['uniform', 'weighted'], description: 'sample clusters uniformly, or weight the loss' },
  sobel: { flag: 'sobel', kind: 'boolean', description: 'train on Sobel edges instead of pixels' },
  augmentation: { flag: 'augmentation', kind: 'string', choices: ['random-crop', 'none'], description: 'train on random crops of half to all of each image, or on the images as they are' },
} as const satisfies OptionTable<DeepClusterOptions>;

/**
 * The resolved configuration of {@link DeepCluster}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back.
 *
 * @throws an error naming the option and its value.
 */
export function resolveDeepClusterConfig(options: DeepClusterOptions = {}): DeepClusterConfig {
  options = readOptions(options, 'DeepCluster');
  const seed = checkSeed(options.seed ?? 0, 'DeepCluster: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  const userBackbone = isUserBackbone(options.backbone);
  checkOptionTypes(userBackbone ? { ...options, backbone: undefined } : options, { backbone: ['string', 'list'], balance: 'string', sobel: 'boolean' }, 'DeepCluster');
  const cfg = resolveBackboneConfig(options.backbone ?? DEEP_CLUSTER_DEFAULT_BACKBONE, 'DeepCluster');
  const config: DeepClusterConfig = {
    numClusters: options.numClusters ?? 10,
    backbone: cfg,
    featureSize: options.featureSize ?? 256,
    pcaComponents: options.pcaComponents ?? 32,
    kmeansIterations: options.kmeansIterations ?? 20,
    balance: options.balance ?? 'uniform',
    sobel: options.sobel ?? false,
    augmentation: options.augmentation ?? 'random-crop',
    seed,
  };
  const { numClusters, featureSize, pcaComponents, kmeansIterations, balance } = config;
  const table = DEEP_CLUSTER_OPTION_TABLE;
  checkIntegerOption(numClusters, 'numClusters', table.numClusters, 'DeepCluster');
  checkIntegerOption(featureSize, 'featureSize', table.featureSize, 'DeepCluster');
  checkIntegerOption(pcaComponents, 'pcaComponents', table.pcaComponents, 'DeepCluster');
  if (!Number.isInteger(kmeansIterations) || kmeansIterations < 1) throw new Error(`DeepCluster: kmeansIterations must be a positive integer, got ${kmeansIterations}.`);
  checkChoiceOption(balance, 'balance', table.balance, 'DeepCluster');
  checkChoiceOption(config.augmentation, 'augmentation', table.augmentation, 'DeepCluster');
  return config;
}

/** The share of an image's area a `'random-crop'` keeps: from half to all of it (sides 71–100 %). */
const RANDOM_CROP_AREA: [number, number] = [0.5, 1];

/** DeepCluster's training defaults (what `fit` uses when not told); the CLI's defaults read them. */
export const DEEP_CLUSTER_FIT_DEFAULTS = { epochs: 10, batchSize: 256, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * DeepCluster (Caron, Bojanowski, Joulin & Douze 2018): alternate clustering and learning. At the
 * start of every epoch the current network's features of every image (the layer before the
 * classifier, its final ReLU left out) are PCA-whitened, L2-normalised and clustered with k-means
 * (k-means++, fresh seed, faiss's empty-cluster split); the assignments become pseudo-labels, a
 * new classifier head (weights N(0, 0.01), bias 0) replaces the old one, and the network is trained
 * to predict them, with clusters sampled uniformly. The backbone keeps its optimiser state across
 * epochs; the head gets a fresh one.
 */
export class DeepCluster extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'DeepCluster';
  /** Options added after DeepCluster could be saved, with the values that saved methods trained with (see {@link MethodCore.load}). */
  static readonly savedConfigDefaults = { augmentation: 'none' };
  readonly name = DeepCluster.methodName;
  override readonly config: DeepClusterConfig;
  protected override defaultEpochs: number = DEEP_CLUSTER_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = DEEP_CLUSTER_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = DEEP_CLUSTER_FIT_DEFAULTS.learningRate;
  /** Backbone and the feature layer (Dense, linear: its ReLU is applied separately while training). */
  backbone: tf.LayersModel | undefined;
  /** The backbone the user gave (a model or a function building one), until `build` uses it. */
  private readonly userBackbone: UserBackbone | undefined;
  /** The current classifier head (a one-layer model on the features). */
  head: tf.Sequential | undefined;
  /** Pseudo-labels of the current epoch. */
  assignments: Int32Array | undefined;
  /** Per-epoch clustering statistics. */
  readonly clusterHistory: DeepClusterEpoch[] = [];
  private classWeights: tf.Tensor1D | undefined;

  constructor(options: DeepClusterOptions = {}) {
    super(options);
    this.config = resolveDeepClusterConfig({ ...options, seed: this.seed });
    this.userBackbone = isUserBackbone(options.backbone) ? options.backbone : undefined;
  }

  protected override build(dataset: ImageDataset): void {
    const [h, w, c] = dataset.shape;
    if (this.config.backbone === CUSTOM_BACKBONE) {
      if (this.userBackbone === undefined) throw new Error(`DeepCluster: backbone '${CUSTOM_BACKBONE}' stands for a model the user gave; pass the tf.LayersModel (or a function (inputShape) => model) as backbone, or load a saved DeepCluster.`);
      const { model, features } = buildUserBackbone(this.userBackbone, [h, w, this.config.sobel ? 2 : c], `DeepCluster: backbone${this.config.sobel ? ' (fed the 2 Sobel channels)' : ''}`);
      this.backbone = model;
      // The features are the model's output; PCA keeps at most that many components.
      this.config.featureSize = features;
      return;
    }
    const network = vgg(this.config.backbone, { inputShape: [h, w, this.config.sobel ? 2 : c], seed: this.seed, name: 'deepcluster_backbone', context: 'DeepCluster' });
    network.add(tf.layers.dense({ units: this.config.featureSize, kernelInitializer: seededKernelInitializer(this.seed, 300), name: 'deepcluster_features' }));
    this.backbone = network;
  }

  private preprocess(images: tf.Tensor): tf.Tensor {
    return this.config.sobel ? sobelFilter(images as tf.Tensor4D) : images;
  }

  /** Pre-ReLU features of the layer before the classifier. */
  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.backbone!.apply(this.preprocess(inputs), { training: false }) as tf.Tensor;
  }

  private newHead(epoch: number): tf.Sequential {
    const dense = tf.layers.dense({
      inputShape: [this.config.featureSize],
      units: this.config.numClusters,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: deriveSeed(this.seed, 9000 + epoch) }),
      biasInitializer: 'zeros',
      name: `deepcluster_head_epoch${epoch}`,
    });
    return tf.sequential({ layers: [dense], name: `deepcluster_head${epoch}` });
  }

  /** Features → PCA whitening → L2 normalisation → k-means; pseudo-labels and a new head. */
  protected override async onEpochStart(epoch: number, dataset: ImageDataset): Promise<void> {
    const k = this.config.numClusters;
    if (k > dataset.size) throw new Error(`DeepCluster: numClusters (${k}) is larger than the dataset (${dataset.size} images).`);
    const features = await this.mapBatches(dataset, (x) => this.encodeBatch(x));
    const components = Math.min(this.config.pcaComponents, features.cols, features.rows - 1);
    const processed = l2Normalize(pcaWhiten(features, { nComponents: components, whiten: true }));
    const result = kmeans(processed, k, { seed: deriveSeed(this.seed, 5000 + epoch), nInit: 1, maxIterations: this.config.kmeansIterations, emptyClusterStrategy: 'split' });
    const previous = this.assignments;
    this.assignments = result.labels;
    const clusterSizes = Array.from(result.clusterSizes);
    const record: DeepClusterEpoch = {
      epoch,
      kmeansLoss: result.inertia,
      stabilityNmi: previous === undefined ? Number.NaN : nmi(previous, result.labels),
      clusterSizes,
      emptyClusters: clusterSizes.filter((s) => s === 0).length,
    };
    if (dataset.labels !== undefined) {
      record.labelNmi = nmi(dataset.labels, result.labels);
      record.labelAccuracy = clusterAccuracy(dataset.labels, result.labels).accuracy;
    }
    this.clusterHistory.push(record);
    this.head?.dispose();
    this.head = this.newHead(epoch);
    this.classWeights?.dispose();
    this.classWeights = tf.keep(tf.tensor1d(clusterSizes.map((s) => (s > 0 ? dataset.size / (k * s) : 0))));
  }

  protected override epochBatches(dataset: ImageDataset, batchSize: number, seed: number): Int32Array[] {
    if (this.config.balance === 'weighted') return this.shuffledBatches(dataset, batchSize, seed);
    const order = uniformClusterSampler(this.assignments!, this.config.numClusters, dataset.size, seed);
    return batchIndices(order.length, batchSize, { shuffle: false }).map((rows) => order.subarray(rows[0], rows[0] + rows.length));
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const labels = tf.tensor1d(Int32Array.from(batch.indices, (i) => this.assignments![i]), 'int32');
    const inputs = this.config.augmentation === 'random-crop' ? randomResizedCrop(batch.inputs as tf.Tensor4D, { scale: RANDOM_CROP_AREA, ratio: [1, 1], seed: batch.seed }) : batch.inputs;
    const features = this.backbone!.apply(this.preprocess(inputs), { training: true }) as tf.Tensor;
    const logits = this.head!.apply(tf.relu(features)) as tf.Tensor2D;
    const oneHot = tf.oneHot(labels, this.config.numClusters);
    if (this.config.balance === 'weighted') {
      const weights = tf.gather(this.classWeights!, labels);
      return tf.losses.softmaxCrossEntropy(oneHot, logits, weights) as tf.Scalar;
    }
    return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  }

  protected override parameterGroups(): ParameterGroup[] {
    return [
      { name: 'backbone', variables: trainableVariablesOf(this.backbone!) },
      // A new head every epoch: new variables, so the loop gives it a fresh optimiser.
      { name: 'head', variables: trainableVariablesOf(this.head!) },
    ];
  }

  protected override async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    const record = this.clusterHistory[this.clusterHistory.length - 1];
    logs.kmeansLoss = record.kmeansLoss;
    logs.stabilityNmi = record.stabilityNmi;
    logs.emptyClusters = record.emptyClusters;
    if (record.labelNmi !== undefined) logs.labelNmi = record.labelNmi;
    if (record.labelAccuracy !== undefined) logs.labelAccuracy = record.labelAccuracy;
    this.report(`DeepCluster epoch ${epoch + 1}: cluster sizes ${record.clusterSizes.join(' ')}`);
  }

  /** The current pseudo-labels, for checkpoints (the next epoch's stability NMI compares with them). */
  protected override async exportMethodState(): Promise<JsonObject> {
    return this.assignments === undefined ? {} : { assignments: Array.from(this.assignments) };
  }

  protected override async importMethodState(state: JsonObject): Promise<void> {
    if (Array.isArray(state.assignments)) this.assignments = Int32Array.from(state.assignments as number[]);
  }

  /**
   * Cluster ids of `dataset` from the classifier head, which the network was trained to predict
   * the last epoch's k-means assignments with: argmax of head(ReLU(features)). (The k-means
   * centroids themselves belong to the features at the start of that epoch, before training
   * moved them.)
   */
  async predict(dataset: ImageDataset | tf.Tensor): Promise<Int32Array> {
    if (this.head === undefined) throw new Error('DeepCluster.predict: no clustering yet; call fit() first.');
    this.requireBuilt('predict');
    const data = await this.inferenceData(dataset, 'predict');
    return argmaxRows(await this.mapBatches(data, (x) => this.head!.apply(tf.relu(this.encodeBatch(x))) as tf.Tensor));
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in; out
   * the features (what {@link embed} returns) and, once clustered, the softmax of the classifier
   * head on their ReLU (its argmax is {@link predict}); the Sobel input as a standard Conv2D layer.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({
      inputShape: this.inputShape!,
      preprocess: this.config.sobel ? (images) => sobelLayer(images, 'deepcluster_sobel') : undefined,
      backbone: this.backbone!,
      head: this.head,
      headInputActivation: 'relu',
      headOutputActivation: 'softmax',
      name: 'deepcluster_inference',
    });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { backbone: this.backbone, head: this.head };
  }

  /** After `load`: `encode` and `predict` work; `fit` continues (re-clustering first). */
  protected override restore({ models, state }: SavedModels): void {
    this.backbone = models.backbone;
    this.head = models.head as tf.Sequential;
    this.clusterHistory.push(...((state.clusterHistory ?? []) as unknown[] as DeepClusterEpoch[]));
  }

  protected override savedState(): JsonObject {
    return { clusterHistory: JSON.parse(JSON.stringify(this.clusterHistory)) as JsonObject[] };
  }

  override dispose(): void {
    super.dispose();
    this.classWeights?.dispose();
  }
}
