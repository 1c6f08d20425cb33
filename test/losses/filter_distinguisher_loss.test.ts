import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { featureMapCosines, filterDistinguisherLoss, filterDistinguisherPairLoss } from '../../src/losses/filter_distinguisher_loss.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

async function scalars(result: { loss: tf.Scalar; maxAbsCosine: tf.Scalar }): Promise<[number, number]> {
  const values: [number, number] = [(await result.loss.data())[0], (await result.maxAbsCosine.data())[0]];
  tf.dispose([result.loss, result.maxAbsCosine]);
  return values;
}

/** Maps whose pixels are one-hot per channel: channel c lights pixel c only (mutually orthogonal). */
function orthogonalMaps(n: number, side: number, c: number): tf.Tensor4D {
  const values = new Float32Array(n * side * side * c);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) values[((i * side * side) + ch) * c + ch] = 1 + i + ch;
  return tf.tensor4d(values, [n, side, side, c]);
}

describe('filterDistinguisherLoss', () => {
  it('is 0 for mutually orthogonal maps', async () => {
    const maps = orthogonalMaps(3, 3, 4);
    const [loss, maxCos] = await scalars(filterDistinguisherLoss(maps));
    expect(loss).toBeCloseTo(0, 7);
    expect(maxCos).toBeCloseTo(0, 7);
    maps.dispose();
  });

  it('is 1 for identical (or parallel) maps', async () => {
    const one = tf.randomUniform([2, 5, 5, 1], 0.1, 1, 'float32', 3);
    const maps = tf.concat([one, one, tf.mul(one, 3)], 3) as tf.Tensor4D;
    const [loss, maxCos] = await scalars(filterDistinguisherLoss(maps));
    expect(loss).toBeCloseTo(1, 5);
    expect(maxCos).toBeCloseTo(1, 5);
    tf.dispose([one, maps]);
  });

  it('matches a hand computation with opposite maps and averages over the C(C−1)/2 pairs', async () => {
    // One image, 2x1 pixels, 3 channels: a = (1, 0), b = (0, 1), c = (1, 1)/√2 direction.
    const maps = tf.tensor4d([1, 0, 1, 0, 1, 1], [1, 2, 1, 3]);
    // cos(a,b) = 0, cos(a,c) = cos(b,c) = 1/√2 → squares 0, .5, .5 → mean 1/3; max |cos| = 1/√2.
    const [loss, maxCos] = await scalars(filterDistinguisherLoss(maps));
    expect(loss).toBeCloseTo(1 / 3, 6);
    expect(maxCos).toBeCloseTo(Math.SQRT1_2, 6);
    const cosines = featureMapCosines(maps);
    expect(cosines.shape).toEqual([1, 3, 3]);
    cosines.dispose();
    maps.dispose();
  });

  it('gives no NaN for all-zero maps', async () => {
    const maps = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    const [loss, maxCos] = await scalars(filterDistinguisherLoss(maps));
    expect(loss).toBe(0);
    expect(maxCos).toBe(0);
    const g = tf.grad((x: tf.Tensor) => filterDistinguisherPairLoss(x as tf.Tensor4D))(maps);
    expect(Array.from(await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([maps, g]);
  });

  it('is invariant to permuting channels and to scaling a map', async () => {
    const maps = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [loss] = await scalars(filterDistinguisherLoss(maps));
    const permuted = tf.gather(maps, tf.tensor1d([4, 2, 0, 3, 1], 'int32'), 3) as tf.Tensor4D;
    expect((await scalars(filterDistinguisherLoss(permuted)))[0]).toBeCloseTo(loss, 6);
    const scaled = tf.mul(maps, tf.tensor1d([1, 2, 0.5, 3, 10])) as tf.Tensor4D;
    expect((await scalars(filterDistinguisherLoss(scaled)))[0]).toBeCloseTo(loss, 5);
    tf.dispose([maps, permuted, scaled]);
  });

  it('has gradients equal to finite differences', async () => {
    const maps = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 11);
    expect(await gradientError((x) => filterDistinguisherPairLoss(x as tf.Tensor4D), maps, 1e-2)).toBeLessThan(2e-3);
    maps.dispose();
  });

  it('rejects bad shapes with clear messages and leaks nothing', async () => {
    expect(() => filterDistinguisherLoss(tf.zeros([2, 3, 3]) as unknown as tf.Tensor4D)).toThrow(/\[batch, height, width, channels\], got shape \[2,3,3\]/);
    expect(() => filterDistinguisherLoss(tf.zeros([2, 3, 3, 1]) as tf.Tensor4D)).toThrow(/at least 2 channels/);
    const maps = tf.randomNormal([2, 3, 3, 4]) as tf.Tensor4D;
    expect(await leakedTensors(async () => scalars(filterDistinguisherLoss(maps)))).toBe(0);
    maps.dispose();
  });
});
