import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { iicJointDistribution, iicLoss, iicMutualInformation } from '../../src/losses/iic_loss.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

async function value(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

function randomSoftmax(rows: number, k: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.randomNormal([rows, k], 0, 2, 'float32', seed)) as tf.Tensor2D);
}

describe('iicLoss', () => {
  it('equals −ln K for identical, confident, balanced one-hot assignments', async () => {
    for (const k of [2, 5, 10]) {
      const labels = Array.from({ length: 4 * k }, (_, i) => i % k);
      const z = tf.oneHot(tf.tensor1d(labels, 'int32'), k).toFloat() as tf.Tensor2D;
      // The default ε = 1e-7 floor on empty joint entries shifts it by ~1e-5; a tiny ε gives it exactly.
      expect(await value(iicLoss(z, z))).toBeCloseTo(-Math.log(k), 3);
      expect(await value(iicLoss(z, z, { epsilon: 1e-30 }))).toBeCloseTo(-Math.log(k), 6);
      z.dispose();
    }
  });

  it('matches a hand computation on a 2x2 case', async () => {
    // z = [[1,0],[0.5,0.5]], zt = [[1,0],[0,1]]: P = zᵀzt = [[1,0],[0.5,0.5]], sym = [[1,.25],[.25,.5]], /2 total.
    const z = tf.tensor2d([[1, 0], [0.5, 0.5]]);
    const zt = tf.tensor2d([[1, 0], [0, 1]]);
    const p = [[0.5, 0.125], [0.125, 0.25]];
    const pi = [0.625, 0.375];
    let mi = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) mi += p[i][j] * Math.log(p[i][j] / (pi[i] * pi[j]));
    const joint = iicJointDistribution(z, zt);
    expect(Array.from(await joint.data())).toEqual(p.flat().map((x) => expect.closeTo(x, 6)));
    joint.dispose();
    expect(await value(iicLoss(z, zt))).toBeCloseTo(-mi, 6);
    // λ weights the marginal entropies: L_λ = −I − (λ − 1)(H(P_i) + H(P_j)), here H(P_i) = H(P_j).
    const entropy = -pi.reduce((sum, q) => sum + q * Math.log(q), 0);
    expect(await value(iicLoss(z, zt, { lambda: 1.5 }))).toBeCloseTo(-mi - 0.5 * 2 * entropy, 6);
    expect(await value(iicLoss(z, zt, { lambda: 0 }))).toBeCloseTo(-mi + 2 * entropy, 6);
    tf.dispose([z, zt]);
  });

  it('is 0 for independent assignments and λ > 1 penalises imbalance more', async () => {
    const z = tf.fill([8, 4], 0.25) as tf.Tensor2D;
    expect(Math.abs(await value(iicLoss(z, z)))).toBeLessThan(1e-6);
    const skewed = tf.tensor2d([[0.9, 0.1], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]]);
    const plain = await value(iicLoss(skewed, skewed));
    const weighted = await value(iicLoss(skewed, skewed, { lambda: 1.5 }));
    expect(weighted).toBeLessThan(plain);
    tf.dispose([z, skewed]);
  });

  it('is symmetric in (z, zt) and invariant to permuting clusters', async () => {
    const z = randomSoftmax(32, 6, 1);
    const zt = randomSoftmax(32, 6, 2);
    const a = await value(iicLoss(z, zt));
    expect(await value(iicLoss(zt, z))).toBeCloseTo(a, 6);
    const permutation = tf.tensor1d([3, 0, 5, 1, 4, 2], 'int32');
    const zp = tf.gather(z, permutation, 1) as tf.Tensor2D;
    const ztp = tf.gather(zt, permutation, 1) as tf.Tensor2D;
    expect(await value(iicLoss(zp, ztp))).toBeCloseTo(a, 6);
    tf.dispose([z, zt, permutation, zp, ztp]);
  });

  it('gives no NaN when a cluster is empty, and finite gradients', async () => {
    const z = tf.tensor2d([[1, 0, 0], [0, 1, 0], [1, 0, 0]]);
    const loss = await value(iicLoss(z, z));
    expect(Number.isFinite(loss)).toBe(true);
    const g = tf.grad((x: tf.Tensor) => iicLoss(x as tf.Tensor2D, z))(z);
    expect(Array.from(await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([z, g]);
  });

  it('has gradients equal to finite differences', async () => {
    const logits = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
    const zt = randomSoftmax(6, 4, 4);
    const f = (x: tf.Tensor) => iicLoss(tf.softmax(x) as tf.Tensor2D, zt);
    expect(await gradientError(f, logits, 1e-2)).toBeLessThan(2e-3);
    tf.dispose([logits, zt]);
  });

  it('rejects mismatched or non-2-D inputs with a clear message', () => {
    const a = tf.zeros([4, 3]) as tf.Tensor2D;
    const b = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => iicLoss(a, b)).toThrow(/same shape.*\[4,3\].*\[4,2\]/);
    expect(() => iicLoss(tf.zeros([4]) as unknown as tf.Tensor2D, a)).toThrow(/2-D/);
    expect(() => iicMutualInformation(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/square/);
    const p = tf.fill([2, 2], 0.25) as tf.Tensor2D;
    expect(() => iicMutualInformation(p, { lambda: Number.NaN })).toThrow(/lambda must be a finite number ≥ 0, got NaN/);
    expect(() => iicLoss(a, a, { lambda: -1 })).toThrow(/lambda .* got -1/);
    expect(() => iicMutualInformation(p, { epsilon: 0 })).toThrow(/epsilon must be a finite number > 0, got 0/);
    p.dispose();
    tf.dispose([a, b]);
  });

  it('leaks no tensors', async () => {
    const z = randomSoftmax(16, 5, 5);
    const zt = randomSoftmax(16, 5, 6);
    expect(
      await leakedTensors(async () => {
        for (let i = 0; i < 3; i++) await value(iicLoss(z, zt));
        const g = tf.grad((x: tf.Tensor) => iicLoss(x as tf.Tensor2D, zt))(z);
        g.dispose();
      }),
    ).toBe(0);
    tf.dispose([z, zt]);
  });
});
