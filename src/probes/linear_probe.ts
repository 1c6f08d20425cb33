/**
 * Linear probe: a softmax classifier (multinomial logistic regression) trained on frozen features,
 * the standard way to score a self-supervised representation.
 */
import * as tf from '@tensorflow/tfjs';

import { type MatrixInput, toFloat64Matrix, toLabelArray } from '../cluster/matrix.js';
import { createRandom } from '../data/random.js';

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

const PREDICT_BATCH = 4096;

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`linearProbe: ${name} must be a positive integer, got ${value}.`);
}

/** Predicted classes of `x` (rows × d, float32) under the weights, in batches. */
async function predict(x: Float32Array, rows: number, d: number, w: tf.Variable, b: tf.Variable): Promise<Int32Array> {
  const out = new Int32Array(rows);
  for (let start = 0; start < rows; start += PREDICT_BATCH) {
    const end = Math.min(rows, start + PREDICT_BATCH);
    const classes = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * d, end * d), [end - start, d]);
      return tf.argMax(tf.add(tf.matMul(xb, w), b), 1);
    });
    out.set(await classes.data(), start);
    classes.dispose();
  }
  return out;
}

function accuracyOf(predictions: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

/**
 * Trains a softmax classifier on frozen features of the training split only (TF.js, Adam,
 * shuffled mini-batches, seeded), then scores it on the test split. Uses whatever TF.js backend is
 * active (call `initBackend` first) and disposes every tensor it creates.
 *
 * With the defaults, raw MNIST pixels (784 features in [0, 1]) reach about 0.926 accuracy on the
 * 10 000 test images when trained on the 60 000 training images (about 25 s on the wasm backend,
 * two CPU cores), and about 0.91 when trained on the first 10 000 (about 4 s).
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
  const toFloat32 = (data: Float64Array, rows: number): Float32Array => {
    const out = new Float32Array(rows * d);
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = (data[i * d + j] - shift[j]) * scale[j];
    return out;
  };
  const xTrain = toFloat32(train.data, n);
  const xTest = toFloat32(test.data, test.rows);

  // Seeded N(0, 0.01²) weights and zero biases (the usual linear-evaluation initialisation): the
  // initial logits are near zero, so even a few steps point the classifier the right way.
  const random = createRandom(seed);
  const w0 = new Float32Array(d * numClasses);
  for (let t = 0; t < w0.length; t++) w0[t] = 0.01 * random.normal();

  const xTensor = tf.tensor2d(xTrain, [n, d]);
  const yTensor = tf.tensor1d(yTrain, 'int32');
  // Inside tidy so that the initial-value tensors are released (variables survive tidy).
  const w = tf.tidy(() => tf.variable(tf.tensor2d(w0, [d, numClasses]), true, undefined, 'float32'));
  const b = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true, undefined, 'float32'));
  const optimizer = tf.train.adam(learningRate);
  try {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = random.int(i + 1);
        const tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        tf.tidy(() => {
          const indices = tf.tensor1d(order.subarray(start, end), 'int32');
          const xb = tf.gather(xTensor, indices);
          const yb = tf.oneHot(tf.gather(yTensor, indices), numClasses);
          optimizer.minimize(
            () => {
              const logits = tf.add(tf.matMul(xb, w), b);
              const loss = tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
              return l2 > 0 ? (tf.add(loss, tf.mul(l2 / 2, tf.sum(tf.square(w)))) as tf.Scalar) : loss;
            },
            false,
            [w, b],
          );
        });
      }
      // Let the event loop breathe between epochs (and flush pending work).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const trainPredictions = await predict(xTrain, n, d, w, b);
    const predictions = await predict(xTest, test.rows, d, w, b);
    return {
      accuracy: accuracyOf(predictions, yTest),
      trainAccuracy: accuracyOf(trainPredictions, yTrain),
      predictions,
      numClasses,
    };
  } finally {
    optimizer.dispose();
    xTensor.dispose();
    yTensor.dispose();
    w.dispose();
    b.dispose();
  }
}
