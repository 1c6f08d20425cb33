import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { mlp } from '../../src/nn/mlp.js';
import { FileWriteError, loadLayersModel, readJson, saveLayersModel, writeFileAtomic, writeJsonAtomic } from '../../src/train/model_io.js';
import { failWritesTo } from '../helpers/write_faults.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-io-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('saveLayersModel / loadLayersModel', () => {
  it('round-trips a model from wasm to cpu with identical outputs', async () => {
    const model = mlp([6, 5, 3], { seed: 4 });
    const x = tf.randomNormal([2, 6], 0, 1, 'float32', 1);
    const expected = Array.from(await (model.predict(x) as tf.Tensor).data());
    await saveLayersModel(model, directory, 'net');
    expect(readdirSync(directory).sort()).toEqual(['net.json', 'net.weights.bin']);
    await initBackend({ backend: 'cpu' });
    const loaded = await loadLayersModel(directory, 'net');
    const actual = Array.from(await (loaded.predict(tf.tensor(await x.data(), [2, 6])) as tf.Tensor).data());
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    await initBackend({ backend: 'wasm' });
  });

  it('names the file when weights are truncated or missing and when JSON is corrupt', async () => {
    const model = mlp([4, 2], { seed: 1 });
    const dir = path.join(directory, 'broken');
    await saveLayersModel(model, dir);
    truncateSync(path.join(dir, 'model.weights.bin'), 8);
    await expect(loadLayersModel(dir)).rejects.toThrow(/8 bytes.*expects 40.*truncated/);
    rmSync(path.join(dir, 'model.weights.bin'));
    await expect(loadLayersModel(dir)).rejects.toThrow(/Missing weights file .*model\.weights\.bin/);
    writeFileSync(path.join(dir, 'model.json'), '{ not json');
    await expect(loadLayersModel(dir)).rejects.toThrow(/Corrupt JSON in .*model\.json/);
    await expect(readJson(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: no such file/);
  });

  it('writes JSON atomically, leaving no temporary file', async () => {
    const file = path.join(directory, 'state', 'run.json');
    await writeJsonAtomic(file, { epoch: 1 });
    await writeJsonAtomic(file, { epoch: 2 });
    expect(await readJson<{ epoch: number }>(file)).toEqual({ epoch: 2 });
    expect(readdirSync(path.dirname(file))).toEqual(['run.json']);
  });

  it('writeFileAtomic removes its temporary file when the write or the rename fails, and names the path', async () => {
    const folder = path.join(directory, 'atomic');
    mkdirSync(path.join(folder, 'a-folder'), { recursive: true });
    // The rename fails: the target is a folder.
    const error = await writeFileAtomic(path.join(folder, 'a-folder'), 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileWriteError);
    expect((error as FileWriteError).message).toMatch(/^Cannot write .*a-folder: .*\((EISDIR|EEXIST|ENOTEMPTY)\)\.$/);
    expect((error as FileWriteError).path).toBe(path.join(folder, 'a-folder'));
    // The write fails.
    failWritesTo(/data\.bin\.tmp-/, () => 1);
    await expect(writeFileAtomic(path.join(folder, 'data.bin'), new Uint8Array(64))).rejects.toThrow(`Cannot write ${path.join(folder, 'data.bin')}: no space left on device (ENOSPC).`);
    vi.restoreAllMocks();
    expect(readdirSync(folder)).toEqual(['a-folder']);
    // An old file stays as it was.
    writeFileSync(path.join(folder, 'kept.json'), 'old');
    failWritesTo(/kept\.json\.tmp-/, () => 1);
    await expect(writeFileAtomic(path.join(folder, 'kept.json'), 'new')).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(path.join(folder, 'kept.json'), 'utf8')).toBe('old');
    expect(readdirSync(folder).sort()).toEqual(['a-folder', 'kept.json']);
  });
});
