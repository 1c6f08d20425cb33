import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { createRandom } from '../../src/data/random.js';
import { knnProbe, precisionAtK } from '../../src/probes/knn_probe.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** `perClass` points around each of `classes` random directions (norm `radius`), unit noise. */
function blobs(classes: number, perClass: number, dims: number, radius: number, seed: number, centreSeed = 0): { x: number[][]; y: number[] } {
  const centreRandom = createRandom(centreSeed);
  const centres = Array.from({ length: classes }, () => {
    const v = Array.from({ length: dims }, () => centreRandom.normal());
    const norm = Math.hypot(...v);
    return v.map((t) => (radius * t) / norm);
  });
  const random = createRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < classes * perClass; i++) {
    const label = i % classes;
    x.push(centres[label].map((v) => v + random.normal()));
    y.push(label);
  }
  return { x, y };
}

describe('knnProbe', () => {
  it('classifies well-separated blobs perfectly with every metric and weighting, without leaking tensors', async () => {
    const train = blobs(5, 40, 12, 20, 1);
    const test = blobs(5, 20, 12, 20, 2);
    const before = tf.memory().numTensors;
    for (const metric of ['cosine', 'euclidean'] as const) {
      for (const weighting of ['uniform', 'distance', 'exponential'] as const) {
        const result = await knnProbe(train.x, train.y, test.x, test.y, { k: 7, metric, weighting });
        expect(result.accuracy).toBe(1);
        expect(Array.from(result.predictions)).toEqual(test.y);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('votes as computed by hand', async () => {
    // Points on a line; the query at 2.2 has neighbours 2 (label 1), 3 (label 1), 1 (label 0), 0 (label 0), 5 ...
    const train = [[0], [1], [2], [3], [5]].map(([v]) => [v, 0]);
    const labels = [0, 0, 1, 1, 0];
    const query = [[2.2, 0]];
    const vote = async (k: number, weighting: 'uniform' | 'distance' = 'uniform'): Promise<number> =>
      (await knnProbe(train, labels, query, [1], { k, metric: 'euclidean', weighting })).predictions[0];
    expect(await vote(1)).toBe(1);
    expect(await vote(3)).toBe(1); // 1, 1, 0
    // k = 4: two votes each; the tie goes to the class of the nearest neighbour (label 1).
    expect(await vote(4)).toBe(1);
    expect(await vote(5)).toBe(0); // 1, 1, 0, 0, 0
    // Inverse-distance weights: 1/0.2 + 1/0.8 = 6.25 for label 1 against 1/1.2 + 1/2.2 + 1/2.8 ≈ 1.65.
    expect(await vote(5, 'distance')).toBe(1);
  });

  it('rejects k > n, unknown metrics and dimension mismatches', async () => {
    const x = [[1, 0], [0, 1]];
    await expect(knnProbe(x, [0, 1], x, [0, 1], { k: 3 })).rejects.toThrow(/k \(3\) must not exceed the number of training rows \(2\)/);
    await expect(knnProbe(x, [0, 1], x, [0, 1], { k: 0 })).rejects.toThrow(/k must be an integer ≥ 1/);
    // @ts-expect-error: an invalid metric on purpose
    await expect(knnProbe(x, [0, 1], x, [0, 1], { metric: 'manhattan' })).rejects.toThrow(/unknown metric 'manhattan'/);
    await expect(knnProbe(x, [0, 1], [[1, 0, 0]], [0], { k: 1 })).rejects.toThrow(/2 columns but testFeatures have 3/);
    await expect(knnProbe([[1, 0], [0, NaN]], [0, 1], x, [0, 1], { k: 1 })).rejects.toThrow(/row 1 contains NaN/);
  });
});

describe('precisionAtK', () => {
  // Points on a line at 0, 1, 3, 10, 12, 30 with labels 0, 0, 1, 1, 1, 0. With k = 2 (itself excluded):
  // 0 → {1, 3}: labels 0, 1 → 1/2;  1 → {0, 3}: 1/2;  3 → {1, 0}: 0;  10 → {12, 3}: 1;  12 → {10, 3}: 1;
  // 30 → {12, 10}: 0. Mean 3/6.
  const x = [0, 1, 3, 10, 12, 30].map((v) => [v, 0]);
  const labels = [0, 0, 1, 1, 1, 0];

  it('matches a hand computation', async () => {
    const before = tf.memory().numTensors;
    const result = await precisionAtK(x, labels, { k: 2, metric: 'euclidean' });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(result.perQuery)).toEqual([0.5, 0.5, 0, 1, 1, 0]);
    expect(result.precision).toBeCloseTo(0.5, 12);
    const subset = await precisionAtK(x, labels, { k: 2, metric: 'euclidean', queries: [0, 3] });
    expect(Array.from(subset.perQuery)).toEqual([0.5, 1]);
    expect(subset.precision).toBeCloseTo(0.75, 12);
  });

  it('excludes the query itself even when it has an exact duplicate', async () => {
    const result = await precisionAtK([[0, 0], [0, 0], [9, 9]], [0, 1, 1], { k: 1, metric: 'euclidean', queries: [0, 1] });
    // Each duplicate finds the other one, whose label differs.
    expect(Array.from(result.perQuery)).toEqual([0, 0]);
  });

  it('is 1 on well-separated blobs and samples a seeded query subset', async () => {
    const { x: bx, y } = blobs(4, 30, 10, 20, 3);
    const all = await precisionAtK(bx, y, { k: 10 });
    expect(all.precision).toBe(1);
    const a = await precisionAtK(bx, y, { k: 5, queries: 20, seed: 1 });
    const b = await precisionAtK(bx, y, { k: 5, queries: 20, seed: 1 });
    expect(a.queries.length).toBe(20);
    expect(new Set(a.queries).size).toBe(20);
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
  });

  it('rejects k ≥ n, bad query indices and label-count mismatches', async () => {
    await expect(precisionAtK(x, labels, { k: 6 })).rejects.toThrow(/k \(6\) must not exceed the number of rows minus one \(5\)/);
    await expect(precisionAtK(x, labels, { k: 2, queries: [0, 6] })).rejects.toThrow(/queries\[1\] = 6 is not a row index/);
    await expect(precisionAtK(x, [0, 1], { k: 2 })).rejects.toThrow(/labels has 2 entries but the features have 6 rows/);
  });
});
