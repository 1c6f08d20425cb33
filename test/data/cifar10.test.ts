import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { CIFAR10_RECORD_BYTES, loadCifar10 } from '../../src/data/cifar10.js';
import { validateDataset } from '../../src/data/dataset.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-cifar10-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The byte of record `id` at (row y, column x, channel c): distinct for nearby positions and records. */
const pixel = (id: number, y: number, x: number, c: number) => (7 * id + 3 * y + 5 * x + 80 * c) % 256;

/** CIFAR-10 records: a label byte, then the R, G, B planes of 32x32 bytes, row-major. */
function records(ids: number[]): Uint8Array {
  const bytes = new Uint8Array(ids.length * CIFAR10_RECORD_BYTES);
  ids.forEach((id, r) => {
    const base = r * CIFAR10_RECORD_BYTES;
    bytes[base] = id % 10;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) bytes[base + 1 + c * 1024 + y * 32 + x] = pixel(id, y, x, c);
  });
  return bytes;
}

/** A CIFAR-10 folder: five training batches of 2, 1, 1, 1, 2 records (ids 0–6) and a test batch of 3 (ids 100–102). */
function writeCifar(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const sizes = [2, 1, 1, 1, 2];
  let id = 0;
  sizes.forEach((n, i) => {
    writeFileSync(path.join(folder, `data_batch_${i + 1}.bin`), records(Array.from({ length: n }, () => id++)));
  });
  writeFileSync(path.join(folder, 'test_batch.bin'), records([100, 101, 102]));
}

const flat = path.join(scratch, 'flat');
writeCifar(flat);
const extracted = path.join(scratch, 'extracted');
writeCifar(path.join(extracted, 'cifar-10-batches-bin'));

describe('loadCifar10', () => {
  it('reads records in file order into NHWC pixels in [0, 1] with their labels', async () => {
    const train = await loadCifar10({ directory: flat });
    validateDataset(train);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(train.size).toBe(7);
    expect(train.name).toBe('cifar10-train');
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const [row, y, x, c] of [[0, 0, 0, 0], [3, 0, 31, 1], [6, 31, 0, 2], [5, 17, 9, 1]]) {
      expect(train.images[row * 3072 + (y * 32 + x) * 3 + c]).toBeCloseTo(pixel(row, y, x, c) / 255, 6);
    }
    const test = await loadCifar10({ directory: flat, split: 'test' });
    expect(Array.from(test.labels)).toEqual([0, 1, 2]);
    expect(test.images[(2 * 32 + 1) * 3]).toBeCloseTo(pixel(100, 2, 1, 0) / 255, 6);
  });

  it('takes a window across files with offset and limit, and accepts the archive folder', async () => {
    const part = await loadCifar10({ directory: extracted, offset: 1, limit: 4 });
    expect(part.size).toBe(4);
    expect(Array.from(part.labels)).toEqual([1, 2, 3, 4]);
    expect(part.images[3072 + 5]).toBeCloseTo(pixel(2, 0, 1, 2) / 255, 6);
    expect((await loadCifar10({ directory: flat, limit: 100 })).size).toBe(7);
  });

  it('gives clear errors for a missing directory, missing files, bad sizes and bad labels', async () => {
    await expect(loadCifar10({ directory: path.join(scratch, 'nowhere') })).rejects.toThrow(/directory .*nowhere does not exist/);
    const partial = path.join(scratch, 'partial');
    mkdirSync(partial);
    writeFileSync(path.join(partial, 'data_batch_1.bin'), records([0]));
    await expect(loadCifar10({ directory: partial })).rejects.toThrow(/data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin not found/);
    const truncated = path.join(scratch, 'truncated');
    writeCifar(truncated);
    writeFileSync(path.join(truncated, 'test_batch.bin'), records([1]).subarray(0, 3000));
    await expect(loadCifar10({ directory: truncated, split: 'test' })).rejects.toThrow(/test_batch.bin has 3000 bytes, not a positive multiple of 3073/);
    const badLabel = path.join(scratch, 'bad-label');
    writeCifar(badLabel);
    const bytes = records([0, 1]);
    bytes[CIFAR10_RECORD_BYTES] = 42;
    writeFileSync(path.join(badLabel, 'test_batch.bin'), bytes);
    await expect(loadCifar10({ directory: badLabel, split: 'test' })).rejects.toThrow(/record 1 has label 42, not 0–9/);
    await expect(loadCifar10({ directory: flat, split: 'valid' as 'test' })).rejects.toThrow(/split must be 'train' or 'test', got 'valid'/);
    await expect(loadCifar10({ directory: flat, offset: 7 })).rejects.toThrow(/offset 7 is outside \[0, 7\)/);
    await expect(loadCifar10({ directory: flat, limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
  });
});
