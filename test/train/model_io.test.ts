import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { mlp } from '../../src/nn/mlp.js';
import { loadLayersModel, readJson, saveLayersModel, writeJsonAtomic } from '../../src/train/model_io.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-io-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

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
});
