import * as tf from '@tensorflow/tfjs';

import { checkSeed } from '../core/random.js';
import { readOptions } from '../data/options.js';
import type { ImageDataset } from '../data/dataset.js';
import { iicMnistAugment, iicViewsForShape } from '../data/augment/iic_views.js';
import type { IicViewOptions, PairedViews } from '../data/augment/iic_views.js';
import { createRandom } from '../core/random.js';
import type { MineLossOptions } from '../losses/mine_loss.js';
import { seededKernelInitializer } from '../nn/initializers.js';
import { mlp } from '../nn/mlp.js';
import { vgg } from '../nn/vgg.js';
import type { VggConfig, VggConfigInput } from '../nn/vgg.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel, centerCropLayers } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, JsonObject, MethodOptions, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import { MineMovingAverage } from './mine_moving_average.js';
import { checkOptionTypes } from '../data/checks.js';
import { checkIntegerOption, VGG_BACKBONE_ROW } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';
import { buildUserBackbone, CUSTOM_BACKBONE, isUserBackbone, resolveBackboneConfig } from '../nn/user_backbone.js';
import type { UserBackbone } from '../nn/user_backbone.js';

/** Options of {@link MineEncoder}. */
export interface MineEncoderOptions extends MethodOptions, MineLossOptions {
  /**
   * VGG backbone config (default `'small'`, a CPU budget; `'F'` is IIC's; a linear layer of
   * `latentSize` units follows it), or your own encoder: a `tf.LayersModel` (or a function
   * `(inputShape) => model`) from the views to the latent code z, whose output size is the latent
   * size (no layer is added).
   */
  backbone?: VggConfigInput | UserBackbone;
  /** Width of the linear latent code. Default 10. */
  latentSize?: number;
  /** Hidden units of the statistics network T(z, z′). Default 1024. */
  statisticsUnits?: number;
  /** The views x (clean) and x′ (transformed). Default: IIC's MNIST views scaled to the images' side ({@link iicViewsForShape}). */
  views?: IicViewOptions;
}

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface MineEncoderConfig {
  /** The VGG configuration, or `'custom'` for an encoder the user gave (saved as the `encoder` model). */
  backbone: VggConfig | typeof CUSTOM_BACKBONE;
  latentSize: number;
  statisticsUnits: number;
  views: IicViewOptions;
  gradient: 'moving-average' | 'dv';
  alpha: number;
  seed: number;
}

/** MineEncoder's backbone when none is given: the quarter-width VGG (a CPU budget). */
export const MINE_ENCODER_DEFAULT_BACKBONE = 'small';

/**
 * MineEncoder's options as command-line flags (kind, range, help): {@link resolveMineEncoderConfig}
 * checks against the same rows and the CLI generates its flags from them.
 */
export const MINE_ENCODER_OPTION_TABLE = {
  backbone: VGG_BACKBONE_ROW,
  latentSize: { flag: 'latent', kind: 'integer', min: 1, description: 'width of the latent code' },
  statisticsUnits: { flag: 'statistics-units', kind: 'integer', min: 1, description: 'hidden units of the statistics network' },
} as const satisfies OptionTable<MineEncoderOptions>;

/**
 * The resolved configuration of {@link MineEncoder}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back. Given the images' shape, views left out are scaled to it
 * ({@link iicViewsForShape}; what `build` does).
 *
 * @throws an error naming the option and its value.
 */
export function resolveMineEncoderConfig(options: MineEncoderOptions = {}, inputShape?: readonly [number, number, number]): MineEncoderConfig {
  options = readOptions(options, 'MineEncoder');
  const seed = checkSeed(options.seed ?? 0, 'MineEncoder: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  const userBackbone = isUserBackbone(options.backbone);
  checkOptionTypes(userBackbone ? { ...options, backbone: undefined } : options, { backbone: ['string', 'list'], views: 'object', gradient: 'string' }, 'MineEncoder');
  const cfg = resolveBackboneConfig(options.backbone ?? MINE_ENCODER_DEFAULT_BACKBONE, 'MineEncoder');
  const config: MineEncoderConfig = {
    backbone: cfg,
    latentSize: options.latentSize ?? 10,
    statisticsUnits: options.statisticsUnits ?? 1024,
    views: options.views === undefined && inputShape !== undefined ? iicViewsForShape(inputShape) : { ...(options.views ?? {}) },
    gradient: options.gradient ?? 'moving-average',
    alpha: options.alpha ?? 0.01,
    seed,
  };
  checkIntegerOption(config.latentSize, 'latentSize', MINE_ENCODER_OPTION_TABLE.latentSize, 'MineEncoder');
  if (config.gradient !== 'moving-average' && config.gradient !== 'dv') throw new Error(`MineEncoder: gradient must be 'moving-average' or 'dv', got '${String(config.gradient)}'.`);
  if (!(config.alpha > 0 && config.alpha <= 1)) throw new Error(`MineEncoder: alpha must be in (0, 1], got ${config.alpha}.`);
  checkIntegerOption(config.statisticsUnits, 'statisticsUnits', MINE_ENCODER_OPTION_TABLE.statisticsUnits, 'MineEncoder');
  return config;
}

/** MineEncoder's training defaults (what `fit` uses when not told); the CLI's defaults read them. */
export const MINE_ENCODER_FIT_DEFAULTS = { epochs: 5, batchSize: 256, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * An image encoder trained with MINE ("Advanced Deep Learning with TensorFlow 2 and Keras",
 * ch. 13; Belghazi et al. 2018): a VGG backbone and a linear latent z = E(x) are trained with a
 * statistics network T(z, z′) to maximise the Donsker–Varadhan bound on I(E(x); E(x′)), where x′
 * is a random transform of x (crop + rotation). The encoder learns what survives the transform:
 * the digit. Evaluate the codes with a linear probe.
 */
export class MineEncoder extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'MineEncoder';
  readonly name = MineEncoder.methodName;
  override readonly config: MineEncoderConfig;
  protected override defaultEpochs: number = MINE_ENCODER_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = MINE_ENCODER_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = MINE_ENCODER_FIT_DEFAULTS.learningRate;
  encoder: tf.LayersModel | undefined;
  /** The encoder the user gave (a model or a function building one), until `build` uses it. */
  private readonly userEncoder: UserBackbone | undefined;
  statistics: tf.Sequential | undefined;
  private views: PairedViews;
  /** Whether the caller chose the views (else `build` scales IIC's MNIST views to the images, see {@link iicViewsForShape}). */
  private readonly viewsGiven: boolean;
  private movingAverage: MineMovingAverage | undefined;

  constructor(options: MineEncoderOptions = {}) {
    super(options);
    this.config = resolveMineEncoderConfig({ ...options, seed: this.seed });
    this.userEncoder = isUserBackbone(options.backbone) ? options.backbone : undefined;
    this.viewsGiven = options.views !== undefined;
    this.views = iicMnistAugment(this.config.views);
  }

  protected override build(dataset: ImageDataset): void {
    if (!this.viewsGiven) {
      // The views are part of the configuration that save() keeps, so a loaded encoder uses these.
      this.config.views = iicViewsForShape(dataset.shape);
      this.views = iicMnistAugment(this.config.views);
    }
    const size = this.views.outputSize;
    if (dataset.shape[0] < size || dataset.shape[1] < size) throw new Error(`MineEncoder: images of ${dataset.shape[0]}x${dataset.shape[1]} are smaller than the ${size}x${size} views.`);
    if (this.config.backbone === CUSTOM_BACKBONE) {
      if (this.userEncoder === undefined) throw new Error(`MineEncoder: backbone '${CUSTOM_BACKBONE}' stands for an encoder the user gave; pass the tf.LayersModel (or a function (inputShape) => model) as backbone, or load a saved MineEncoder.`);
      const { model, features } = buildUserBackbone(this.userEncoder, [size, size, dataset.shape[2]], `MineEncoder: backbone (fed ${size}x${size} views of ${dataset.shape[0]}x${dataset.shape[1]} images)`);
      this.encoder = model;
      // The latent code is the model's output.
      this.config.latentSize = features;
    } else {
      const encoder = vgg(this.config.backbone, { inputShape: [size, size, dataset.shape[2]], seed: this.seed, name: 'mine_encoder', context: `MineEncoder (backbone on ${size}x${size} views of ${dataset.shape[0]}x${dataset.shape[1]} images)` });
      encoder.add(tf.layers.dense({ units: this.config.latentSize, kernelInitializer: seededKernelInitializer(this.seed, 500), name: 'mine_encoder_latent' }));
      this.encoder = encoder;
    }
    this.statistics = mlp([2 * this.config.latentSize, this.config.statisticsUnits, 1], { seed: this.seed + 1, name: 'mine_statistics' });
    this.movingAverage = new MineMovingAverage();
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const images = batch.inputs as tf.Tensor4D;
    const n = images.shape[0];
    const codes = this.encoder!.apply(tf.concat([this.views.clean(images), this.views.transformed(images, batch.seed)], 0), { training: true }) as tf.Tensor2D;
    const z = codes.slice([0, 0], [n, -1]);
    const zt = codes.slice([n, 0], [n, -1]);
    const shuffled = tf.gather(zt, tf.tensor1d(createRandom(batch.seed + 3).permutation(n), 'int32'));
    const t = this.statistics!.apply(tf.concat([tf.concat([z, zt], 1), tf.concat([z, shuffled], 1)], 0), { training: true }) as tf.Tensor2D;
    const { loss, lowerBound } = this.movingAverage!.loss(t.slice([0, 0], [n, 1]), t.slice([n, 0], [n, 1]), this.config);
    return { loss, metrics: { lowerBound } };
  }

  /** The step's E_Q[e^T] becomes the moving average once the step is applied. */
  protected override afterOptimizerStep(_batch?: TrainingBatch): void {
    this.movingAverage?.commit();
  }

  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.encoder!.apply(this.views.clean(inputs as tf.Tensor4D), { training: false }) as tf.Tensor;
  }

  /** The moving average of E_Q[e^T], for checkpoints (training resumes with it, not with 1). */
  protected override async exportMethodState(): Promise<JsonObject> {
    return this.movingAverage === undefined ? {} : { movingAverage: (await this.movingAverage.value.data())[0] };
  }

  protected override async importMethodState(state: JsonObject): Promise<void> {
    if (typeof state.movingAverage === 'number') (this.movingAverage ??= new MineMovingAverage()).set(state.movingAverage);
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in, the
   * codes z of the clean view (what {@link embed} returns) out; the centre crop as standard layers.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({
      inputShape: this.inputShape!,
      preprocess: (images) => centerCropLayers(images, this.config.views.centerCrop ?? 20, this.views.outputSize, 'mine_center_crop'),
      backbone: this.encoder!,
      name: 'mine_encoder_inference',
    });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { encoder: this.encoder, statistics: this.statistics };
  }

  /** After `load` the moving average restarts at 1 (a checkpoint restores it). */
  protected override restore({ models }: SavedModels): void {
    this.encoder = models.encoder;
    this.statistics = models.statistics as tf.Sequential;
    this.movingAverage = new MineMovingAverage();
  }

  override dispose(): void {
    super.dispose();
    this.movingAverage?.dispose();
  }
}
