import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/index.js';
import { datasetFromTensor, flattenedDimension, gatherRows, split, subset, toTensor, validateDataset } from '../../src/data/dataset.js';
import type { ByteImageDataset, ImageDataset } from '../../src/data/dataset.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/**
 * `size` images of 2×2×1; image i holds (4i, 4i+1, 4i+2, 4i+3) / (4·size), so every value
 * identifies its row; label i % 3.
 */
function tiny(size: number, name?: string): ImageDataset {
  const ds: ImageDataset = {
    images: Float32Array.from({ length: size * 4 }, (_, i) => i / (size * 4)),
    labels: Int32Array.from({ length: size }, (_, i) => i % 3),
    shape: [2, 2, 1],
    size,
  };
  if (name !== undefined) ds.name = name;
  return ds;
}

/** Which source rows a dataset built from `tiny(size)` holds, read off its first pixels. */
function rowsOf(ds: ImageDataset, size: number): number[] {
  return Array.from({ length: ds.size }, (_, r) => Math.round((ds.images[r * 4] * size * 4) / 4));
}

describe('flattenedDimension', () => {
  it('is height × width × channels', () => {
    expect(flattenedDimension({ shape: [28, 28, 1] })).toBe(784);
    expect(flattenedDimension({ shape: [32, 32, 3] })).toBe(3072);
  });
});

describe('validateDataset', () => {
  it('accepts a consistent dataset, with or without labels', () => {
    const ds = tiny(3);
    expect(() => validateDataset(ds)).not.toThrow();
    expect(() => validateDataset({ ...ds, labels: undefined })).not.toThrow();
  });

  it('reports the first NaN or infinity by image, position and flat index', () => {
    const ds = tiny(3);
    const nan = { ...ds, images: Float32Array.from(ds.images) };
    nan.images[6] = Number.NaN;
    nan.images[9] = Number.NaN;
    expect(() => validateDataset(nan, 'fit')).toThrow(/^fit: image 1 has a non-finite value \(NaN\) at position 2 \(images\[6\]\)/);
    const inf = { ...ds, images: Float32Array.from(ds.images) };
    inf.images[11] = -Infinity;
    expect(() => validateDataset(inf)).toThrow(/^dataset: image 2 has a non-finite value \(-Infinity\) at position 3 \(images\[11\]\)/);
  });

  it('rejects wrong lengths, emptiness, bad shapes and wrong array types', () => {
    const ds = tiny(3);
    expect(() => validateDataset({ ...ds, size: 4 })).toThrow(/images has 12 values, expected size × 2 × 2 × 1 = 16/);
    expect(() => validateDataset({ ...ds, images: new Float32Array(11) })).toThrow(/images has 11 values/);
    expect(() => validateDataset({ ...ds, labels: new Int32Array(2) })).toThrow(/labels has 2 entries for 3 images/);
    expect(() => validateDataset({ images: new Float32Array(0), shape: [2, 2, 1], size: 0 }, 'IIC.fit')).toThrow(/^IIC.fit: the dataset is empty \(size 0\)/);
    expect(() => validateDataset({ ...ds, size: -1 })).toThrow(/size must be a non-negative integer, got -1/);
    expect(() => validateDataset({ ...ds, shape: [2, 2] as unknown as [number, number, number] })).toThrow(/shape must be \[height, width, channels\]/);
    expect(() => validateDataset({ ...ds, shape: [2, 0, 1] })).toThrow(/shape must be/);
    expect(() => validateDataset({ ...ds, images: Array.from(ds.images) as unknown as Float32Array })).toThrow(/images must be a Float32Array .*got Array/);
    expect(() => validateDataset({ ...ds, labels: [0, 1, 2] as unknown as Int32Array })).toThrow(/labels must be an Int32Array, got Array/);
    expect(() => validateDataset(null as unknown as ImageDataset)).toThrow(/expected an ImageDataset/);
  });
});

describe('subset', () => {
  it('gathers a list of rows (in order, repeats allowed) into new arrays', () => {
    const ds = tiny(10, 'tiny');
    const picked = subset(ds, [9, 0, 9]);
    expect(picked.size).toBe(3);
    expect(picked.shape).toEqual([2, 2, 1]);
    expect(picked.name).toBe('tiny');
    expect(rowsOf(picked, 10)).toEqual([9, 0, 9]);
    expect(Array.from(picked.labels!)).toEqual([0, 0, 0]);
    expect(Array.from(picked.images.subarray(0, 4))).toEqual(Array.from(ds.images.subarray(36, 40)));
    picked.images[0] = 0.123;
    expect(ds.images[36]).not.toBe(0.123);
    expect(() => validateDataset(picked)).not.toThrow();
    expect(subset(ds, Int32Array.of(1, 2)).size).toBe(2);
  });

  it('takes a range as views sharing memory with the source', () => {
    const ds = tiny(10);
    const range = subset(ds, { start: 2, end: 5 });
    expect(range.size).toBe(3);
    expect(rowsOf(range, 10)).toEqual([2, 3, 4]);
    expect(Array.from(range.labels!)).toEqual([2, 0, 1]);
    expect(range.images.buffer).toBe(ds.images.buffer);
    expect(range.shape).not.toBe(ds.shape);
    expect(() => validateDataset(range)).not.toThrow();
    expect(subset({ ...ds, labels: undefined }, { start: 0, end: 1 }).labels).toBeUndefined();
  });

  it('rejects rows and ranges outside the dataset', () => {
    const ds = tiny(10);
    expect(() => subset(ds, [10])).toThrow(/subset: row index 10 is out of range \[0, 10\)/);
    expect(() => subset(ds, [-1])).toThrow(/row index -1/);
    expect(() => subset(ds, [1.5])).toThrow(/row index 1.5/);
    expect(() => subset(ds, { start: 5, end: 11 })).toThrow(/subset: range \[5, 11\) is not within \[0, 10\]/);
    expect(() => subset(ds, { start: 6, end: 5 })).toThrow(/range \[6, 5\)/);
  });
});

describe('gatherRows', () => {
  it('copies rows in the listed order', () => {
    const ds = tiny(4);
    expect(Array.from(gatherRows(ds, [3, 1]))).toEqual([...Array.from(ds.images.subarray(12, 16)), ...Array.from(ds.images.subarray(4, 8))]);
    expect(gatherRows(ds, [])).toHaveLength(0);
  });
});

describe('split', () => {
  it('splits by fraction into disjoint parts covering every image, reproducibly for a seed', () => {
    const ds = tiny(10);
    const { train, test } = split(ds, 0.3, { seed: 1 });
    expect([train.size, test.size]).toEqual([7, 3]);
    const rows = [...rowsOf(train, 10), ...rowsOf(test, 10)];
    expect([...rows].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    train.labels!.forEach((label, r) => expect(label).toBe(rowsOf(train, 10)[r] % 3));
    const again = split(ds, 0.3, { seed: 1 });
    expect(rowsOf(again.test, 10)).toEqual(rowsOf(test, 10));
    const seeds = [2, 3, 4, 5].map((seed) => rowsOf(split(ds, 0.3, { seed }).test, 10).join());
    expect(new Set([...seeds, rowsOf(test, 10).join()]).size).toBeGreaterThan(1);
  });

  it('splits by count, and without shuffling keeps the order (test = the last rows)', () => {
    const ds = tiny(10);
    const byCount = split(ds, 4, { seed: 3 });
    expect([byCount.train.size, byCount.test.size]).toEqual([6, 4]);
    expect(split(ds, 1).test.size).toBe(1);
    const ordered = split(ds, 0.2, { shuffle: false });
    expect(rowsOf(ordered.train, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rowsOf(ordered.test, 10)).toEqual([8, 9]);
  });

  it('rejects sizes that leave a part empty', () => {
    const ds = tiny(10);
    expect(() => split(ds, 10)).toThrow(/split: test size 10 must be a fraction in \(0, 1\) or a count in \[1, 9\]/);
    expect(() => split(ds, 0)).toThrow(/test size 0/);
    expect(() => split(ds, 0.01)).toThrow(/test size 0.01/);
    expect(() => split(ds, 0.99)).toThrow(/test size 0.99/);
    expect(() => split(ds, 2.5)).toThrow(/test size 2.5/);
    expect(() => split(ds, Number.NaN)).toThrow(/test size NaN/);
  });
});

describe('toTensor and datasetFromTensor', () => {
  it('makes [n, h, w, c] tensors of all rows, a range or a list of rows', async () => {
    const ds = tiny(5);
    const before = tf.memory().numTensors;
    const all = toTensor(ds);
    expect(all.shape).toEqual([5, 2, 2, 1]);
    expect(Array.from(await all.data())).toEqual(Array.from(ds.images));
    const range = toTensor(ds, { start: 1, end: 3 });
    expect(range.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(await range.data())).toEqual(Array.from(ds.images.subarray(4, 12)));
    const listed = toTensor(ds, [4, 0]);
    expect(Array.from(await listed.data())).toEqual([...Array.from(ds.images.subarray(16, 20)), ...Array.from(ds.images.subarray(0, 4))]);
    // A range of a subarray dataset starts at the right offset.
    const view = subset(ds, { start: 2, end: 5 });
    const fromView = toTensor(view, { start: 1, end: 2 });
    expect(Array.from(await fromView.data())).toEqual(Array.from(ds.images.subarray(12, 16)));
    const total = tf.sum(fromView);
    expect((await total.data())[0]).toBeCloseTo((12 + 13 + 14 + 15) / 20, 6);
    tf.dispose([all, range, listed, fromView, total]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensor(ds, [])).toThrow(/toTensor: no rows selected/);
    expect(() => toTensor(ds, [5])).toThrow(/toTensor: row index 5 is out of range/);
    expect(() => toTensor(ds, { start: 0, end: 6 })).toThrow(/toTensor: range \[0, 6\)/);
  });

  it('round-trips through a tensor, copying the pixels, with labels from an array, a tensor or options', async () => {
    const ds = tiny(4);
    const t = toTensor(ds, [1, 2]);
    const back = await datasetFromTensor(t, [5, 6]);
    expect(back.shape).toEqual([2, 2, 1]);
    expect(back.size).toBe(2);
    expect(Array.from(back.images)).toEqual(Array.from(ds.images.subarray(4, 12)));
    expect(Array.from(back.labels!)).toEqual([5, 6]);
    back.images[0] = 42;
    expect((await t.data())[0]).not.toBe(42);
    const labels = tf.tensor1d([1, 0], 'int32');
    const withTensor = await datasetFromTensor(t, labels);
    expect(Array.from(withTensor.labels!)).toEqual([1, 0]);
    const named = await datasetFromTensor(t, { labels: Int32Array.of(3, 4), name: 'round-trip' });
    expect([named.name, Array.from(named.labels!)]).toEqual(['round-trip', [3, 4]]);
    const unlabelled = await datasetFromTensor(t);
    expect(unlabelled.labels).toBeUndefined();
    expect(() => validateDataset(named)).not.toThrow();
    await expect(datasetFromTensor(t, [1])).rejects.toThrow(/datasetFromTensor: 1 labels for 2 images/);
    await expect(datasetFromTensor(t, [1, 0.5])).rejects.toThrow(/label 1 is 0.5, not an integer/);
    const flat = tf.zeros([2, 4]);
    await expect(datasetFromTensor(flat)).rejects.toThrow(/expected images \[n, height, width, channels\], got shape \[2,4\]/);
    tf.dispose([t, labels, flat]);
  });
});

describe('8-bit pixels (ByteImageDataset): stored as bytes, converted when gathered', () => {
  const bytes = Uint8Array.from({ length: 5 * 4 }, (_, i) => (i * 13) % 256);
  const byteSet: ByteImageDataset = { images: bytes, labels: Int32Array.from([0, 1, 2, 0, 1]), shape: [2, 2, 1], size: 5, name: 'bytes' };
  const floatSet: ImageDataset = { ...byteSet, images: Float32Array.from(bytes, (b) => Math.fround(b / 255)) };

  it('validateDataset accepts them; a pixelRange narrower than [0, 1] is checked on byte / 255', () => {
    validateDataset(byteSet);
    expect(() => validateDataset({ ...byteSet, pixelRange: [0, 0.5] })).toThrow(/pixel values lie in \[0, 0\.9\d+\] but must be in \[0, 0\.5\]/);
    expect(() => validateDataset({ ...byteSet, images: new Uint8ClampedArray(20) as unknown as Uint8Array })).toThrow(/images must be a Float32Array .*got Uint8ClampedArray/);
  });

  it('gatherRows and toTensor give the floats byte / 255, exactly as a float dataset of the same bytes', async () => {
    expect(gatherRows(byteSet, [4, 0, 2])).toEqual(gatherRows(floatSet, [4, 0, 2]));
    const before = tf.memory().numTensors;
    for (const rows of [undefined, { start: 1, end: 4 }, [3, 3, 0]] as const) {
      const a = toTensor(byteSet, rows);
      const b = toTensor(floatSet, rows);
      expect(a.dtype).toBe('float32');
      expect(await a.data()).toEqual(await b.data());
      tf.dispose([a, b]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('subset and split keep the bytes (a range shares them, a list copies them)', () => {
    const range = subset(byteSet, { start: 1, end: 3 });
    expect(range.images).toBeInstanceOf(Uint8Array);
    expect(range.images.buffer).toBe(bytes.buffer);
    expect(Array.from(range.images)).toEqual(Array.from(bytes.subarray(4, 12)));
    const listed = subset(byteSet, [4, 1]);
    expect(listed.images).toBeInstanceOf(Uint8Array);
    expect(Array.from(listed.images)).toEqual([...bytes.subarray(16, 20), ...bytes.subarray(4, 8)]);
    expect(Array.from(listed.labels!)).toEqual([1, 1]);
    const { train, test } = split(byteSet, 2, { seed: 3 });
    expect(train.images).toBeInstanceOf(Uint8Array);
    expect(train.size + test.size).toBe(5);
    expect(() => subset(byteSet, [5])).toThrow(/subset: row index 5 is out of range \[0, 5\)/);
  });
});
