import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { bivariateGaussian, gaussianMutualInformation } from '../../src/data/paired_samples.js';
import { MINE } from '../../src/methods/mine.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('MINE', () => {
  it('estimates the mutual information of a correlated Gaussian (ρ = 0.8) near the exact value', async () => {
    const samples = bivariateGaussian(16384, 0.8, 1);
    const mine = new MINE({ seed: 0, hiddenUnits: [32, 32] });
    await mine.fit(samples, { epochs: 12, batchSize: 256, learningRate: 3e-3, progress: 'none' });
    const exact = gaussianMutualInformation(0.8);
    expect(mine.bounds).toHaveLength(12 * 64);
    // A quick run: within 0.1 nats of 0.5108 (the example reaches 0.03 with its full budget).
    expect(Math.abs(mine.estimate(200) - exact)).toBeLessThan(0.1);
    expect(Math.abs((await mine.evaluate(bivariateGaussian(8192, 0.8, 2))) - exact)).toBeLessThan(0.1);
    mine.dispose();
  });

  it('finds (almost) no information between independent variables', async () => {
    const mine = new MINE({ seed: 0, hiddenUnits: [16] });
    await mine.fit(bivariateGaussian(8192, 0, 3), { epochs: 4, batchSize: 256, progress: 'none' });
    expect(Math.abs(mine.estimate(64))).toBeLessThan(0.03);
    mine.dispose();
  });

  it('does not leak tensors across steps and rejects bad data', async () => {
    const samples = bivariateGaussian(1024, 0.5, 4);
    const mine = new MINE({ seed: 1, hiddenUnits: [8] });
    await mine.fit(samples, { epochs: 1, batchSize: 128, progress: 'none' });
    const before = tf.memory().numTensors;
    await mine.fit(samples, { epochs: 2, batchSize: 128, progress: 'none' });
    await mine.evaluate(samples);
    expect(tf.memory().numTensors).toBe(before);
    mine.dispose();
    const bad = { ...samples, y: Float32Array.from(samples.y) };
    bad.y[10] = Number.NaN;
    await expect(new MINE().fit(bad)).rejects.toThrow(/non-finite value \(NaN\) in row 10/);
    await expect(new MINE().fit({ ...samples, size: 0 })).rejects.toThrow(/empty/);
    expect(() => new MINE().estimate()).toThrow(/no training step yet/);
    expect(() => bivariateGaussian(10, 1)).toThrow(/correlation must be in/);
  });
});
