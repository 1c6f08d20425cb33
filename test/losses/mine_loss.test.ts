import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { mineLoss, mineLowerBound } from '../../src/losses/mine_loss.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

async function read(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

describe('mineLowerBound (Donsker–Varadhan)', () => {
  it('matches a hand computation', async () => {
    const tJoint = tf.tensor1d([1, 2, 3]);
    const tMarginal = tf.tensor1d([0, Math.log(2), Math.log(3)]);
    // mean(T_joint) − log mean(e^T_marginal) = 2 − log((1 + 2 + 3) / 3) = 2 − log 2.
    expect(await read(mineLowerBound(tJoint, tMarginal))).toBeCloseTo(2 - Math.log(2), 6);
    tf.dispose([tJoint, tMarginal]);
  });

  it('is 0 when T is constant (the closed form for independent variables at T = c)', async () => {
    const c = tf.fill([64, 1], 0.7);
    expect(await read(mineLowerBound(c, c))).toBeCloseTo(0, 6);
    c.dispose();
  });

  it('is invariant to shifting T by a constant, and stable for large T', async () => {
    const tJoint = tf.randomNormal([32], 0, 1, 'float32', 1);
    const tMarginal = tf.randomNormal([32], 0, 1, 'float32', 2);
    const base = await read(mineLowerBound(tJoint, tMarginal));
    expect(await read(mineLowerBound(tf.add(tJoint, 100), tf.add(tMarginal, 100)))).toBeCloseTo(base, 3);
    tf.dispose([tJoint, tMarginal]);
  });

  it('rejects bad shapes', () => {
    expect(() => mineLowerBound(tf.zeros([4, 2]), tf.zeros([4]))).toThrow(/\[batch\] or \[batch, 1\], got \[4,2\]/);
  });
});

describe('mineLoss', () => {
  it('updates the moving average as (1 − α)·ma + α·mean(e^T) and reports the DV bound', async () => {
    const tJoint = tf.tensor1d([1, 2, 3]);
    const tMarginal = tf.tensor1d([0, Math.log(2), Math.log(3)]);
    const result = mineLoss(tJoint, tMarginal, 1, { alpha: 0.1 });
    expect(await read(result.movingAverage)).toBeCloseTo(0.9 + 0.1 * 2, 6);
    expect(await read(result.lowerBound)).toBeCloseTo(2 - Math.log(2), 6);
    // Surrogate: −(mean(T_joint) − mean(e^T_m) / ma) = −(2 − 2 / 1.1).
    expect(await read(result.loss)).toBeCloseTo(-(2 - 2 / 1.1), 5);
    const dv = mineLoss(tJoint, tMarginal, 1, { gradient: 'dv' });
    expect(await read(dv.loss)).toBeCloseTo(-(2 - Math.log(2)), 6);
    tf.dispose([dv.lowerBound, dv.movingAverage, tJoint, tMarginal]);
  });

  it('has the bias-corrected gradient E_P[∇T] − E_Q[e^T ∇T] / ma (ma held constant)', async () => {
    // With T as the free parameters: ∂L/∂T_joint,i = −1/n, ∂L/∂T_marginal,i = e^{T_i} / (n · ma).
    const tJoint = tf.tensor1d([0.5, -0.2, 1.0, 0.3]);
    const tMarginal = tf.tensor1d([0.1, 0.4, -0.3, 0.2]);
    const ma = tf.scalar(1.3);
    const [gJoint, gMarginal] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const r = mineLoss(a, b, ma, { alpha: 0.01 });
      r.lowerBound.dispose();
      return r.loss;
    })([tJoint, tMarginal]);
    const marginal = await tMarginal.data();
    const updated = 0.99 * 1.3 + 0.01 * (Array.from(marginal).reduce((s, t) => s + Math.exp(t), 0) / 4);
    expect(Array.from(await gJoint.data())).toEqual([-0.25, -0.25, -0.25, -0.25].map((v) => expect.closeTo(v, 6)));
    Array.from(await gMarginal.data()).forEach((g, i) => expect(g).toBeCloseTo(Math.exp(marginal[i]) / (4 * updated), 5));
    tf.dispose([tJoint, tMarginal, ma, gJoint, gMarginal]);
  });

  it('with the plain DV option has gradients equal to finite differences of −DV', async () => {
    const t = tf.randomNormal([6], 0, 1, 'float32', 9);
    const marginal = tf.randomNormal([6], 0, 1, 'float32', 10);
    const f = (x: tf.Tensor) => {
      const r = mineLoss(x, marginal, 1, { gradient: 'dv' });
      return r.loss;
    };
    expect(await gradientError(f, t, 1e-2)).toBeLessThan(1e-3);
    tf.dispose([t, marginal]);
  });

  it('rejects bad options and leaks nothing', async () => {
    const a = tf.zeros([4]);
    expect(() => mineLoss(a, a, 1, { alpha: 0 })).toThrow(/alpha must be in \(0, 1\]/);
    expect(
      await leakedTensors(async () => {
        const r = mineLoss(a, a, 1);
        tf.dispose([r.loss, r.lowerBound, r.movingAverage]);
      }),
    ).toBe(0);
    a.dispose();
  });
});
