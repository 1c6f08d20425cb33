import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { createRandom } from '../../src/data/random.js';
import { predictSoftmaxRegression, trainSoftmaxRegression } from '../../src/probes/softmax_regression.js';
import type { StandardizedRows } from '../../src/probes/softmax_regression.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const n = 37;
const d = 5;
const K = 3;
const options = { epochs: 3, learningRate: 0.05, batchSize: 8, l2: 0.1 };

/** Rows with many exact zeros (as raw pixels), and a shift and scale that are not the identity. */
function problem(): { features: StandardizedRows; standardized: Float32Array; y: Int32Array } {
  const random = createRandom(11);
  const data = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % K;
    for (let j = 0; j < d; j++) data[i * d + j] = random.next() < 0.4 ? 0 : random.normal() + (j === y[i] ? 1.5 : 0);
  }
  const shift = Float64Array.from({ length: d }, (_, j) => 0.1 * j - 0.2);
  const scale = Float64Array.from({ length: d }, (_, j) => 0.5 + 0.3 * j);
  const standardized = Float32Array.from(data, (v, t) => (v - shift[t % d]) * scale[t % d]);
  return { features: { data, rows: n, cols: d, shift, scale }, standardized, y };
}

/** The same training written with TF.js ops, autodiff and `tf.train.adam`: the reference. */
async function trainWithTensorflow(x: Float32Array, y: Int32Array, seed: number): Promise<{ weights: Float32Array; biases: Float32Array }> {
  const random = createRandom(seed);
  const w0 = new Float32Array(d * K);
  for (let t = 0; t < w0.length; t++) w0[t] = 0.01 * random.normal();
  const w = tf.variable(tf.tensor2d(w0, [d, K]));
  const b = tf.variable(tf.zeros([K]));
  const optimizer = tf.train.adam(options.learningRate);
  const xTensor = tf.tensor2d(x, [n, d]);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start < n; start += options.batchSize) {
      const rows = order.slice(start, start + options.batchSize);
      tf.tidy(() => {
        const xb = tf.gather(xTensor, rows);
        const yb = tf.oneHot(tf.tensor1d(rows.map((r) => y[r]), 'int32'), K);
        optimizer.minimize(() => {
          const loss = tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(xb, w), b));
          return tf.add(loss, tf.mul(options.l2 / 2, tf.sum(tf.square(w)))) as tf.Scalar;
        });
      });
    }
  }
  const result = { weights: (await w.data()) as Float32Array, biases: (await b.data()) as Float32Array };
  tf.dispose([w, b, xTensor]);
  optimizer.dispose();
  return result;
}

describe('trainSoftmaxRegression', () => {
  it('matches TF.js autodiff + tf.train.adam on explicitly standardised rows, step for step', async () => {
    const { features, standardized, y } = problem();
    const ours = await trainSoftmaxRegression(features, y, K, { ...options, random: createRandom(5) });
    const reference = await trainWithTensorflow(standardized, y, 5);
    expect(ours.weights.length).toBe(d * K);
    // Ours are class-major (K × d), TF.js's row-major (d × K).
    for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) expect(ours.weights[k * d + j]).toBeCloseTo(reference.weights[j * K + k], 4);
    for (let k = 0; k < K; k++) expect(ours.biases[k]).toBeCloseTo(reference.biases[k], 4);
    // Training moved the weights well beyond their N(0, 0.01²) start.
    expect(Math.max(...Array.from(ours.weights, Math.abs))).toBeGreaterThan(0.1);
  });

  it('predicts the class of the largest logit of the standardised row', () => {
    const model = { weights: new Float64Array([1, 0, 0, 1, 0, 0]), biases: new Float64Array([0, 0, 0.5]) }; // K = 3 rows of d = 2
    const identity = { shift: new Float64Array(2), scale: new Float64Array([1, 1]) };
    const data = new Float64Array([2, 0, 0, 2, 0.1, 0.2]);
    expect(Array.from(predictSoftmaxRegression({ data, rows: 3, cols: 2, ...identity }, model))).toEqual([0, 1, 2]);
    // Shifted by (10, 0): the first row's x̃ = (−8, 0) now scores class 2 (logits −8, 0, 0.5).
    const shifted = { data, rows: 3, cols: 2, shift: new Float64Array([10, 0]), scale: new Float64Array([1, 1]) };
    expect(Array.from(predictSoftmaxRegression(shifted, model))).toEqual([2, 1, 2]);
  });
});
