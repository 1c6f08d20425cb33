import * as tf from '@tensorflow/tfjs';

import { checkSeed } from '../core/random.js';
import type { ImageDataset } from '../data/dataset.js';
import { addNoise, validateNoise } from '../data/augment/noise.js';
import type { NoiseOptions } from '../data/augment/noise.js';
import { binaryCrossEntropyLoss, perSampleBinaryCrossEntropy } from '../losses/binary_cross_entropy_loss.js';
import { mseLoss, perSampleSquaredError } from '../losses/mse_loss.js';
import { seededHeInitializer, seededKernelInitializer } from '../nn/initializers.js';
import { ACTIVATIONS, validateWidths } from '../nn/mlp.js';
import { ImageMethod } from '../train/image_method.js';
import { buildInferenceModel } from '../train/inference_model.js';
import type { SavedModels } from '../train/saved_method.js';
import type { BatchLossResult, EpochLogs, FeatureMatrix, FitOptions, MethodOptions, ParameterGroup, TrainingBatch, FitDefaults } from '../train/unsupervised_method.js';
import { trainableVariablesOf } from '../train/model_utils.js';
import { checkOptionTypes } from '../data/checks.js';
import { readOptions } from '../data/options.js';
import { listOption } from '../data/checks.js';
import { checkChoiceOption } from '../train/option_table.js';
import type { OptionTable } from '../train/option_table.js';

/** Options of {@link Autoencoder}. Defaults are DEC's MNIST autoencoder (Xie et al. 2016). */
export interface AutoencoderOptions extends MethodOptions {
  /** `'dense'` (an MLP from `layers`) or `'conv'` (strided convs around a dense code). Default `'dense'`. */
  architecture?: 'dense' | 'conv';
  /** Dense widths from the input to the code; the decoder mirrors them. Default `[784, 500, 500, 2000, 10]`. */
  layers?: number[];
  /** Conv architecture: channels of the stride-2 conv3x3 layers. Default `[32, 64]` (inputs' sides divisible by 4). */
  convChannels?: number[];
  /** Conv architecture: the code's width. Default 10. */
  codeSize?: number;
  /** Activation of the code layer. Default `'linear'`. */
  codeActivation?: 'linear' | 'sigmoid';
  /** Reconstruction loss. Default `'mse'`. */
  loss?: 'mse' | 'binaryCrossEntropy';
  /** Activation of the reconstruction. Default `'linear'` for MSE, `'sigmoid'` for binary cross-entropy. */
  outputActivation?: 'linear' | 'sigmoid';
  /** Denoising: corruption of the input during training (the target stays clean). Default: none. */
  denoise?: NoiseOptions;
  /** Hinge on the per-sample reconstruction error (see `mseLoss`). Default: none. */
  cutoff?: number;
}

/** Options of {@link Autoencoder.pretrainGreedy}. */
export interface GreedyPretrainingOptions extends Omit<FitOptions, 'epochs'> {
  /** Epochs for each shallow autoencoder. Default 5. */
  epochsPerLayer?: number;
  /** Corruption of each shallow autoencoder's input (DEC uses dropout 0.2). Default: the method's `denoise`. */
  denoise?: NoiseOptions;
}

/** The resolved configuration (every option with its value), saved beside the weights. */
export interface AutoencoderConfig {
  architecture: 'dense' | 'conv';
  layers: number[];
  convChannels: number[];
  codeSize: number;
  codeActivation: 'linear' | 'sigmoid';
  loss: 'mse' | 'binaryCrossEntropy';
  outputActivation: 'linear' | 'sigmoid';
  denoise: NoiseOptions;
  cutoff?: number;
  seed: number;
}

/**
 * The Autoencoder's options as command-line flags (kind, range or choices, help): its resolve
 * function checks against the same rows and the CLI generates its flags from them. `layers` as a
 * flag leaves out the input width (the images give it); `loss` as a flag says `bce` for
 * `'binaryCrossEntropy'`.
 */
export const AUTOENCODER_OPTION_TABLE = {
  layers: { flag: 'layers', kind: 'string', placeholder: 'W1,W2,...', description: 'dense widths after the input, the last one the code' },
  architecture: { flag: 'architecture', kind: 'string', choices: ['dense', 'conv'], description: 'dense MLP or strided convolutions' },
  codeSize: { flag: 'code-size', kind: 'integer', min: 1, description: 'conv architecture: width of the code' },
  loss: { flag: 'loss', kind: 'string', choices: ['mse', 'bce'], description: 'reconstruction loss' },
} as const satisfies OptionTable<AutoencoderOptions>;

/**
 * The resolved configuration of {@link Autoencoder}: every option with its value (the defaults
 * filled in), each checked once; what the method saves, and what constructing it again from the
 * saved JSON gives back.
 *
 * @throws an error naming the option and its value.
 */
export function resolveAutoencoderConfig(options: AutoencoderOptions = {}): AutoencoderConfig {
  options = readOptions(options, 'Autoencoder');
  const seed = checkSeed(options.seed ?? 0, 'Autoencoder: seed');
  // Types only where no range check below names the option already (numbers have theirs).
  checkOptionTypes(options, { architecture: 'string', layers: 'list', convChannels: 'list', codeActivation: 'string', loss: 'string', outputActivation: 'string', denoise: 'object' }, 'Autoencoder');
  const loss = options.loss ?? 'mse';
  const config: AutoencoderConfig = {
    architecture: options.architecture ?? 'dense',
    layers: listOption(options.layers, [784, 500, 500, 2000, 10], 'layers', 'Autoencoder'),
    convChannels: listOption(options.convChannels, [32, 64], 'convChannels', 'Autoencoder'),
    codeSize: options.codeSize ?? 10,
    codeActivation: options.codeActivation ?? 'linear',
    loss,
    outputActivation: options.outputActivation ?? (loss === 'mse' ? 'linear' : 'sigmoid'),
    denoise: { ...(options.denoise ?? {}) },
    cutoff: options.cutoff,
    seed,
  };
  checkChoiceOption(config.architecture, 'architecture', AUTOENCODER_OPTION_TABLE.architecture, 'Autoencoder');
  if (config.architecture === 'dense') validateWidths(config.layers, 'Autoencoder');
  else validateWidths([1, ...config.convChannels, config.codeSize], 'Autoencoder (conv)');
  for (const key of ['codeActivation', 'outputActivation'] as const) {
    if (!ACTIVATIONS.includes(config[key])) throw new Error(`Autoencoder: ${key} must be one of ${ACTIVATIONS.join(', ')}, got '${String(config[key])}'.`);
  }
  if (loss !== 'mse' && loss !== 'binaryCrossEntropy') throw new Error(`Autoencoder: loss must be 'mse' or 'binaryCrossEntropy', got '${String(loss)}'.`);
  validateNoise(config.denoise, 'Autoencoder');
  if (config.cutoff !== undefined && !(config.cutoff >= 0)) throw new Error(`Autoencoder: cutoff must be ≥ 0, got ${config.cutoff}.`);
  return config;
}

/** Autoencoder's training defaults (what `fit` uses when not told); the CLI's defaults read them. */
export const AUTOENCODER_FIT_DEFAULTS = { epochs: 10, batchSize: 256, learningRate: 1e-3 } as const satisfies FitDefaults;

/**
 * An autoencoder for representation learning: dense (stacked, with greedy layer-wise
 * pretraining) or convolutional, optionally denoising. Its codes feed k-means, probes or an
 * {@link AutoencoderClassifier}.
 *
 * Greedy pretraining (Bengio et al. 2007; Vincent et al. 2010; DEC, Xie et al. 2016): train a
 * shallow autoencoder a → b → a on the input, freeze it, train the next on its codes, and so on;
 * then the encoders stacked and the decoders stacked in reverse form the deep autoencoder, which
 * {@link fit} fine-tunes end to end.
 *
 * @example
 * const ae = new Autoencoder({ layers: [784, 500, 500, 2000, 10], denoise: { masking: 0.2 } });
 * await ae.pretrainGreedy(train, { epochsPerLayer: 5 });
 * await ae.fit(train, { epochs: 20 });
 * const codes = await ae.encode(test); // { data: Float32Array, rows, cols: 10 }
 */
export class Autoencoder extends ImageMethod {
  /** The name saved methods carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'Autoencoder';
  readonly name = Autoencoder.methodName;
  override readonly config: AutoencoderConfig;
  protected override defaultEpochs: number = AUTOENCODER_FIT_DEFAULTS.epochs;
  protected override defaultBatchSize: number = AUTOENCODER_FIT_DEFAULTS.batchSize;
  protected override defaultLearningRate: number = AUTOENCODER_FIT_DEFAULTS.learningRate;
  /** The encoder (input → code), once built. */
  encoder: tf.Sequential | undefined;
  /** The decoder (code → reconstruction, flattened for `dense`), once built. */
  decoder: tf.Sequential | undefined;
  /** During greedy pretraining: the index of the shallow autoencoder being trained. */
  private greedyLayer: number | undefined;
  private greedyNoise: NoiseOptions | undefined;

  constructor(options: AutoencoderOptions = {}) {
    super(options);
    this.config = resolveAutoencoderConfig({ ...options, seed: this.seed });
  }

  /** Width of the code. */
  get codeSize(): number {
    return this.config.architecture === 'dense' ? this.config.layers[this.config.layers.length - 1] : this.config.codeSize;
  }

  protected override build(dataset: ImageDataset): void {
    const shape = dataset.shape;
    const inputSize = shape[0] * shape[1] * shape[2];
    const { architecture, layers, seed } = this.config;
    if (architecture === 'dense' && layers[0] !== inputSize) {
      throw new Error(`Autoencoder: layers[0] is ${layers[0]} but the images have ${shape.join('x')} = ${inputSize} values; set layers[0] = ${inputSize}.`);
    }
    if (architecture === 'conv') {
      const factor = 2 ** this.config.convChannels.length;
      if (shape[0] % factor !== 0 || shape[1] % factor !== 0) {
        throw new Error(`Autoencoder (conv): image sides ${shape[0]}x${shape[1]} must be divisible by ${factor} for ${this.config.convChannels.length} stride-2 layers.`);
      }
    }
    const built = architecture === 'dense' ? this.buildDense() : this.buildConv(shape, seed);
    this.encoder = built.encoder;
    this.decoder = built.decoder;
  }

  private buildDense(): { encoder: tf.Sequential; decoder: tf.Sequential } {
    const { layers, seed, codeActivation, outputActivation } = this.config;
    const depth = layers.length - 1;
    const encoder = tf.sequential({ name: 'encoder' });
    const decoder = tf.sequential({ name: 'decoder' });
    for (let i = 0; i < depth; i++) {
      encoder.add(
        tf.layers.dense({
          units: layers[i + 1],
          inputShape: i === 0 ? [layers[0]] : undefined,
          activation: i === depth - 1 ? codeActivation : 'relu',
          kernelInitializer: seededKernelInitializer(seed, i),
          name: `encoder_dense${i}`,
        }),
      );
    }
    // Decoder layer i maps layers[i + 1] → layers[i]; they run from the code outwards.
    for (let i = depth - 1; i >= 0; i--) {
      decoder.add(
        tf.layers.dense({
          units: layers[i],
          inputShape: i === depth - 1 ? [layers[depth]] : undefined,
          activation: i === 0 ? outputActivation : 'relu',
          kernelInitializer: seededKernelInitializer(seed, 100 + i),
          name: `decoder_dense${i}`,
        }),
      );
    }
    return { encoder, decoder };
  }

  private buildConv(shape: [number, number, number], seed: number): { encoder: tf.Sequential; decoder: tf.Sequential } {
    const { convChannels, codeSize, codeActivation, outputActivation } = this.config;
    const encoder = tf.sequential({ name: 'encoder' });
    convChannels.forEach((filters, i) => {
      encoder.add(
        tf.layers.conv2d({
          ...(i === 0 ? { inputShape: shape } : {}),
          filters,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: seededHeInitializer(seed, i),
          name: `encoder_conv${i}`,
        }),
      );
    });
    encoder.add(tf.layers.flatten({ name: 'encoder_flatten' }));
    encoder.add(tf.layers.dense({ units: codeSize, activation: codeActivation, kernelInitializer: seededKernelInitializer(seed, 50), name: 'encoder_code' }));
    const factor = 2 ** convChannels.length;
    const [h, w] = [shape[0] / factor, shape[1] / factor];
    const last = convChannels[convChannels.length - 1];
    const decoder = tf.sequential({ name: 'decoder' });
    decoder.add(tf.layers.dense({ inputShape: [codeSize], units: h * w * last, activation: 'relu', kernelInitializer: seededHeInitializer(seed, 60), name: 'decoder_dense' }));
    decoder.add(tf.layers.reshape({ targetShape: [h, w, last], name: 'decoder_reshape' }));
    for (let i = convChannels.length - 1; i >= 0; i--) {
      const filters = i === 0 ? shape[2] : convChannels[i - 1];
      decoder.add(
        tf.layers.conv2dTranspose({
          filters,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: i === 0 ? outputActivation : 'relu',
          kernelInitializer: seededHeInitializer(seed, 70 + i),
          name: `decoder_deconv${i}`,
        }),
      );
    }
    return { encoder, decoder };
  }

  protected override batchInputs(dataset: ImageDataset, indices: Int32Array): tf.Tensor {
    const images = super.batchInputs(dataset, indices);
    if (this.config.architecture === 'conv') return images;
    const flat = images.reshape([indices.length, -1]);
    images.dispose();
    return flat;
  }

  private reconstructionLoss(target: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
    const cutoff = this.config.cutoff;
    return this.config.loss === 'mse' ? mseLoss(target, reconstruction, { cutoff }) : binaryCrossEntropyLoss(target, reconstruction, { cutoff });
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const encoder = this.encoder!;
    const decoder = this.decoder!;
    if (this.greedyLayer !== undefined) {
      const s = this.greedyLayer;
      const encoderLayers = encoder.layers;
      const decoderLayer = decoder.layers[decoder.layers.length - 1 - s];
      // Frozen layers below the one being trained give its (clean) input and target.
      let h: tf.Tensor = batch.inputs;
      for (let i = 0; i < s; i++) h = encoderLayers[i].apply(h) as tf.Tensor;
      const noisy = addNoise(h, this.greedyNoise ?? {}, batch.seed);
      const code = encoderLayers[s].apply(noisy, { training: true }) as tf.Tensor;
      const reconstruction = decoderLayer.apply(code, { training: true }) as tf.Tensor;
      // The first shallow autoencoder reconstructs pixels with the chosen loss; deeper ones
      // reconstruct ReLU features, for which squared error is the natural loss.
      return s === 0 ? this.reconstructionLoss(h, reconstruction) : mseLoss(h, reconstruction);
    }
    const noisy = addNoise(batch.inputs, this.config.denoise, batch.seed);
    const code = encoder.apply(noisy, { training: true }) as tf.Tensor;
    const reconstruction = decoder.apply(code, { training: true }) as tf.Tensor;
    return this.reconstructionLoss(batch.inputs, reconstruction);
  }

  protected override parameterGroups(): ParameterGroup[] {
    const variablesOf = (layers: tf.layers.Layer[]) => trainableVariablesOf(...layers);
    if (this.greedyLayer !== undefined) {
      const s = this.greedyLayer;
      const decoder = this.decoder!;
      return [{ name: `greedy${s}`, variables: variablesOf([this.encoder!.layers[s], decoder.layers[decoder.layers.length - 1 - s]]) }];
    }
    return [{ name: 'all', variables: variablesOf([...this.encoder!.layers, ...this.decoder!.layers]) }];
  }

  /**
   * Greedy layer-wise pretraining of a dense autoencoder: for each layer in turn, a shallow
   * autoencoder (that layer's encoder and its mirrored decoder layer) is trained to reconstruct
   * its input, the output of the frozen layers below it. Only that pair's weights change.
   * Afterwards call {@link fit} to fine-tune the stacked autoencoder end to end.
   *
   * @returns the epoch logs of every shallow autoencoder, with `layer` set in each.
   */
  async pretrainGreedy(dataset: ImageDataset, options: GreedyPretrainingOptions = {}): Promise<EpochLogs[]> {
    options = readOptions(options, 'Autoencoder.pretrainGreedy');
    if (this.config.architecture !== 'dense') throw new Error('Autoencoder.pretrainGreedy: greedy layer-wise pretraining is for the dense architecture.');
    const { epochsPerLayer = 5, denoise, ...fitOptions } = options;
    if (!Number.isInteger(epochsPerLayer) || epochsPerLayer < 0) throw new Error(`Autoencoder.pretrainGreedy: epochsPerLayer must be a non-negative integer, got ${String(epochsPerLayer)}.`);
    if (denoise !== undefined) validateNoise(denoise, 'Autoencoder.pretrainGreedy');
    this.validate(dataset, 'pretrainGreedy');
    this.ensureBuilt(dataset);
    const logs: EpochLogs[] = [];
    const depth = this.config.layers.length - 1;
    try {
      this.greedyNoise = denoise ?? this.config.denoise;
      for (let s = 0; s < depth; s++) {
        this.greedyLayer = s;
        const ran = await this.fit(dataset, { ...fitOptions, epochs: epochsPerLayer, seed: (fitOptions.seed ?? this.seed) + 1000 * (s + 1) });
        for (const l of ran) l.layer = s;
        logs.push(...ran);
      }
    } finally {
      this.greedyLayer = undefined;
      this.greedyNoise = undefined;
    }
    return logs;
  }

  protected override encodeBatch(inputs: tf.Tensor): tf.Tensor {
    return this.encoder!.apply(inputs, { training: false }) as tf.Tensor;
  }

  /** Reconstructions of every row, flattened to [n, h·w·c], in batches. */
  async reconstruct(input: ImageDataset | tf.Tensor, options: { batchSize?: number } = {}): Promise<FeatureMatrix> {
    this.requireBuilt('reconstruct');
    options = readOptions(options, 'Autoencoder.reconstruct');
    const data = await this.inferenceData(input, 'reconstruct');
    return this.mapBatches(data, (x) => this.decoder!.apply(this.encoder!.apply(x, { training: false }), { training: false }) as tf.Tensor, options.batchSize);
  }

  /**
   * Per-sample reconstruction error of every row (the training loss's per-sample term: mean
   * squared error, or binary cross-entropy), e.g. as an anomaly score.
   */
  async reconstructionErrors(input: ImageDataset | tf.Tensor, options: { batchSize?: number } = {}): Promise<Float32Array> {
    this.requireBuilt('reconstructionErrors');
    options = readOptions(options, 'Autoencoder.reconstructionErrors');
    const data = await this.inferenceData(input, 'reconstructionErrors');
    const errors = await this.mapBatches(
      data,
      (x) => {
        const reconstruction = this.decoder!.apply(this.encoder!.apply(x, { training: false }), { training: false }) as tf.Tensor;
        const e = this.config.loss === 'mse' ? perSampleSquaredError(x, reconstruction) : perSampleBinaryCrossEntropy(x, reconstruction);
        return e.expandDims(1);
      },
      options.batchSize,
    );
    return errors.data;
  }

  /**
   * The portable model `save` writes (`inference.json`): raw images [n, h, w, c] in [0, 1] in, the
   * codes (what {@link embed} returns) out; standard TF.js layers only.
   */
  protected override async inferenceModel(): Promise<tf.LayersModel> {
    return buildInferenceModel({ inputShape: this.inputShape!, backbone: this.encoder!, name: 'autoencoder_inference' });
  }

  protected override models(): Record<string, tf.LayersModel | undefined> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  protected override restore({ models }: SavedModels): void {
    this.encoder = models.encoder as tf.Sequential;
    this.decoder = models.decoder as tf.Sequential;
  }
}
