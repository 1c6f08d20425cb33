import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

import { validateDataset } from '../../src/data/dataset.js';
import { decodeIdx, idxDataset, loadIdx, parseIdx } from '../../src/data/idx.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-idx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const TYPE_CODES = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e } as const;
const TYPE_BYTES = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 } as const;

/** An IDX file: magic 0x0000 TT RR, big-endian int32 dims, big-endian values. */
function idx(dims: number[], values: number[], dtype: keyof typeof TYPE_CODES = 'uint8'): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(TYPE_CODES[dtype], 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(values.length * TYPE_BYTES[dtype]);
  values.forEach((v, i) => {
    if (dtype === 'uint8') body.writeUInt8(v, i);
    else if (dtype === 'int8') body.writeInt8(v, i);
    else if (dtype === 'int16') body.writeInt16BE(v, 2 * i);
    else if (dtype === 'int32') body.writeInt32BE(v, 4 * i);
    else if (dtype === 'float32') body.writeFloatBE(v, 4 * i);
    else body.writeDoubleBE(v, 8 * i);
  });
  return Buffer.concat([header, body]);
}

/** Writes a file into the temp folder and returns its path. */
function write(name: string, bytes: Uint8Array): string {
  const file = path.join(directory, name);
  writeFileSync(file, bytes);
  return file;
}

// 3 images of 2×2, pixel i = 20·i; labels 7, 0, 3.
const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
const imagesFile = write('images-idx3-ubyte', idx([3, 2, 2], pixels));
const labelsFile = write('labels-idx1-ubyte', idx([3], [7, 0, 3]));
const scaled = (values: number[]) => values.map((v) => Math.fround(v / 255));

describe('parseIdx', () => {
  it('decodes every IDX type, big-endian, with its dimensions', () => {
    const bytes = parseIdx(idx([2, 3], [0, 1, 2, 253, 254, 255]), 'u8');
    expect(bytes.dtype).toBe('uint8');
    expect(bytes.dims).toEqual([2, 3]);
    expect(bytes.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes.data)).toEqual([0, 1, 2, 253, 254, 255]);
    const cases: [keyof typeof TYPE_CODES, number[], unknown][] = [
      ['int8', [-128, -1, 0, 127], Int8Array],
      ['int16', [-32768, -2, 258, 32767], Int16Array],
      ['int32', [-2147483648, -3, 16909060, 2147483647], Int32Array],
      ['float32', [-1.5, 0, 0.25, 3.5e10], Float32Array],
      ['float64', [-1e-300, 0, Math.PI, 1e300], Float64Array],
    ];
    for (const [dtype, values, type] of cases) {
      const parsed = parseIdx(idx([4], values, dtype), dtype);
      expect(parsed.dtype).toBe(dtype);
      expect(parsed.dims).toEqual([4]);
      expect(parsed.data).toBeInstanceOf(type);
      expect(Array.from(parsed.data)).toEqual(dtype === 'float32' ? values.map(Math.fround) : values);
    }
  });

  it('reads bytes without copying, from a view at any offset', () => {
    const file = idx([2], [9, 8]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const parsed = parseIdx(padded.subarray(3), 'offset');
    expect(Array.from(parsed.data)).toEqual([9, 8]);
    expect(parsed.data.buffer).toBe(padded.buffer);
    expect(Array.from(parseIdx(padded.subarray(3).slice(), 'copy').data)).toEqual([9, 8]);
    const wide = new Uint8Array(idx([2], [-7, 1 << 20], 'int32').length + 1);
    wide.set(idx([2], [-7, 1 << 20], 'int32'), 1);
    expect(Array.from(parseIdx(wide.subarray(1), 'unaligned').data)).toEqual([-7, 1 << 20]);
  });

  it('detects gzip by its magic bytes, whatever the name', () => {
    expect(Array.from(parseIdx(gzipSync(idx([2], [5, 6])), 'no-extension').data)).toEqual([5, 6]);
    expect(Array.from(parseIdx(idx([2], [5, 6]), 'plain.gz').data)).toEqual([5, 6]);
  });

  it('rejects bad magic numbers, unknown types, missing dimensions and wrong lengths, naming the file', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'bad')).toThrow(/^bad: not an IDX file \(bad magic number 0x01020304/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'weird')).toThrow(/^weird: not an IDX file \(magic number 0x00000a01 declares unknown data type 0x0a\)/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny')).toThrow(/^tiny: not an IDX file \(only 3 bytes/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'rank0')).toThrow(/^rank0: the IDX header .* declares no dimensions/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 'header')).toThrow(/^header: truncated IDX header \(8 bytes, the 3 dimensions need 16\)/);
    expect(() => parseIdx(idx([3, 2, 2], pixels.slice(0, 10)), 'short')).toThrow(
      /^short: the IDX header says 3 × 2 × 2 unsigned byte values = 12 bytes of data, but the file holds 10 \(truncated\)/,
    );
    expect(() => parseIdx(Buffer.concat([idx([2], [1, 2]), Buffer.from([0])]), 'long')).toThrow(/^long: .* holds 3 \(1 trailing bytes\)/);
    expect(() => parseIdx(idx([2], [1], 'int32'), 'ints')).toThrow(/^ints: the IDX header says 2 int \(int32\) values = 8 bytes of data, but the file holds 4 \(truncated\)/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 0, 1, 2]), 'corrupt.gz')).toThrow(/^corrupt\.gz: corrupt or truncated gzip data/);
    const gz = gzipSync(idx([100], Array.from({ length: 100 }, (_, i) => i)));
    expect(() => parseIdx(gz.subarray(0, gz.length - 10), 'cut.gz')).toThrow(/^cut\.gz: corrupt or truncated gzip data/);
  });
});

describe('loadIdx', () => {
  it('reads plain and gzipped IDX pairs, scaling pixels to [0, 1]', async () => {
    write('images.gz', gzipSync(idx([3, 2, 2], pixels)));
    write('labels.gz', gzipSync(idx([3], [7, 0, 3])));
    for (const [images, labels] of [[imagesFile, labelsFile], [path.join(directory, 'images.gz'), path.join(directory, 'labels.gz')]]) {
      const ds = await loadIdx(images, labels);
      expect(ds.shape).toEqual([2, 2, 1]);
      expect(ds.size).toBe(3);
      expect(ds.images).toBeInstanceOf(Float32Array);
      expect(Array.from(ds.images)).toEqual(scaled(pixels));
      expect(ds.labels).toBeInstanceOf(Int32Array);
      expect(Array.from(ds.labels!)).toEqual([7, 0, 3]);
      expect(ds.name).toBe(path.basename(images));
      expect(() => validateDataset(ds)).not.toThrow();
    }
    const full = await loadIdx(write('range.gz', gzipSync(idx([2, 1, 2], [0, 255, 128, 1]))));
    expect(Array.from(full.images)).toEqual([0, 1, Math.fround(128 / 255), Math.fround(1 / 255)]);
  });

  it('reads images with channels, float images in [0, 1], and labels of other integer types', async () => {
    const rgb = await loadIdx(write('rgb', idx([2, 1, 1, 3], [0, 51, 102, 153, 204, 255])));
    expect(rgb.shape).toEqual([1, 1, 3]);
    expect(rgb.size).toBe(2);
    expect(Array.from(rgb.images)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1].map(Math.fround));
    const floats = await loadIdx(write('floats', idx([2, 1, 2], [0, 0.25, 0.5, 1], 'float64')), write('int16-labels', idx([2], [300, -1], 'int16')));
    expect(Array.from(floats.images)).toEqual([0, 0.25, 0.5, 1]);
    expect(Array.from(floats.labels!)).toEqual([300, -1]);
  });

  it('honours offset and limit (cutting a limit past the end), and a name', async () => {
    const part = await loadIdx(imagesFile, labelsFile, { offset: 1, limit: 1, name: 'middle' });
    expect(part.size).toBe(1);
    expect(Array.from(part.images)).toEqual(scaled([80, 100, 120, 140]));
    expect(Array.from(part.labels!)).toEqual([0]);
    expect(part.name).toBe('middle');
    const tail = await loadIdx(imagesFile, undefined, { offset: 2, limit: 10 });
    expect(tail.size).toBe(1);
    expect(tail.labels).toBeUndefined();
    expect(Array.from(tail.images)).toEqual(scaled([160, 180, 200, 220]));
    expect((await loadIdx(imagesFile, undefined, { limit: 2 })).size).toBe(2);
    await expect(loadIdx(imagesFile, labelsFile, { offset: 3 })).rejects.toThrow(/loadIdx: offset 3 is outside \[0, 3\) \(.*images-idx3-ubyte holds 3 images\)/);
    await expect(loadIdx(imagesFile, labelsFile, { offset: -1 })).rejects.toThrow(/offset -1 is outside/);
    await expect(loadIdx(imagesFile, labelsFile, { limit: 0 })).rejects.toThrow(/loadIdx: limit must be a positive integer, got 0/);
    await expect(loadIdx(imagesFile, labelsFile, { limit: 1.5 })).rejects.toThrow(/limit must be a positive integer, got 1.5/);
  });

  it('names the file on a missing file, bad magic, truncation and a count mismatch', async () => {
    const absent = path.join(directory, 'absent-idx3-ubyte');
    await expect(loadIdx(absent)).rejects.toThrow(`Cannot read ${absent}: no such file.`);
    await expect(loadIdx(imagesFile, path.join(directory, 'no-labels'))).rejects.toThrow(/Cannot read .*no-labels: no such file/);
    const folder = path.join(directory, 'a-folder');
    mkdirSync(folder);
    await expect(loadIdx(folder)).rejects.toThrow(/Cannot read .*a-folder: it is a directory/);
    const bad = write('bad', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    await expect(loadIdx(bad)).rejects.toThrow(`${bad}: not an IDX file (bad magic number 0x01020304`);
    const short = write('short', idx([3, 2, 2], pixels.slice(0, 10)));
    await expect(loadIdx(short)).rejects.toThrow(`${short}: the IDX header says 3 × 2 × 2 unsigned byte values = 12 bytes of data, but the file holds 10 (truncated)`);
    const twoLabels = write('two-labels', idx([2], [1, 2]));
    await expect(loadIdx(imagesFile, twoLabels)).rejects.toThrow(`${twoLabels} has 2 labels but ${imagesFile} has 3 images.`);
    const truncatedGz = write('truncated.gz', gzipSync(idx([3, 2, 2], pixels)).subarray(0, 20));
    await expect(loadIdx(truncatedGz)).rejects.toThrow(`${truncatedGz}: corrupt or truncated gzip data`);
  });

  it('rejects unsupported layouts and types, naming the file', async () => {
    const vectors = write('vectors', idx([3, 4], pixels));
    await expect(loadIdx(vectors)).rejects.toThrow(`${vectors}: expected images [n, rows, cols] or [n, rows, cols, channels], got dimensions 3 × 4.`);
    const shorts = write('short-images', idx([1, 1, 2], [1, 2], 'int16'));
    await expect(loadIdx(shorts)).rejects.toThrow(`${shorts}: IDX images of type int16 are not supported`);
    const outOfRange = write('float-images', idx([1, 1, 2], [0.5, 3], 'float32'));
    await expect(loadIdx(outOfRange)).rejects.toThrow(`${outOfRange}: float IDX images must hold values in [0, 1]; image 0 has 3 at position 1.`);
    const floatLabels = write('float-labels', idx([3], [1, 2, 3], 'float32'));
    await expect(loadIdx(imagesFile, floatLabels)).rejects.toThrow(`${floatLabels}: IDX labels must be integers, got type float32.`);
    const matrixLabels = write('matrix-labels', idx([3, 1], [1, 2, 3]));
    await expect(loadIdx(imagesFile, matrixLabels)).rejects.toThrow(`${matrixLabels}: expected a 1-D label file, got dimensions 3 × 1.`);
    const empty = write('empty', idx([0, 2, 2], []));
    await expect(loadIdx(empty)).rejects.toThrow(`${empty}: the file holds no pixels (dimensions 0 × 2 × 2).`);
  });
});

describe('decodeIdx and idxDataset: IDX from memory or a fetch Response (browser-safe)', () => {
  const images = idx([3, 2, 2], [0, 51, 102, 255, 1, 2, 3, 4, 250, 251, 252, 253]);
  const labels = idx([3], [7, 8, 9]);

  it('decodes bytes, an ArrayBuffer, a Blob and a Response, plain or gzipped (DecompressionStream), like parseIdx', async () => {
    const expected = parseIdx(images, 'images');
    const gzipped = gzipSync(images);
    const arrayBuffer = images.buffer.slice(images.byteOffset, images.byteOffset + images.byteLength) as ArrayBuffer;
    for (const source of [images, arrayBuffer, new Blob([images]), new Response(images), gzipped, new Response(gzipped), new Blob([gzipped])]) {
      const decoded = await decodeIdx(source, 'images');
      expect(decoded.dims).toEqual(expected.dims);
      expect(Array.from(decoded.data)).toEqual(Array.from(expected.data));
    }
  });

  it('idxDataset gives what loadIdx gives for the same files, offset, limit and name included', async () => {
    const options = { offset: 1, limit: 2, name: 'tiny' };
    const fromDisk = await loadIdx(write('decode-images.idx', images), write('decode-labels.idx', labels), options);
    const fromMemory = await idxDataset(new Response(gzipSync(images)), labels, options);
    expect(fromMemory).toEqual(fromDisk);
    expect(Array.from(fromMemory.labels!)).toEqual([8, 9]);
    expect((await idxDataset(images)).name).toBe('images');
  });

  it('names what is wrong: corrupt gzip, an HTTP error, a wrong source, a header that does not match', async () => {
    const corrupt = gzipSync(images).subarray(0, 20);
    await expect(decodeIdx(corrupt, 'mnist.gz')).rejects.toThrow(/^mnist\.gz: corrupt or truncated gzip data/);
    const notFound = new Response('missing', { status: 404, statusText: 'Not Found' });
    await expect(decodeIdx(notFound, 'http://host/mnist.gz')).rejects.toThrow('decodeIdx: http://host/mnist.gz answered HTTP 404 Not Found.');
    await expect(decodeIdx([1, 2, 3] as unknown as Uint8Array)).rejects.toThrow(/^decodeIdx: the IDX source must be a Uint8Array, an ArrayBuffer, a Blob or a fetch Response; got an array/);
    await expect(decodeIdx(images.subarray(0, images.length - 1), 'short.idx')).rejects.toThrow(/^short\.idx: the IDX header says .* \(truncated\)/);
    await expect(idxDataset(images, idx([2], [1, 2]))).rejects.toThrow('labels has 2 labels but images has 3 images.');
  });
});
