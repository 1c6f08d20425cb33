/**
 * Linear probe: a softmax classifier (multinomial logistic regression) trained on frozen features,
 * the standard way to score a self-supervised representation.
 */
import { type MatrixInput, toFloat64Matrix, toLabelArray } from '../cluster/matrix.js';
import { seededRandom } from '../core/random.js';
import { predictSoftmaxRegression, trainSoftmaxRegression } from './softmax_regression.js';
import { readOptions } from '../data/options.js';

/** Options of {@link linearProbe}. */
export interface LinearProbeOptions {
  /**
   * Passes over the training split. Default `10`. The number of Adam steps is
   * `epochs × ceil(rows / batchSize)`: small training sets need more epochs.
   */
  epochs?: number;
  /** Adam learning rate. Default `1e-3`. */
  learningRate?: number;
  /** Mini-batch size. Default `128`. */
  batchSize?: number;
  /**
   * L2 penalty on the weights (not the biases): the loss is the mean cross-entropy plus
   * `(l2 / 2)·‖W‖²`, so the gradient gets `l2·W` as with weight decay. Default `1e-4`.
   */
  l2?: number;
  /** Seed of the weight initialisation and of the mini-batch shuffling. Default `0`. */
  seed?: number;
  /**
   * Standardise every feature with the mean and standard deviation of the training split
   * (features constant on the training split are only centred). Default `true`.
   */
  standardize?: boolean;
  /** Number of classes. Default: the largest label in either split, plus one. */
  numClasses?: number;
}

/** The result of {@link linearProbe}. */
export interface LinearProbeResult {
  /** Accuracy on the test split (the probe's score). */
  accuracy: number;
  /** Accuracy on the training split (to spot under- or over-fitting). */
  trainAccuracy: number;
  /** Predicted class of every test row. */
  predictions: Int32Array;
  /** Number of classes of the classifier. */
  numClasses: number;
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`linearProbe: ${name} must be a positive integer, got ${value}.`);
}

function accuracyOf(predictions: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

/**
 * Trains a softmax classifier on frozen features of the training split only (Adam, shuffled
 * mini-batches, seeded), then scores it on the test split. Runs in plain JavaScript (fused Adam
 * loops, `src/probes/softmax_regression.ts`): no tensors, and the same result on every backend.
 *
 * With the defaults, raw MNIST pixels (784 features in [0, 1]) reach about 0.926 accuracy on the
 * 10 000 test images when trained on the 60 000 training images, and about 0.91 when trained on
 * the first 10 000; on this project's 2-core machine, one epoch over 60 000 rows takes about
 * 0.7 s for raw pixels (81 % zeros, which the loops skip) and 0.3 s for 64-d features.
 *
 * @example
 * ```ts
 * const { accuracy } = await linearProbe(trainFeatures, trainLabels, testFeatures, testLabels);
 * ```
 * @param trainFeatures n × d training features (nested rows or `{ data, rows, cols }`).
 * @param trainLabels n class indices (non-negative integers).
 * @param testFeatures m × d test features.
 * @param testLabels m class indices.
 * @param options see {@link LinearProbeOptions}.
 * @returns test accuracy, training accuracy and the test predictions.
 * @throws on empty or non-finite features (naming the row), a feature-dimension mismatch between
 *   the splits, label counts that differ from the row counts, invalid labels or options.
 */
export async function linearProbe(
  trainFeatures: MatrixInput,
  trainLabels: ArrayLike<number>,
  testFeatures: MatrixInput,
  testLabels: ArrayLike<number>,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  options = readOptions(options, 'linearProbe', { epochs: 'number', learningRate: 'number', batchSize: 'number', seed: 'number', standardize: 'boolean', numClasses: 'number' });
  const { epochs = 10, learningRate = 1e-3, batchSize = 128, l2 = 1e-4, seed = 0, standardize = true } = options;
  const train = toFloat64Matrix(trainFeatures, 'linearProbe: trainFeatures');
  const test = toFloat64Matrix(testFeatures, 'linearProbe: testFeatures');
  if (train.cols !== test.cols) {
    throw new Error(`linearProbe: trainFeatures have ${train.cols} columns but testFeatures have ${test.cols}.`);
  }
  const yTrain = toLabelArray(trainLabels, train.rows, 'linearProbe: trainLabels');
  const yTest = toLabelArray(testLabels, test.rows, 'linearProbe: testLabels');
  checkPositiveInteger(epochs, 'epochs');
  checkPositiveInteger(batchSize, 'batchSize');
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`linearProbe: learningRate must be a finite number > 0, got ${learningRate}.`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new Error(`linearProbe: l2 must be a finite number ≥ 0, got ${l2}.`);
  let maxLabel = 0;
  for (const y of yTrain) if (y > maxLabel) maxLabel = y;
  for (const y of yTest) if (y > maxLabel) maxLabel = y;
  const numClasses = options.numClasses ?? maxLabel + 1;
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`linearProbe: numClasses must be an integer ≥ 2, got ${numClasses}.`);
  if (maxLabel >= numClasses) throw new Error(`linearProbe: label ${maxLabel} is out of range for numClasses = ${numClasses}.`);

  // Standardise with training-split statistics only.
  const { rows: n, cols: d } = train;
  const shift = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  if (standardize) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) shift[j] += train.data[i * d + j];
    for (let j = 0; j < d; j++) shift[j] /= n;
    const variance = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const diff = train.data[i * d + j] - shift[j];
        variance[j] += diff * diff;
      }
    }
    for (let j = 0; j < d; j++) {
      const std = Math.sqrt(variance[j] / n);
      scale[j] = std > 1e-12 ? 1 / std : 1;
    }
  }
  const trainRows = { data: train.data, rows: n, cols: d, shift, scale };
  const testRows = { data: test.data, rows: test.rows, cols: d, shift, scale };

  // Seeded N(0, 0.01²) weights and zero biases (the usual linear-evaluation initialisation): the
  // initial logits are near zero, so even a few steps point the classifier the right way.
  const model = await trainSoftmaxRegression(
    trainRows,
    yTrain,
    numClasses,
    { epochs, learningRate, batchSize, l2, random: seededRandom(seed, 'linearProbe') },
    // Let the event loop breathe between epochs.
    () => new Promise<void>((resolve) => setImmediate(resolve)),
  );
  const trainPredictions = predictSoftmaxRegression(trainRows, model);
  const predictions = predictSoftmaxRegression(testRows, model);
  return {
    accuracy: accuracyOf(predictions, yTest),
    trainAccuracy: accuracyOf(trainPredictions, yTrain),
    predictions,
    numClasses,
  };
}
