import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { npyHeader, NpyWriter } from '../../src/data/npy_writer.js';
import { numpyReadBackAvailable, PYTHON } from '../helpers/read_back.js';

/**
 * The streaming .npy writer: the header (magic, version 1.0, a dictionary padded to 64 bytes),
 * chunks appended, the file renamed into place only when complete; read back by numpy when
 * /usr/bin/python3 has it (skipped with a message otherwise, but never when CI=true: CI installs
 * python3-numpy).
 */

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-npy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const numpyAvailable = numpyReadBackAvailable('npy_writer.test');

/** Parses a version 1.0 header: the dictionary text and where the data starts. */
function readHeader(bytes: Uint8Array): { dictionary: string; dataOffset: number } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const length = bytes[8] + 256 * bytes[9];
  return { dictionary: Buffer.from(bytes.subarray(10, 10 + length)).toString('latin1'), dataOffset: 10 + length };
}

describe('npyHeader', () => {
  it('is padded to a multiple of 64 bytes, ends in a newline and names dtype, order and shape', () => {
    for (const [dtype, shape, descr, shapeText] of [
      ['float32', [3, 4], '<f4', '(3, 4)'],
      ['int32', [7], '<i4', '(7,)'],
      ['uint8', [2, 28, 28, 1], '|u1', '(2, 28, 28, 1)'],
    ] as const) {
      const header = npyHeader(dtype, shape);
      expect(header.length % 64).toBe(0);
      const { dictionary, dataOffset } = readHeader(header);
      expect(dataOffset).toBe(header.length);
      expect(dictionary.endsWith('\n')).toBe(true);
      expect(dictionary.trimEnd()).toBe(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`);
    }
  });
});

describe('NpyWriter', () => {
  it('writes chunks after the header; the file appears on close', async () => {
    const file = path.join(root, 'features.npy');
    const rows = 1000;
    const cols = 7;
    const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 1e3 + i / 7);
    const writer = await NpyWriter.create(file, 'float32', [rows, cols]);
    for (let start = 0; start < rows; start += 300) await writer.write(values.slice(start * cols, Math.min(rows, start + 300) * cols));
    expect(existsSync(file)).toBe(false);
    await writer.close();
    const bytes = new Uint8Array(readFileSync(file));
    const { dictionary, dataOffset } = readHeader(bytes);
    expect(dictionary).toContain("'shape': (1000, 7)");
    const data = new Float32Array(bytes.slice(dataOffset).buffer);
    expect(data).toEqual(values);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(!numpyAvailable)('numpy reads the arrays back: same dtype, shape and values', async () => {
    const features = path.join(root, 'numpy-features.npy');
    const labels = path.join(root, 'numpy-labels.npy');
    const rows = 513;
    const cols = 5;
    const values = Float32Array.from({ length: rows * cols }, (_, i) => (i % 11) - 5 + i * 1e-3);
    const labelValues = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10 - 2);
    const writer = await NpyWriter.create(features, 'float32', [rows, cols]);
    await writer.write(values.slice(0, 100 * cols));
    await writer.write(values.slice(100 * cols));
    await writer.close();
    const labelWriter = await NpyWriter.create(labels, 'int32', [rows]);
    await labelWriter.write(labelValues);
    await labelWriter.close();
    const script = [
      'import json, sys, numpy as np',
      'x = np.load(sys.argv[1]); y = np.load(sys.argv[2])',
      'print(json.dumps({"dtype": str(x.dtype), "shape": list(x.shape), "x": x.astype(float).ravel().tolist(), "ydtype": str(y.dtype), "y": y.tolist()}))',
    ].join('\n');
    const child = spawnSync(PYTHON, ['-c', script, features, labels], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(child.status, child.stderr).toBe(0);
    const read = JSON.parse(child.stdout) as { dtype: string; shape: number[]; x: number[]; ydtype: string; y: number[] };
    expect(read.dtype).toBe('float32');
    expect(read.shape).toEqual([rows, cols]);
    expect(Float32Array.from(read.x)).toEqual(values);
    expect(read.ydtype).toBe('int32');
    expect(read.y).toEqual(Array.from(labelValues));
  });

  it('too many values, too few at close, the wrong array type, a bad shape: errors; nothing left behind', async () => {
    const file = path.join(root, 'short.npy');
    const writer = await NpyWriter.create(file, 'float32', [2, 3]);
    await expect(writer.write(new Float32Array(7))).rejects.toThrow(/NpyWriter\.write: 7 values would exceed the 6 of shape \[2, 3\]/);
    await expect(writer.write(new Int32Array(3) as unknown as Float32Array)).rejects.toThrow(/expected a Float32Array for float32 values/);
    await writer.write(new Float32Array(3));
    await expect(writer.close()).rejects.toThrow(/short\.npy got 3 values, its shape \[2, 3\] needs 6/);
    expect(existsSync(file)).toBe(false);
    await expect(NpyWriter.create(file, 'float32', [2, -1])).rejects.toThrow(/shape must be a non-empty list of non-negative integers/);
    await expect(NpyWriter.create(file, 'float64' as 'float32', [2])).rejects.toThrow(/dtype must be one of float32, int32, uint8/);
    const aborted = await NpyWriter.create(file, 'int32', [4]);
    await aborted.write(new Int32Array(2));
    await aborted.abort();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
