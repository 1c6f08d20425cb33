import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { binaryCrossEntropyLoss } from '../../src/losses/binary_cross_entropy_loss.js';
import { focalLoss } from '../../src/losses/focal_loss.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

async function value(t: tf.Scalar): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));

/** The focal loss of one entry, by the formula: −α_t (1 − p_t)^γ log p_t. */
function focalByHand(y: 0 | 1, s: number, gamma: number, alpha: number): number {
  const p = sigmoid(s);
  const pt = y === 1 ? p : 1 - p;
  const alphaT = y === 1 ? alpha : 1 - alpha;
  return -alphaT * (1 - pt) ** gamma * Math.log(pt);
}

describe('focalLoss', () => {
  it('matches hand-computed values', async () => {
    const targets = [1, 0, 1, 0];
    const logits = [2, -1, -0.5, 3];
    const expected = (gamma: number, alpha: number) => targets.reduce((sum, y, i) => sum + focalByHand(y as 0 | 1, logits[i], gamma, alpha), 0) / targets.length;
    for (const [gamma, alpha] of [[2, 0.5], [2, 0.25], [0.5, 0.75], [0, 1]]) {
      const loss = focalLoss(tf.tensor1d(targets), tf.tensor1d(logits), { gamma, alpha });
      expect(await value(loss)).toBeCloseTo(expected(gamma, alpha), 6);
    }
    // A single entry, by hand: y = 1, s = 0 → p_t = 0.5, loss = 0.5 · 0.25 · ln 2.
    expect(await value(focalLoss(tf.tensor2d([[1]]), tf.tensor2d([[0]])))).toBeCloseTo(0.125 * Math.LN2, 7);
  });

  it('with γ = 0 and α = 0.5 is exactly half the binary cross-entropy on logits', async () => {
    const targets = tf.tensor2d([[1], [0], [1], [0], [0]]);
    const logits = tf.tensor2d([[0.3], [-2], [-4], [5], [0.01]]);
    const focal = await value(focalLoss(targets, logits, { gamma: 0, alpha: 0.5 }));
    const bce = await value(binaryCrossEntropyLoss(targets, logits, { fromLogits: true }));
    expect(focal).toBeCloseTo(0.5 * bce, 6);
    // γ > 0 only down-weights: the focal loss is at most α_t-weighted BCE.
    expect(await value(focalLoss(targets, logits))).toBeLessThan(focal);
    tf.dispose([targets, logits]);
  });

  it('stays finite for confident logits, right and wrong', async () => {
    const loss = await value(focalLoss(tf.tensor1d([1, 0, 1, 0]), tf.tensor1d([80, -80, -80, 80])));
    expect(Number.isFinite(loss)).toBe(true);
    // The two wrong entries: (1 − p_t)^γ = 1, −log p_t = 80, α_t = 0.5.
    expect(loss).toBeCloseTo((0.5 * 80 * 2) / 4, 3);
    const grad = tf.grad((s: tf.Tensor) => focalLoss(tf.tensor1d([1, 0, 1, 0]), s))(tf.tensor1d([80, -80, -80, 80]));
    expect(Array.from(await grad.data()).every(Number.isFinite)).toBe(true);
    grad.dispose();
  });

  it('has the gradient finite differences give', async () => {
    const targets = tf.tensor1d([1, 0, 1, 0, 1, 0]);
    const logits = tf.tensor1d([0.7, -0.2, -1.5, 1.1, 2.5, -3]);
    for (const gamma of [0, 1, 2, 3.5]) {
      expect(await gradientError((s) => focalLoss(targets, s, { gamma, alpha: 0.3 }), logits, 1e-2)).toBeLessThan(2e-3);
    }
    tf.dispose([targets, logits]);
  });

  it('rejects mismatched shapes, empty input and bad options with clear errors', () => {
    const a = tf.zeros([4, 1]);
    const b = tf.zeros([4]);
    expect(() => focalLoss(a, b)).toThrow(/targets and logits must have the same shape, got \[4,1\] and \[4\]/);
    expect(() => focalLoss(tf.zeros([0]), tf.zeros([0]))).toThrow(/empty input/);
    expect(() => focalLoss(b, b, { gamma: -1 })).toThrow(/gamma must be a finite number ≥ 0, got -1/);
    expect(() => focalLoss(b, b, { alpha: 1.5 })).toThrow(/alpha must be in \[0, 1\], got 1.5/);
    tf.dispose([a, b]);
  });

  it('leaks no tensor', async () => {
    const targets = tf.tensor1d([1, 0]);
    const logits = tf.tensor1d([0.5, -0.5]);
    expect(await leakedTensors(() => focalLoss(targets, logits).dispose())).toBe(0);
    expect(await leakedTensors(() => tf.grad((s: tf.Tensor) => focalLoss(targets, s))(logits).dispose())).toBe(0);
    tf.dispose([targets, logits]);
  });
});
