import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/index.js';
import { batchIndices, gatherImages, iterateBatches } from '../../src/data/batching.js';
import type { ByteImageDataset, ImageDataset } from '../../src/data/dataset.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** `size` images of 3×3×2 whose every value is its row index / 1000; label row % 4. */
function rowsDataset(size: number, labelled = true): ImageDataset {
  const d = 18;
  const images = new Float32Array(size * d);
  for (let i = 0; i < size; i++) images.fill(i / 1000, i * d, (i + 1) * d);
  const ds: ImageDataset = { images, shape: [3, 3, 2], size };
  if (labelled) ds.labels = Int32Array.from({ length: size }, (_, i) => i % 4);
  return ds;
}

const flat = (batches: Int32Array[]) => batches.flatMap((b) => Array.from(b));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('batchIndices', () => {
  it('covers every index exactly once per epoch, reproducibly for a seed', () => {
    const batches = batchIndices(10, 4, { seed: 7 });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(sorted(flat(batches))).toEqual(range(10));
    expect(flat(batchIndices(10, 4, { seed: 7 }))).toEqual(flat(batches));
    expect(flat(batchIndices(10, 4, { seed: 8 }))).not.toEqual(flat(batches));
    expect(flat(batchIndices(10, 4))).toEqual(flat(batchIndices(10, 4, { seed: 0 })));
    for (let epoch = 0; epoch < 5; epoch++) {
      const order = flat(batchIndices(1000, 64, { seed: 100 + epoch }));
      expect(order).toHaveLength(1000);
      expect(new Set(order).size).toBe(1000);
      expect(order).not.toEqual(range(1000));
    }
  });

  it('keeps the order without shuffling, drops a short last batch on request, and handles n = 0', () => {
    expect(batchIndices(5, 2, { shuffle: false }).map((b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchIndices(10, 4, { dropRemainder: true }).map((b) => b.length)).toEqual([4, 4]);
    expect(batchIndices(8, 4, { dropRemainder: true })).toHaveLength(2);
    expect(batchIndices(3, 4, { dropRemainder: true })).toEqual([]);
    expect(batchIndices(0, 4)).toEqual([]);
    expect(batchIndices(3, 100).map((b) => b.length)).toEqual([3]);
  });

  it('rejects invalid sizes', () => {
    expect(() => batchIndices(5, 0)).toThrow(/batchIndices: batchSize must be a positive integer, got 0/);
    expect(() => batchIndices(5, 2.5)).toThrow(/batchSize must be a positive integer, got 2.5/);
    expect(() => batchIndices(-1, 2)).toThrow(/batchIndices: n must be a non-negative integer, got -1/);
  });
});

describe('gatherImages', () => {
  it('copies the listed rows into a new Float32Array', () => {
    const ds = rowsDataset(5);
    const out = gatherImages(ds, Int32Array.of(4, 1));
    expect(out).toHaveLength(36);
    expect(Array.from(new Set(out.subarray(0, 18)))).toEqual([Math.fround(0.004)]);
    expect(Array.from(new Set(out.subarray(18)))).toEqual([Math.fround(0.001)]);
    expect(out.buffer).not.toBe(ds.images.buffer);
    expect(() => gatherImages(ds, [5])).toThrow(/gatherImages: row index 5 is out of range \[0, 5\)/);
  });
});

describe('iterateBatches', () => {
  it('yields every row exactly once per epoch, images and labels matching their indices', async () => {
    const ds = rowsDataset(23);
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const { x, y, indices } of iterateBatches(ds, { batchSize: 5, seed: 3 })) {
      expect(x.shape).toEqual([indices.length, 3, 3, 2]);
      expect(x.dtype).toBe('float32');
      expect(y!.dtype).toBe('int32');
      const pixels = await x.data();
      const labels = await y!.data();
      indices.forEach((row, j) => {
        expect(pixels[j * 18]).toBeCloseTo(row / 1000, 7);
        expect(pixels[j * 18 + 17]).toBeCloseTo(row / 1000, 7);
        expect(labels[j]).toBe(row % 4);
      });
      seen.push(...indices);
      sizes.push(indices.length);
      tf.dispose([x, y!]);
    }
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    expect(sorted(seen)).toEqual(range(23));
    expect(seen).toEqual(flat(batchIndices(23, 5, { seed: 3 })));
  });

  it('is reproducible for a seed, differs across seeds, and honours shuffle and dropRemainder', () => {
    const ds = rowsDataset(20);
    const order = (options: Parameters<typeof iterateBatches>[1]) => {
      const rows: number[][] = [];
      for (const batch of iterateBatches(ds, options)) {
        rows.push(Array.from(batch.indices));
        tf.dispose([batch.x, batch.y!]);
      }
      return rows;
    };
    expect(order({ batchSize: 6, seed: 1 })).toEqual(order({ batchSize: 6, seed: 1 }));
    expect(order({ batchSize: 6, seed: 1 })).not.toEqual(order({ batchSize: 6, seed: 2 }));
    expect(order({ batchSize: 8, shuffle: false })).toEqual([range(8), range(16).slice(8), [16, 17, 18, 19]]);
    expect(order({ batchSize: 6, seed: 1, dropRemainder: true }).map((b) => b.length)).toEqual([6, 6, 6]);
    expect(order({}).map((b) => b.length)).toEqual([20]);
  });

  it('returns tf.memory().numTensors to its baseline once the batches are disposed, and never holds the whole dataset', () => {
    const ds = rowsDataset(100);
    const baseline = tf.memory().numTensors;
    const baselineBytes = tf.memory().numBytes;
    let batches = 0;
    for (const batch of iterateBatches(ds, { batchSize: 16, seed: 9 })) {
      // Only this batch's x and y exist: n images × 18 floats + n int32 labels (n = 16, last 4).
      const n = batch.indices.length;
      expect(tf.memory().numTensors - baseline).toBe(2);
      expect(tf.memory().numBytes - baselineBytes).toBe(n * 18 * 4 + n * 4);
      tf.dispose([batch.x, batch.y!]);
      batches++;
    }
    expect(batches).toBe(7);
    expect(tf.memory().numTensors).toBe(baseline);
    // Stopping early leaks nothing beyond the batch already taken.
    for (const batch of iterateBatches(ds, { batchSize: 10 })) {
      tf.dispose([batch.x, batch.y!]);
      break;
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('yields no y for an unlabelled dataset', () => {
    const ds = rowsDataset(4, false);
    const baseline = tf.memory().numTensors;
    for (const batch of iterateBatches(ds, { batchSize: 3 })) {
      expect(batch.y).toBeUndefined();
      batch.x.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects a dataset whose arrays do not match its size', () => {
    const ds = rowsDataset(4);
    expect(() => iterateBatches({ ...ds, size: 5 }, { batchSize: 2 }).next()).toThrow(/iterateBatches: images has 72 values, expected size × 3 × 3 × 2 = 90/);
    expect(() => iterateBatches({ ...ds, labels: new Int32Array(3) }).next()).toThrow(/iterateBatches: labels has 3 entries for 4 images/);
    expect(() => iterateBatches(ds, { batchSize: 0 }).next()).toThrow(/batchSize must be a positive integer/);
  });
});

describe('iterateBatches on 8-bit pixels', () => {
  it('yields float32 batches of byte / 255, the same as a float dataset of the same bytes', async () => {
    const bytes = Uint8Array.from({ length: 7 * 4 }, (_, i) => (i * 37) % 256);
    const byteSet: ByteImageDataset = { images: bytes, shape: [2, 2, 1], size: 7 };
    const floatSet: ImageDataset = { ...byteSet, images: Float32Array.from(bytes, (b) => b / 255) };
    expect(gatherImages(byteSet, [6, 1])).toEqual(gatherImages(floatSet, [6, 1]));
    const before = tf.memory().numTensors;
    const fromFloats = Array.from(iterateBatches(floatSet, { batchSize: 3, seed: 2 }));
    const fromBytes = Array.from(iterateBatches(byteSet, { batchSize: 3, seed: 2 }));
    expect(fromBytes.map((b) => Array.from(b.indices))).toEqual(fromFloats.map((b) => Array.from(b.indices)));
    for (let i = 0; i < fromBytes.length; i++) {
      expect(fromBytes[i].x.dtype).toBe('float32');
      expect(await fromBytes[i].x.data()).toEqual(await fromFloats[i].x.data());
    }
    tf.dispose([...fromBytes.map((b) => b.x), ...fromFloats.map((b) => b.x)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
