import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { validateDataset } from '../../src/data/dataset.js';
import { STL10_IMAGE_BYTES, loadStl10 } from '../../src/data/stl10.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-stl10-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The byte of image `id` at (row y, column x, channel c). */
const pixel = (id: number, y: number, x: number, c: number) => (11 * id + y + 2 * x + 60 * c) % 256;

/** STL-10 images: per image the R, G, B planes, each 96x96 in column-major order (byte x·96 + y). */
function images(ids: number[]): Uint8Array {
  const bytes = new Uint8Array(ids.length * STL10_IMAGE_BYTES);
  ids.forEach((id, r) => {
    for (let c = 0; c < 3; c++) for (let x = 0; x < 96; x++) for (let y = 0; y < 96; y++) bytes[r * STL10_IMAGE_BYTES + c * 9216 + x * 96 + y] = pixel(id, y, x, c);
  });
  return bytes;
}

function writeStl(folder: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'train_X.bin'), images([0, 1, 2]));
  writeFileSync(path.join(folder, 'train_y.bin'), Uint8Array.from([1, 10, 4]));
  writeFileSync(path.join(folder, 'test_X.bin'), images([5, 6]));
  writeFileSync(path.join(folder, 'test_y.bin'), Uint8Array.from([2, 3]));
  writeFileSync(path.join(folder, 'unlabeled_X.bin'), images([7, 8, 9, 10]));
}

const flat = path.join(scratch, 'flat');
writeStl(flat);

describe('loadStl10', () => {
  it('transposes the column-major planes into row-major HWC and maps labels 1–10 to 0–9', async () => {
    const train = await loadStl10({ directory: flat });
    validateDataset(train);
    expect(train.shape).toEqual([96, 96, 3]);
    expect(train.size).toBe(3);
    expect(train.name).toBe('stl10-train');
    expect(Array.from(train.labels)).toEqual([0, 9, 3]);
    const at = (row: number, y: number, x: number, c: number) => train.images[row * STL10_IMAGE_BYTES + (y * 96 + x) * 3 + c];
    // Row 0, last column vs last row, column 0: a transposed reader would swap these.
    for (const [row, y, x, c] of [[0, 0, 95, 0], [0, 95, 0, 0], [1, 10, 3, 1], [2, 50, 77, 2], [2, 95, 95, 1]]) {
      expect(at(row, y, x, c)).toBeCloseTo(pixel(row, y, x, c) / 255, 6);
    }
    expect(at(0, 0, 95, 0)).not.toBeCloseTo(at(0, 95, 0, 0), 3);
    const test = await loadStl10({ directory: flat, split: 'test' });
    expect(Array.from(test.labels)).toEqual([1, 2]);
    expect(test.images[(3 * 96 + 4) * 3 + 2]).toBeCloseTo(pixel(5, 3, 4, 2) / 255, 6);
  });

  it('reads the unlabelled split without labels, windows with offset / limit, and accepts stl10_binary/', async () => {
    const unlabeled = await loadStl10({ directory: flat, split: 'unlabeled', offset: 1, limit: 2 });
    validateDataset(unlabeled);
    expect(unlabeled.labels).toBeUndefined();
    expect(unlabeled.size).toBe(2);
    expect(unlabeled.images[STL10_IMAGE_BYTES + (7 * 96 + 9) * 3]).toBeCloseTo(pixel(9, 7, 9, 0) / 255, 6);
    const extracted = path.join(scratch, 'extracted');
    writeStl(path.join(extracted, 'stl10_binary'));
    const window = await loadStl10({ directory: extracted, split: 'train', offset: 2 });
    expect(window.size).toBe(1);
    expect(Array.from(window.labels)).toEqual([3]);
  });

  it('gives clear errors for a missing directory or file, bad sizes, label count mismatches and bad labels', async () => {
    await expect(loadStl10({ directory: path.join(scratch, 'nowhere') })).rejects.toThrow(/directory .*nowhere does not exist/);
    const noLabels = path.join(scratch, 'no-labels');
    mkdirSync(noLabels);
    writeFileSync(path.join(noLabels, 'train_X.bin'), images([0]));
    await expect(loadStl10({ directory: noLabels })).rejects.toThrow(/train_y.bin not found/);
    await expect(loadStl10({ directory: noLabels, split: 'unlabeled' })).rejects.toThrow(/unlabeled_X.bin not found/);
    const truncated = path.join(scratch, 'truncated');
    writeStl(truncated);
    writeFileSync(path.join(truncated, 'test_X.bin'), images([0, 1]).subarray(0, 30000));
    await expect(loadStl10({ directory: truncated, split: 'test' })).rejects.toThrow(/test_X.bin has 30000 bytes, not a positive multiple of 27648/);
    writeFileSync(path.join(truncated, 'train_y.bin'), Uint8Array.from([1, 2]));
    await expect(loadStl10({ directory: truncated })).rejects.toThrow(/train_y.bin holds 2 labels but .*train_X.bin holds 3 images/);
    writeFileSync(path.join(truncated, 'train_y.bin'), Uint8Array.from([1, 0, 2]));
    await expect(loadStl10({ directory: truncated })).rejects.toThrow(/byte 1 is label 0, not 1–10/);
    await expect(loadStl10({ directory: flat, split: 'extra' as 'train' })).rejects.toThrow(/split must be 'train', 'test' or 'unlabeled', got 'extra'/);
  });
});
