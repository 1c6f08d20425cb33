import * as tf from '@tensorflow/tfjs';

import type { ImageDataset } from '../data/dataset.js';
import { checkDatasetStructure, datasetFromTensor, subset, validateDataset } from '../data/dataset.js';
import { reconstructionErrorLayers, standardLayersCopy, writeInferenceModel } from '../train/inference_model.js';
import { resolveModelStore } from '../train/model_store.js';
import type { ModelStore } from '../train/model_store.js';
import { readMethodFile, writeMethodFile } from '../train/saved_method.js';
import type { EpochLogs, FitOptions, JsonObject } from '../train/unsupervised_method.js';
import { Autoencoder } from './autoencoder.js';
import type { AutoencoderOptions } from './autoencoder.js';
import { checkImageTensor, checkNumber, describeArgument } from '../data/checks.js';
import { readOptions } from '../data/options.js';

/** Options of {@link AutoencoderClassifier}. */
export interface AutoencoderClassifierOptions {
  /** Options of every per-class autoencoder. Default: a small dense one, `[d, 128, 32]` for d inputs. */
  autoencoder?: AutoencoderOptions;
  /** Softmax temperature over negative reconstruction errors: p_c ∝ exp(−e_c / T). Default 0.01 (MSE on pixels). */
  temperature?: number;
}

/** Options of {@link AutoencoderClassifier.fit}: the autoencoders' fit options, and which classes to train. */
export interface AutoencoderClassifierFitOptions extends FitOptions {
  /** The classes to train (each must have samples). Default: every class present in the labels. */
  classes?: number[];
}

/** Labels of a tensor of images: one integer class per image, as an array or a 1-D tensor. */
export type ImageLabels = ArrayLike<number> | tf.Tensor;

/** Class probabilities, decisions and anomaly scores of {@link AutoencoderClassifier.score}. */
export interface AutoencoderClassifierScores {
  /** The classes, in the column order of `errors` and `probabilities`. */
  classes: number[];
  /** Reconstruction error of every sample under every class's autoencoder, row-major [n, classes]. */
  errors: Float32Array;
  /** Softmax over −error / temperature, row-major [n, classes]. */
  probabilities: Float32Array;
  /** The class whose autoencoder reconstructs each sample best. */
  predictions: Int32Array;
  /** The smallest reconstruction error of each sample: high means unlike every known class. */
  anomalyScores: Float32Array;
}

/** `[h, w, c]` as `h×w×c`, for messages. */
function describeShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** A dataset from a tensor of images [n, h, w, c] (and labels), checked; errors name `context`. */
async function tensorDataset(images: tf.Tensor, labels: ImageLabels | undefined, context: string): Promise<ImageDataset> {
  checkImageTensor(images, context);
  let dataset: ImageDataset;
  try {
    dataset = await datasetFromTensor(images, { labels });
  } catch (error) {
    throw new Error(`${context}: ${(error as Error).message.replace(/^datasetFromTensor: /, '')}`, { cause: error });
  }
  validateDataset(dataset, context);
  return dataset;
}

/**
 * One autoencoder per class: a sample belongs to the class whose autoencoder reconstructs it best
 * (softmax over negative reconstruction errors gives probabilities), and a sample that no
 * autoencoder reconstructs well is an anomaly (score = the smallest error). Each class's
 * autoencoder is independent: retraining one leaves the others untouched.
 *
 * It trains on an {@link ImageDataset} with labels, or on a tensor of images [n, h, w, c] in
 * [0, 1] with their labels; it scores either. `save` also writes a portable inference model
 * (`inference.json`) that plain `tf.loadLayersModel` serves: raw images in, the reconstruction
 * error under every class's autoencoder and the class probabilities out.
 *
 * @example
 * const classifier = new AutoencoderClassifier({ autoencoder: { layers: [784, 64, 16] } });
 * await classifier.fit(images, labels, { epochs: 5 }); // images: tf.Tensor4D, labels: Int32Array
 * const { predictions, anomalyScores } = await classifier.score(testImages);
 */
export class AutoencoderClassifier {
  /** The name saved classifiers carry (fixed: a bundler may rename the class). */
  static readonly methodName = 'AutoencoderClassifier';
  readonly temperature: number;
  private readonly autoencoderOptions: AutoencoderOptions;
  private readonly members = new Map<number, Autoencoder>();
  /** The images' `[h, w, c]` that the autoencoders were trained on, once one was. */
  private imageShape: [number, number, number] | undefined;

  constructor(options: AutoencoderClassifierOptions = {}) {
    options = readOptions(options, 'AutoencoderClassifier');
    this.temperature = options.temperature ?? 0.01;
    if (!(this.temperature > 0)) throw new Error(`AutoencoderClassifier: temperature must be positive, got ${this.temperature}.`);
    this.autoencoderOptions = { ...readOptions(options.autoencoder, 'AutoencoderClassifier: autoencoder') };
  }

  /** The classes that have an autoencoder, ascending. */
  get classes(): number[] {
    return [...this.members.keys()].sort((a, b) => a - b);
  }

  /** The autoencoder of one class. */
  autoencoderOf(classId: number): Autoencoder {
    const ae = this.members.get(classId);
    if (ae === undefined) throw new Error(`AutoencoderClassifier: no autoencoder for class ${classId}; classes: ${this.classes.join(', ') || 'none'}.`);
    return ae;
  }

  private newAutoencoder(dataset: ImageDataset, classId: number): Autoencoder {
    const d = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
    const options: AutoencoderOptions = { layers: [d, 128, 32], ...this.autoencoderOptions };
    return new Autoencoder({ ...options, seed: (options.seed ?? 0) + classId });
  }

  /**
   * The labelled training data of a `fit` / `fitClass`: a dataset with labels as it is, or a
   * tensor of images [n, h, w, c] with its labels (read and copied; neither is disposed).
   */
  private async labelledData(input: ImageDataset | tf.Tensor, labels: ImageLabels | undefined, context: string): Promise<ImageDataset> {
    if (input instanceof tf.Tensor) {
      checkImageTensor(input, context);
      if (labels === undefined) throw new Error(`${context}: a tensor of images needs its labels (one integer class per image, an array or a 1-D tensor) as the second argument.`);
      if (!(labels instanceof tf.Tensor) && !Array.isArray(labels) && !ArrayBuffer.isView(labels)) throw new Error(`${context}: labels must be an array or a 1-D tensor of integer classes, got ${describeArgument(labels)}.`);
      if (labels instanceof tf.Tensor && labels.isDisposed) throw new Error(`${context}: labels is a disposed tensor.`);
      return tensorDataset(input, labels, context);
    }
    if (labels !== undefined) throw new Error(`${context}: labels go with a tensor of images; a dataset carries its own (dataset.labels), so pass the options as the second argument.`);
    checkDatasetStructure(input, context);
    if (input.labels === undefined) throw new Error(`${context}: the dataset has no labels.`);
    return input;
  }

  /** Checks that images of `shape` fit the autoencoders kept besides those of `replaced` (retrained ones may change shape). */
  private checkShape(shape: readonly number[], replaced: readonly number[], context: string): void {
    const others = this.classes.filter((c) => !replaced.includes(c));
    if (others.length > 0 && this.imageShape !== undefined && shape.join() !== this.imageShape.join()) {
      throw new Error(`${context}: the autoencoders of classes ${others.join(', ')} take images of ${describeShape(this.imageShape)}, got ${describeShape(shape)}; train every class on images of one shape (fit all classes again to change it).`);
    }
  }

  /**
   * Trains (or retrains from scratch) the autoencoder of `classId` on the samples of `dataset`
   * labelled `classId`. Other classes' autoencoders are not touched.
   */
  async fitClass(classId: number, dataset: ImageDataset, options?: FitOptions): Promise<EpochLogs[]>;
  /**
   * Trains (or retrains from scratch) the autoencoder of `classId` on the images [n, h, w, c]
   * (values in [0, 1]) labelled `classId`.
   */
  async fitClass(classId: number, images: tf.Tensor, labels: ImageLabels, options?: FitOptions): Promise<EpochLogs[]>;
  async fitClass(classId: number, input: ImageDataset | tf.Tensor, labelsOrOptions?: ImageLabels | FitOptions, maybeOptions?: FitOptions): Promise<EpochLogs[]> {
    const context = 'AutoencoderClassifier.fitClass';
    checkNumber(classId, 'classId', context, { integer: true });
    const [labels, options] = input instanceof tf.Tensor ? [labelsOrOptions as ImageLabels | undefined, maybeOptions] : [undefined, labelsOrOptions as FitOptions | undefined];
    const fitOptions = readOptions(options, context);
    const dataset = await this.labelledData(input, labels, context);
    this.checkShape(dataset.shape, [classId], context);
    return this.trainClass(classId, dataset, fitOptions, context);
  }

  private async trainClass(classId: number, dataset: ImageDataset, options: FitOptions, context: string): Promise<EpochLogs[]> {
    const rows: number[] = [];
    dataset.labels!.forEach((label, i) => {
      if (label === classId) rows.push(i);
    });
    if (rows.length === 0) throw new Error(`${context}: no sample of class ${classId} in the dataset.`);
    const members = subset(dataset, Int32Array.from(rows));
    const ae = this.newAutoencoder(dataset, classId);
    let logs: EpochLogs[];
    try {
      logs = await ae.fit(members, options);
    } catch (error) {
      ae.dispose();
      throw error;
    }
    this.members.get(classId)?.dispose();
    this.members.set(classId, ae);
    this.imageShape = [...dataset.shape];
    return logs;
  }

  /** Trains one autoencoder per class present in `dataset.labels` (or only `options.classes`). */
  async fit(dataset: ImageDataset, options?: AutoencoderClassifierFitOptions): Promise<Map<number, EpochLogs[]>>;
  /**
   * Trains one autoencoder per class on a tensor of images [n, h, w, c] (values in [0, 1]) and
   * their labels (an array or a 1-D tensor of integer classes, one per image). Neither is disposed.
   *
   * @throws on a tensor that is not [n, h, w, c], missing labels, labels of another count or not integers.
   */
  async fit(images: tf.Tensor, labels: ImageLabels, options?: AutoencoderClassifierFitOptions): Promise<Map<number, EpochLogs[]>>;
  async fit(input: ImageDataset | tf.Tensor, labelsOrOptions?: ImageLabels | AutoencoderClassifierFitOptions, maybeOptions?: AutoencoderClassifierFitOptions): Promise<Map<number, EpochLogs[]>> {
    const context = 'AutoencoderClassifier.fit';
    const isTensor = input instanceof tf.Tensor;
    const labels = isTensor ? (labelsOrOptions as ImageLabels | undefined) : undefined;
    if (!isTensor && labelsOrOptions !== undefined && (labelsOrOptions instanceof tf.Tensor || Array.isArray(labelsOrOptions) || ArrayBuffer.isView(labelsOrOptions))) {
      throw new Error(`${context}: labels go with a tensor of images; a dataset carries its own (dataset.labels), so pass the options as the second argument.`);
    }
    const options = readOptions((isTensor ? maybeOptions : labelsOrOptions) as AutoencoderClassifierFitOptions | undefined, context);
    const dataset = await this.labelledData(input, labels, context);
    const { classes = [...new Set(dataset.labels!)].sort((a, b) => a - b), ...fitOptions } = options;
    if (!Array.isArray(classes)) throw new Error(`${context}: classes must be an array of integer classes, got ${describeArgument(classes)}.`);
    classes.forEach((classId, i) => checkNumber(classId, `classes[${i}]`, context, { integer: true }));
    this.checkShape(dataset.shape, classes, context);
    const logs = new Map<number, EpochLogs[]>();
    for (const classId of classes) logs.set(classId, await this.trainClass(classId, dataset, fitOptions, context));
    return logs;
  }

  /**
   * Reconstruction errors under every class's autoencoder, class probabilities, predictions and
   * anomaly scores, of a dataset or a tensor of images [n, h, w, c] (not disposed).
   */
  async score(input: ImageDataset | tf.Tensor): Promise<AutoencoderClassifierScores> {
    const context = 'AutoencoderClassifier.score';
    const dataset = input instanceof tf.Tensor ? await tensorDataset(input, undefined, context) : input;
    if (!(input instanceof tf.Tensor)) validateDataset(dataset, context);
    const classes = this.classes;
    if (classes.length === 0) throw new Error(`${context}: no class has been trained; call fit() first.`);
    const n = dataset.size;
    const k = classes.length;
    const errors = new Float32Array(n * k);
    for (let c = 0; c < k; c++) {
      const e = await this.members.get(classes[c])!.reconstructionErrors(dataset);
      for (let i = 0; i < n; i++) errors[i * k + c] = e[i];
    }
    const probabilities = new Float32Array(n * k);
    const predictions = new Int32Array(n);
    const anomalyScores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (errors[i * k + c] < errors[i * k + best]) best = c;
      const minimum = errors[i * k + best];
      let total = 0;
      for (let c = 0; c < k; c++) {
        const p = Math.exp(-(errors[i * k + c] - minimum) / this.temperature);
        probabilities[i * k + c] = p;
        total += p;
      }
      for (let c = 0; c < k; c++) probabilities[i * k + c] /= total;
      predictions[i] = classes[best];
      anomalyScores[i] = minimum;
    }
    return { classes, errors, probabilities, predictions, anomalyScores };
  }

  /** The most likely class of every sample (of a dataset or a tensor of images). */
  async predict(input: ImageDataset | tf.Tensor): Promise<Int32Array> {
    return (await this.score(input)).predictions;
  }

  /** The anomaly score of every sample (of a dataset or a tensor of images): its smallest reconstruction error over all classes. */
  async anomalyScore(input: ImageDataset | tf.Tensor): Promise<Float32Array> {
    return (await this.score(input)).anomalyScores;
  }

  /**
   * The portable inference model `save` writes (`inference.json`): raw images [n, h, w, c] in
   * [0, 1] in; out, first the reconstruction error of every image under every class's autoencoder
   * `[n, classes]` (the `errors` of {@link score}), then the class probabilities `[n, classes]`
   * (softmax of −error / temperature); columns in the order of {@link classes}. Standard TF.js
   * layers only: every class's encoder and decoder (their layers prefixed `class_<c>_`), the errors
   * as Rescaling, Add, Multiply and Dense layers. `undefined` when no class is trained, or for
   * autoencoders trained with binary cross-entropy on an output other than a sigmoid (a logarithm
   * has no standard layer). A new model, which the caller disposes.
   */
  async inferenceModel(): Promise<tf.LayersModel | undefined> {
    const classes = this.classes;
    if (classes.length === 0 || this.imageShape === undefined) return undefined;
    const configs = classes.map((c) => this.members.get(c)!.config);
    if (configs.some((config) => config.loss === 'binaryCrossEntropy' && config.outputActivation !== 'sigmoid')) return undefined;
    const copies: tf.LayersModel[] = [];
    try {
      const images = tf.input({ shape: this.imageShape, name: 'classifier_images' });
      const flatImages = tf.layers.flatten({ name: 'classifier_flat_images' }).apply(images) as tf.SymbolicTensor;
      const errors: tf.SymbolicTensor[] = [];
      for (const [i, classId] of classes.entries()) {
        const member = this.members.get(classId)!;
        const fromLogits = configs[i].loss === 'binaryCrossEntropy';
        const prefix = `class_${classId}_`;
        const encoder = await standardLayersCopy(member.encoder!, `${prefix}encoder`, { layerPrefix: prefix });
        copies.push(encoder);
        const decoder = await standardLayersCopy(member.decoder!, `${prefix}decoder`, { layerPrefix: prefix, linearOutput: fromLogits });
        copies.push(decoder);
        const encoderInput = configs[i].architecture === 'dense' ? flatImages : images;
        let reconstruction = decoder.apply(encoder.apply(encoderInput)) as tf.SymbolicTensor;
        if (reconstruction.rank > 2) reconstruction = tf.layers.flatten({ name: `${prefix}flat_reconstruction` }).apply(reconstruction) as tf.SymbolicTensor;
        errors.push(reconstructionErrorLayers(flatImages, reconstruction, fromLogits ? 'binaryCrossEntropyFromLogits' : 'mse', `${prefix}error`));
      }
      const allErrors = errors.length === 1 ? tf.layers.activation({ activation: 'linear', name: 'reconstruction_errors' }).apply(errors[0]) : tf.layers.concatenate({ name: 'reconstruction_errors' }).apply(errors);
      const scaled = tf.layers.rescaling({ scale: -1 / this.temperature, offset: 0, name: 'negative_errors_over_temperature' }).apply(allErrors) as tf.SymbolicTensor;
      const probabilities = tf.layers.activation({ activation: 'softmax', name: 'class_probabilities' }).apply(scaled) as tf.SymbolicTensor;
      return tf.model({ inputs: images, outputs: [allErrors as tf.SymbolicTensor, probabilities], name: 'autoencoder_classifier_inference' });
    } catch (error) {
      for (const copy of copies) copy.dispose();
      throw error;
    }
  }

  /**
   * Saves every class's autoencoder under `class_<c>/` of a folder (a path or a `file://` URL), a
   * browser's storage or a {@link ModelStore}, a method JSON (the temperature, the autoencoders'
   * options, the images' shape, the classes), and the portable inference model
   * (`inference.json`, see {@link inferenceModel}; not built when the store skips it, see
   * {@link ModelStore.skipsInferenceModel}).
   */
  async save(target: string | ModelStore): Promise<void> {
    const store = resolveModelStore(target, 'AutoencoderClassifier.save');
    for (const classId of this.classes) await this.members.get(classId)!.save(store.child(`class_${classId}`));
    await writeInferenceModel(store, () => this.inferenceModel());
    const config = JSON.parse(JSON.stringify({ temperature: this.temperature, autoencoder: this.autoencoderOptions })) as JsonObject;
    await writeMethodFile(store, { method: AutoencoderClassifier.methodName, config, inputShape: this.imageShape ?? null, epochsTrained: 0, globalStep: 0, state: { classes: this.classes } }, {});
  }

  /** Loads a classifier written by {@link save} (or by earlier versions of this library). */
  static async load(source: string | ModelStore): Promise<AutoencoderClassifier> {
    const store = resolveModelStore(source, 'AutoencoderClassifier.load');
    const saved = await readMethodFile(store, AutoencoderClassifier.methodName);
    // Version 1 kept the temperature beside the classes.
    const temperature = (saved.config.temperature ?? saved.state.temperature) as number;
    const classifier = new AutoencoderClassifier({ temperature, autoencoder: (saved.config.autoencoder ?? {}) as AutoencoderOptions });
    try {
      const classes = saved.state.classes as number[];
      for (const classId of classes) classifier.members.set(classId, await Autoencoder.load(store.child(`class_${classId}`)));
      // Saved before the classifier recorded the images' shape: its autoencoders' method files have it.
      const shape = saved.inputShape ?? (classes.length > 0 ? (await readMethodFile(store.child(`class_${classes[0]}`), Autoencoder.methodName)).inputShape : null);
      if (Array.isArray(shape)) classifier.imageShape = shape as [number, number, number];
    } catch (error) {
      classifier.dispose();
      throw new Error(`AutoencoderClassifier.load: ${(error as Error).message}`, { cause: error });
    }
    return classifier;
  }

  /** Frees every autoencoder. */
  dispose(): void {
    for (const ae of this.members.values()) ae.dispose();
    this.members.clear();
  }
}
