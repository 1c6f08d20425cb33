import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/index.js';
import { addNoise } from '../../src/data/augment/noise.js';
import { centerCrop, randomCrop, randomHorizontalFlip, randomResizedCrop, rotate } from '../../src/data/augment/geometric.js';
import { iicMnistAugment } from '../../src/data/augment/iic_views.js';
import { values } from '../helpers/tensor_values.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** 1 image, 4x4, value = 10·row + column. */
const grid = () => tf.tensor4d(Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)), [1, 4, 4, 1]);

describe('augmentations', () => {
  it('centre crop without resizing returns the centre pixels', async () => {
    const x = grid();
    expect(await values(centerCrop(x, 2))).toEqual([11, 12, 21, 22]);
    x.dispose();
  });

  it('rotating by 90° moves pixels as a rotation about the centre does', async () => {
    const x = grid();
    const r = await values(rotate(x, [90]));
    // Output pixel p samples the input at R(90°)·(p − c) + c, c = (1.5, 1.5): output row 0, column x
    // reads input row x, column 3, so the output's first row is the input's last column.
    expect(r.slice(0, 4).map(Math.round)).toEqual([3, 13, 23, 33]);
    expect(await values(rotate(x, [0]))).toEqual(await values(grid()));
    x.dispose();
  });

  it('random crops, resized crops and flips are seeded and keep shapes', async () => {
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const a = await values(randomCrop(x, [16, 20, 24], 24, 3));
    expect(await values(randomCrop(x, [16, 20, 24], 24, 3))).toEqual(a);
    expect(await values(randomCrop(x, [16, 20, 24], 24, 4))).not.toEqual(a);
    expect(randomResizedCrop(x, { outputSize: [12, 12], seed: 1 }).shape).toEqual([5, 12, 12, 1]);
    const flipped = await values(randomHorizontalFlip(x, 0, 1));
    const reversed = await values(tf.reverse(x, 2));
    expect(flipped).toEqual(reversed);
    expect(() => randomCrop(x, [30], 24, 0)).toThrow(/crop sizes \[30\] must be in 1..28/);
    x.dispose();
  });

  it("IIC's MNIST views are 24x24, the clean view deterministic, the transform seeded", async () => {
    const views = iicMnistAugment();
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(views.clean(x).shape).toEqual([3, 24, 24, 1]);
    const t1 = await values(views.transformed(x, 5));
    expect(await values(views.transformed(x, 5))).toEqual(t1);
    expect(await values(views.transformed(x, 6))).not.toEqual(t1);
    x.dispose();
  });

  it("IIC's x′ jitters brightness and contrast by default (as the reference code), and not with colorJitter: false", async () => {
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const geometricOnly = await values(iicMnistAugment({ colorJitter: false }).transformed(x, 5));
    const jittered = await values(iicMnistAugment().transformed(x, 5));
    // Same crops and rotations (same seed), then per-image brightness / contrast factors.
    expect(jittered).not.toEqual(geometricOnly);
    // Brightness alone: every image is its geometric view times one factor in [0.6, 1.4] (below the clip at 1).
    const brighter = await values(iicMnistAugment({ colorJitter: { brightness: 0.4 } }).transformed(x, 5));
    const perImage = 24 * 24;
    for (let i = 0; i < 4; i++) {
      const ratios: number[] = [];
      for (let j = i * perImage; j < (i + 1) * perImage; j++) if (geometricOnly[j] > 0.05 && geometricOnly[j] < 0.7) ratios.push(brighter[j] / geometricOnly[j]);
      expect(ratios.length).toBeGreaterThan(100);
      expect(Math.max(...ratios) - Math.min(...ratios)).toBeLessThan(1e-4);
      expect(ratios[0]).toBeGreaterThanOrEqual(0.6);
      expect(ratios[0]).toBeLessThanOrEqual(1.4);
    }
    expect(() => iicMnistAugment({ colorJitter: { brightness: -1 } })).toThrow(/iicMnistAugment: brightness must be a finite number ≥ 0, got -1/);
    x.dispose();
  });

  it('noise is seeded: Gaussian has the requested spread, masking zeroes the requested share', async () => {
    const x = tf.fill([100, 100], 0.5);
    const g = await values(addNoise(x, { gaussian: 0.1 }, 1));
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    const sd = Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sd).toBeCloseTo(0.1, 2);
    const m = await values(addNoise(x, { masking: 0.3 }, 2));
    expect(m.filter((v) => v === 0).length / m.length).toBeCloseTo(0.3, 1);
    expect(await values(addNoise(x, { masking: 0.3 }, 2))).toEqual(m);
    x.dispose();
  });
});
