import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { createRandom } from '../../src/data/random.js';
import { loadMnist } from '../../src/data/mnist.js';
import { linearProbe } from '../../src/probes/linear_probe.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** One random centre per class, coordinates ~ N(0, separation²). */
function centres(classes: number, dims: number, separation: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: classes }, () => Array.from({ length: dims }, () => separation * random.normal()));
}

/** `perClass` points around each centre with unit Gaussian noise; labels cycle through the classes. */
function sample(centre: number[][], perClass: number, seed: number): { x: number[][]; y: number[] } {
  const random = createRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < centre.length * perClass; i++) {
    const label = i % centre.length;
    x.push(centre[label].map((v) => v + random.normal()));
    y.push(label);
  }
  return { x, y };
}

describe('linearProbe', () => {
  it('separates linearly separable classes perfectly, without leaking tensors', async () => {
    const c = centres(4, 16, 5, 1);
    const train = sample(c, 50, 2);
    const test = sample(c, 25, 3);
    const before = tf.memory().numTensors;
    const result = await linearProbe(train.x, train.y, test.x, test.y, { epochs: 30 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.accuracy).toBe(1);
    expect(result.trainAccuracy).toBe(1);
    expect(result.numClasses).toBe(4);
    expect(result.predictions).toBeInstanceOf(Int32Array);
    expect(Array.from(result.predictions)).toEqual(test.y);
  });

  it('is deterministic for a seed', async () => {
    const c = centres(3, 8, 1.2, 3);
    const data = sample(c, 40, 4);
    const test = sample(c, 20, 5);
    const a = await linearProbe(data.x, data.y, test.x, test.y, { epochs: 3, seed: 9 });
    const b = await linearProbe(data.x, data.y, test.x, test.y, { epochs: 3, seed: 9 });
    expect(Array.from(a.predictions)).toEqual(Array.from(b.predictions));
    expect(a.accuracy).toBe(b.accuracy);
  });

  it('standardises with training-split statistics only', async () => {
    // The class is the sign of feature 0 on the training split; the test split is shifted by +3,
    // so every test point falls on the positive side. Test-split statistics would undo the shift.
    const random = createRandom(5);
    const make = (n: number, shift: number): { x: number[][]; y: number[] } => {
      const x: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const label = i % 2;
        x.push([(label === 1 ? 1 : -1) + 0.2 * random.normal() + shift, random.normal()]);
        y.push(label);
      }
      return { x, y };
    };
    const train = make(200, 0);
    const test = make(100, 3);
    const result = await linearProbe(train.x, train.y, test.x, test.y, { epochs: 100, learningRate: 0.05, batchSize: 32 });
    expect(result.trainAccuracy).toBe(1);
    expect(Array.from(result.predictions).every((p) => p === 1)).toBe(true);
    expect(result.accuracy).toBe(0.5);
  });

  it('reaches ≥ 0.88 test accuracy on raw MNIST pixels (10k train, 10k test)', async () => {
    const train = await loadMnist({ split: 'train', limit: 10000 });
    const test = await loadMnist({ split: 'test' });
    if (train.labels === undefined || test.labels === undefined) throw new Error('MNIST without labels');
    const before = tf.memory().numTensors;
    const result = await linearProbe(
      { data: train.images, rows: train.size, cols: 784 },
      train.labels,
      { data: test.images, rows: test.size, cols: 784 },
      test.labels,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(result.predictions.length).toBe(test.size);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.88);
    expect(result.trainAccuracy).toBeGreaterThan(result.accuracy - 0.01);
  });

  it('rejects dimension mismatches, bad labels, NaN rows and bad options', async () => {
    const x = [[0, 1], [1, 0]];
    await expect(linearProbe(x, [0, 1], [[0, 1, 2]], [0])).rejects.toThrow(/trainFeatures have 2 columns but testFeatures have 3/);
    await expect(linearProbe(x, [0], x, [0, 1])).rejects.toThrow(/trainLabels has 1 entries but the features have 2 rows/);
    await expect(linearProbe(x, [0, -1], x, [0, 1])).rejects.toThrow(/entry 1 is -1/);
    await expect(linearProbe([[0, 1], [NaN, 0]], [0, 1], x, [0, 1])).rejects.toThrow(/row 1 contains NaN/);
    await expect(linearProbe(x, [0, 1], x, [0, 1], { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(linearProbe(x, [0, 1], x, [0, 1], { learningRate: 0 })).rejects.toThrow(/learningRate/);
    await expect(linearProbe(x, [0, 1], x, [0, 5], { numClasses: 3 })).rejects.toThrow(/label 5 is out of range/);
  });
});
