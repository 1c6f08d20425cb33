import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

import { loadIdx, parseIdx } from '../../src/data/idx.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-idx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** An IDX file: magic 0x0000 08 rank, big-endian dims, bytes. */
function idx(dims: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
writeFileSync(path.join(directory, 'images'), idx([3, 2, 2], pixels));
writeFileSync(path.join(directory, 'labels'), idx([3], [7, 0, 3]));
writeFileSync(path.join(directory, 'images.gz'), gzipSync(idx([3, 2, 2], pixels)));
writeFileSync(path.join(directory, 'labels.gz'), gzipSync(idx([3], [7, 0, 3])));

describe('loadIdx', () => {
  it('reads plain and gzipped IDX pairs, scaling pixels to [0, 1]', async () => {
    for (const [images, labels] of [['images', 'labels'], ['images.gz', 'labels.gz']]) {
      const ds = await loadIdx(path.join(directory, images), path.join(directory, labels));
      expect(ds.shape).toEqual([2, 2, 1]);
      expect(ds.size).toBe(3);
      expect(Array.from(ds.labels!)).toEqual([7, 0, 3]);
      expect(ds.images[5]).toBeCloseTo(100 / 255, 7);
    }
    const part = await loadIdx(path.join(directory, 'images'), undefined, { offset: 1, limit: 1 });
    expect(part.labels).toBeUndefined();
    expect(Array.from(part.images)).toEqual([80, 100, 120, 140].map((v) => Math.fround(v / 255)));
  });

  it('names the file on a missing file, bad magic, truncation and count mismatch', async () => {
    await expect(loadIdx(path.join(directory, 'absent'))).rejects.toThrow(/absent: no such file/);
    writeFileSync(path.join(directory, 'bad'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    await expect(loadIdx(path.join(directory, 'bad'))).rejects.toThrow(/bad: not an IDX file \(bad magic number 0x01020304\)/);
    writeFileSync(path.join(directory, 'short'), idx([3, 2, 2], pixels.slice(0, 10)));
    await expect(loadIdx(path.join(directory, 'short'))).rejects.toThrow(/short: the header says 3 × 2 × 2 = 12 values but the file holds 10 \(truncated\)/);
    writeFileSync(path.join(directory, 'two-labels'), idx([2], [1, 2]));
    await expect(loadIdx(path.join(directory, 'images'), path.join(directory, 'two-labels'))).rejects.toThrow(/two-labels has 2 labels but .*images has 3 images/);
    writeFileSync(path.join(directory, 'corrupt.gz'), Buffer.from([0x1f, 0x8b, 0, 1, 2]));
    await expect(loadIdx(path.join(directory, 'corrupt.gz'))).rejects.toThrow(/corrupt\.gz: corrupt gzip data/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'floats')).toThrow(/floats: IDX data of type float is not supported/);
  });
});
