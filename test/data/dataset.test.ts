import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { batchIndices, iterateBatches } from '../../src/data/batching.js';
import { datasetFromTensor, split, subset, toTensor, validateDataset } from '../../src/data/dataset.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { createRandom } from '../../src/data/random.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function tiny(size: number): ImageDataset {
  return { images: Float32Array.from({ length: size * 4 }, (_, i) => i / (size * 4)), labels: Int32Array.from({ length: size }, (_, i) => i % 3), shape: [2, 2, 1], size };
}

describe('createRandom', () => {
  it('is deterministic for a seed, differs across seeds, and is roughly uniform and normal', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    const r = createRandom(1);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      buckets[r.int(10)]++;
      const z = r.normal();
      sum += z;
      sumSquares += z * z;
    }
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(500);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.02);
    expect(Array.from(createRandom(3).permutation(6)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('batching', () => {
  it('covers every row exactly once per epoch, reproducibly for a seed', () => {
    const batches = batchIndices(10, 4, { seed: 7 });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => Array.from(b)).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batchIndices(10, 4, { seed: 7 }).map((b) => Array.from(b))).toEqual(batches.map((b) => Array.from(b)));
    expect(batchIndices(10, 4, { seed: 8 }).map((b) => Array.from(b))).not.toEqual(batches.map((b) => Array.from(b)));
    expect(batchIndices(10, 4, { dropRemainder: true })).toHaveLength(2);
    expect(Array.from(batchIndices(5, 5, { shuffle: false })[0])).toEqual([0, 1, 2, 3, 4]);
    expect(() => batchIndices(5, 0)).toThrow(/batchSize must be a positive integer/);
  });

  it('yields tensors that, once disposed, leave no tensor behind', async () => {
    const ds = tiny(10);
    const before = tf.memory().numTensors;
    let rows = 0;
    for (const batch of iterateBatches(ds, { batchSize: 3, seed: 1 })) {
      expect(batch.x.shape.slice(1)).toEqual([2, 2, 1]);
      const labels = await batch.y!.data();
      batch.indices.forEach((row, j) => expect(labels[j]).toBe(row % 3));
      rows += batch.x.shape[0];
      tf.dispose([batch.x, batch.y!]);
    }
    expect(rows).toBe(10);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('dataset helpers', () => {
  it('subset, split and tensor round trips', async () => {
    const ds = tiny(10);
    const picked = subset(ds, [9, 0]);
    expect(Array.from(picked.labels!)).toEqual([0, 0]);
    expect(picked.images[0]).toBeCloseTo(36 / 40, 7);
    const range = subset(ds, { start: 2, end: 5 });
    expect(range.size).toBe(3);
    expect(range.images.buffer).toBe(ds.images.buffer);
    const { train, test } = split(ds, 0.3, { seed: 1 });
    expect([train.size, test.size]).toEqual([7, 3]);
    const all = [...Array.from(train.images), ...Array.from(test.images)].sort();
    expect(all).toEqual(Array.from(ds.images).sort());
    const t = toTensor(ds, [1, 2]);
    const back = await datasetFromTensor(t, [5, 6]);
    t.dispose();
    expect(back.shape).toEqual([2, 2, 1]);
    expect(Array.from(back.images)).toEqual(Array.from(ds.images.subarray(4, 12)));
    expect(() => subset(ds, [10])).toThrow(/row index 10 is out of range/);
    expect(() => split(ds, 10)).toThrow(/test size 10/);
  });

  it('validateDataset names NaN, wrong lengths and emptiness', () => {
    const ds = tiny(3);
    expect(() => validateDataset(ds)).not.toThrow();
    const nan = { ...ds, images: Float32Array.from(ds.images) };
    nan.images[6] = Number.NaN;
    expect(() => validateDataset(nan, 'fit')).toThrow(/fit: image 1 has a non-finite value \(NaN\) at position 2/);
    expect(() => validateDataset({ ...ds, size: 4 })).toThrow(/images has 12 values, expected size × 2 × 2 × 1 = 16/);
    expect(() => validateDataset({ ...ds, labels: new Int32Array(2) })).toThrow(/labels has 2 entries for 3 images/);
    expect(() => validateDataset({ images: new Float32Array(0), shape: [2, 2, 1], size: 0 })).toThrow(/empty/);
    expect(() => validateDataset({ ...ds, shape: [2, 2] as unknown as [number, number, number] })).toThrow(/shape must be \[height, width, channels\]/);
  });
});
