import type { ImageDataset } from '../data/dataset.js';
import { subset } from '../data/dataset.js';
import { resolveModelStore } from '../train/model_store.js';
import type { ModelStore } from '../train/model_store.js';
import { readMethodFile, writeMethodFile } from '../train/saved_method.js';
import type { EpochLogs, FitOptions, JsonObject } from '../train/unsupervised_method.js';
import { Autoencoder } from './autoencoder.js';
import type { AutoencoderOptions } from './autoencoder.js';
import { checkNumber } from '../data/checks.js';
import { readOptions } from '../data/options.js';
import { checkDatasetStructure, validateDataset } from '../data/dataset.js';

/** Options of {@link AutoencoderClassifier}. */
export interface AutoencoderClassifierOptions {
  /** Options of every per-class autoencoder. Default: a small dense one, `[d, 128, 32]` for d inputs. */
  autoencoder?: AutoencoderOptions;
  /** Softmax temperature over negative reconstruction errors: p_c ∝ exp(−e_c / T). Default 0.01 (MSE on pixels). */
  temperature?: number;
}

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

/**
 * One autoencoder per class: a sample belongs to the class whose autoencoder reconstructs it best
 * (softmax over negative reconstruction errors gives probabilities), and a sample that no
 * autoencoder reconstructs well is an anomaly (score = the smallest error). Each class's
 * autoencoder is independent: retraining one leaves the others untouched.
 */
export class AutoencoderClassifier {
  readonly temperature: number;
  private readonly autoencoderOptions: AutoencoderOptions;
  private readonly members = new Map<number, Autoencoder>();

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
   * Trains (or retrains from scratch) the autoencoder of `classId` on the samples of `dataset`
   * labelled `classId`. Other classes' autoencoders are not touched.
   */
  async fitClass(classId: number, dataset: ImageDataset, options: FitOptions = {}): Promise<EpochLogs[]> {
    checkNumber(classId, 'classId', 'AutoencoderClassifier.fitClass', { integer: true });
    checkDatasetStructure(dataset, 'AutoencoderClassifier.fitClass');
    if (dataset.labels === undefined) throw new Error('AutoencoderClassifier.fitClass: the dataset has no labels.');
    const rows: number[] = [];
    dataset.labels.forEach((label, i) => {
      if (label === classId) rows.push(i);
    });
    if (rows.length === 0) throw new Error(`AutoencoderClassifier.fitClass: no sample of class ${classId} in the dataset.`);
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
    return logs;
  }

  /** Trains one autoencoder per class present in `dataset.labels` (or only `classes`). */
  async fit(dataset: ImageDataset, options: FitOptions & { classes?: number[] } = {}): Promise<Map<number, EpochLogs[]>> {
    options = readOptions(options, 'AutoencoderClassifier.fit');
    checkDatasetStructure(dataset, 'AutoencoderClassifier.fit');
    if (dataset.labels === undefined) throw new Error('AutoencoderClassifier.fit: the dataset has no labels.');
    const { classes = [...new Set(dataset.labels)].sort((a, b) => a - b), ...fitOptions } = options;
    const logs = new Map<number, EpochLogs[]>();
    for (const classId of classes) logs.set(classId, await this.fitClass(classId, dataset, fitOptions));
    return logs;
  }

  /** Reconstruction errors under every class's autoencoder, class probabilities, predictions and anomaly scores. */
  async score(dataset: ImageDataset): Promise<AutoencoderClassifierScores> {
    validateDataset(dataset, 'AutoencoderClassifier.score');
    const classes = this.classes;
    if (classes.length === 0) throw new Error('AutoencoderClassifier.score: no class has been trained; call fit() first.');
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

  /** The most likely class of every sample. */
  async predict(dataset: ImageDataset): Promise<Int32Array> {
    return (await this.score(dataset)).predictions;
  }

  /** The anomaly score of every sample: its smallest reconstruction error over all classes. */
  async anomalyScore(dataset: ImageDataset): Promise<Float32Array> {
    return (await this.score(dataset)).anomalyScores;
  }

  /**
   * Saves every class's autoencoder under `class_<c>/` of a folder (or {@link ModelStore}) and a
   * method JSON (the temperature, the autoencoders' options, the classes).
   */
  async save(target: string | ModelStore): Promise<void> {
    const store = resolveModelStore(target, 'AutoencoderClassifier.save');
    for (const classId of this.classes) await this.members.get(classId)!.save(store.child(`class_${classId}`));
    const config = JSON.parse(JSON.stringify({ temperature: this.temperature, autoencoder: this.autoencoderOptions })) as JsonObject;
    await writeMethodFile(store, { method: 'AutoencoderClassifier', config, inputShape: null, epochsTrained: 0, globalStep: 0, state: { classes: this.classes } }, {});
  }

  /** Loads a classifier written by {@link save}. */
  static async load(source: string | ModelStore): Promise<AutoencoderClassifier> {
    const store = resolveModelStore(source, 'AutoencoderClassifier.load');
    const saved = await readMethodFile(store, 'AutoencoderClassifier');
    // Version 1 kept the temperature beside the classes.
    const temperature = (saved.config.temperature ?? saved.state.temperature) as number;
    const classifier = new AutoencoderClassifier({ temperature, autoencoder: (saved.config.autoencoder ?? {}) as AutoencoderOptions });
    try {
      for (const classId of saved.state.classes as number[]) classifier.members.set(classId, await Autoencoder.load(store.child(`class_${classId}`)));
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
