import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { bivariateGaussian, gaussianMutualInformation } from '../../src/data/paired_samples.js';
import { MINE } from '../../src/methods/mine.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/**
 * The exact mutual information of a bivariate Gaussian with correlation ρ, I = −½ ln(1 − ρ²) nats,
 * written out as numbers (not computed by the library): ρ = 0.5 → −½ ln 0.75 = 0.143841;
 * ρ = 0.8 → −½ ln 0.36 = 0.510826.
 */
const EXACT_MI_RHO_05 = 0.143841;
const EXACT_MI_RHO_08 = 0.510826;

/** Pearson correlation of two equally long samples, and their means and variances. */
function sampleMoments(x: Float32Array, y: Float32Array): { correlation: number; meanX: number; meanY: number; varianceX: number; varianceY: number } {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] / n;
    meanY += y[i] / n;
  }
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - meanX) ** 2;
    syy += (y[i] - meanY) ** 2;
    sxy += (x[i] - meanX) * (y[i] - meanY);
  }
  return { correlation: sxy / Math.sqrt(sxx * syy), meanX, meanY, varianceX: sxx / n, varianceY: syy / n };
}

describe('bivariateGaussian and gaussianMutualInformation', () => {
  it('draw standard normal pairs with the requested correlation, and give −½ ln(1 − ρ²)', () => {
    // Standard error of a sample correlation: (1 − ρ²)/√n = 0.0028 (ρ = 0.8) and 0.0059 (ρ = 0.5) for n = 16384.
    for (const [rho, tolerance] of [[0.8, 0.01], [0.5, 0.02], [0, 0.025]] as const) {
      const { x, y } = bivariateGaussian(16384, rho, 11);
      const moments = sampleMoments(x, y);
      expect(Math.abs(moments.correlation - rho), `ρ = ${rho}`).toBeLessThan(tolerance);
      for (const mean of [moments.meanX, moments.meanY]) expect(Math.abs(mean)).toBeLessThan(0.03);
      for (const variance of [moments.varianceX, moments.varianceY]) expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    }
    expect(gaussianMutualInformation(0.5)).toBeCloseTo(EXACT_MI_RHO_05, 6);
    expect(gaussianMutualInformation(0.8)).toBeCloseTo(EXACT_MI_RHO_08, 6);
    expect(gaussianMutualInformation(0)).toBeCloseTo(0, 12);
  });
});

describe('MINE', () => {
  it('estimates the mutual information of a correlated Gaussian (ρ = 0.8) near the exact value', async () => {
    const samples = bivariateGaussian(16384, 0.8, 1);
    const mine = new MINE({ seed: 0, hiddenUnits: [32, 32] });
    await mine.fit(samples, { epochs: 12, batchSize: 256, learningRate: 3e-3, progress: 'none' });
    expect(mine.bounds).toHaveLength(12 * 64);
    // A lower bound: this run gives 0.492 on its training batches and on fresh samples, 0.019
    // below the exact 0.5108; allowed 0.04 below (twice that) and a little above (sampling noise).
    for (const estimate of [mine.estimate(200), await mine.evaluate(bivariateGaussian(8192, 0.8, 2))]) {
      expect(estimate).toBeGreaterThan(EXACT_MI_RHO_08 - 0.04);
      expect(estimate).toBeLessThan(EXACT_MI_RHO_08 + 0.02);
    }
    mine.dispose();
  });

  it('estimates the mutual information at ρ = 0.5 near the exact value', async () => {
    const mine = new MINE({ seed: 0, hiddenUnits: [32, 32] });
    await mine.fit(bivariateGaussian(8192, 0.5, 5), { epochs: 12, batchSize: 256, learningRate: 3e-3, progress: 'none' });
    const estimate = await mine.evaluate(bivariateGaussian(8192, 0.5, 6));
    // This run gives 0.134 on fresh samples, 0.010 below the exact 0.1438 (a lower bound).
    expect(estimate).toBeGreaterThan(EXACT_MI_RHO_05 - 0.025);
    expect(estimate).toBeLessThan(EXACT_MI_RHO_05 + 0.02);
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
