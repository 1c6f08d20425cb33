import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { binaryCrossEntropyLoss, perSampleBinaryCrossEntropy } from '../../src/losses/binary_cross_entropy_loss.js';
import { mseLoss, perSampleSquaredError } from '../../src/losses/mse_loss.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';
import { values } from '../helpers/tensor_values.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('mseLoss', () => {
  const target = tf.tensor2d([[0, 1, 0.5, 0.5], [1, 1, 1, 1]]);
  const reconstruction = tf.tensor2d([[0, 0, 0.5, 1.5], [1, 1, 1, 0]]);
  // Per sample: (0 + 1 + 0 + 1) / 4 = 0.5 and (0 + 0 + 0 + 1) / 4 = 0.25.

  it('matches hand-computed per-sample and mean values', async () => {
    expect(await values(perSampleSquaredError(target, reconstruction))).toEqual([0.5, 0.25]);
    expect(await values(mseLoss(target, reconstruction))).toEqual([0.375]);
  });

  it('drops samples below the cutoff (hinge on the per-sample error)', async () => {
    // max(0, 0.5 − 0.3) = 0.2, max(0, 0.25 − 0.3) = 0 → mean 0.1.
    const [v] = await values(mseLoss(target, reconstruction, { cutoff: 0.3 }));
    expect(v).toBeCloseTo(0.1, 6);
    const grad = tf.grad((r: tf.Tensor) => mseLoss(target, r, { cutoff: 0.3 }))(reconstruction);
    const g = await values(grad);
    expect(g.slice(4).map(Math.abs)).toEqual([0, 0, 0, 0]);
    expect(g.slice(0, 4).some((x) => x !== 0)).toBe(true);
  });

  it('works on image batches [n, h, w, c] and matches finite differences', async () => {
    const x = tf.randomUniform([2, 3, 3, 1], 0, 1, 'float32', 1);
    const r = tf.randomUniform([2, 3, 3, 1], 0, 1, 'float32', 2);
    expect(await gradientError((y) => mseLoss(x, y), r)).toBeLessThan(1e-3);
    tf.dispose([x, r]);
  });

  it('rejects shape mismatches and bad cutoffs', () => {
    expect(() => mseLoss(target, tf.zeros([2, 3]))).toThrow(/same shape.*\[2,4\].*\[2,3\]/);
    expect(() => mseLoss(target, reconstruction, { cutoff: -1 })).toThrow(/cutoff/);
  });
});

describe('binaryCrossEntropyLoss', () => {
  it('matches a hand computation', async () => {
    const target = tf.tensor2d([[1, 0], [0.5, 1]]);
    const p = tf.tensor2d([[0.8, 0.1], [0.5, 0.9]]);
    const expected = [-(Math.log(0.8) + Math.log(0.9)) / 2, -(0.5 * Math.log(0.5) + 0.5 * Math.log(0.5) + Math.log(0.9)) / 2];
    const perSample = await values(perSampleBinaryCrossEntropy(target, p));
    perSample.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const [mean] = await values(binaryCrossEntropyLoss(target, p));
    expect(mean).toBeCloseTo((expected[0] + expected[1]) / 2, 5);
    tf.dispose([target, p]);
  });

  it('gives the same value from logits as from probabilities, stably for large logits', async () => {
    const target = tf.tensor2d([[1, 0, 0.3], [0, 1, 0.7]]);
    const logits = tf.tensor2d([[2, -1, 0.5], [-30, 40, 0]]);
    const fromLogits = await values(binaryCrossEntropyLoss(target, logits, { fromLogits: true }));
    const fromProbabilities = await values(binaryCrossEntropyLoss(target, tf.sigmoid(logits)));
    expect(Number.isFinite(fromLogits[0])).toBe(true);
    expect(fromLogits[0]).toBeCloseTo(fromProbabilities[0], 4);
    expect(await gradientError((s) => binaryCrossEntropyLoss(target, s, { fromLogits: true }), tf.tensor2d([[0.2, -0.4, 1], [0.1, 0.3, -2]]), 1e-2)).toBeLessThan(1e-3);
    tf.dispose([target, logits]);
  });

  it('leaks no tensors', async () => {
    const t = tf.randomUniform([4, 5]);
    const p = tf.randomUniform([4, 5], 0.01, 0.99);
    expect(await leakedTensors(async () => values(binaryCrossEntropyLoss(t, p, { cutoff: 0.1 })))).toBe(0);
    tf.dispose([t, p]);
  });
});
