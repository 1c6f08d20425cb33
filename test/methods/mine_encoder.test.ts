import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { MineEncoder } from '../../src/methods/mine_encoder.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-mine-encoder-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** 16x16 images: three classes lighting different thirds, plus noise. */
const data: ImageDataset = blobImages(48, { side: 16, classes: 3, seed: 2 });
const views = { centerCrop: 12, outputSize: 12, randomCropSizes: [10, 12], maxRotationDegrees: 10 };

describe('MineEncoder', () => {
  it('raises the MI bound between codes of an image and of its transform, without leaking', async () => {
    const encoder = new MineEncoder({ backbone: [4, 'M', 8, 'M'], latentSize: 3, statisticsUnits: 16, views, seed: 0 });
    const first = await encoder.fit(data, { epochs: 1, batchSize: 16, progress: 'none' });
    const before = tf.memory().numTensors;
    const logs = await encoder.fit(data, { epochs: 6, batchSize: 16, learningRate: 3e-3, progress: 'none' });
    expect(tf.memory().numTensors).toBe(before);
    // That the encoder learns is checked in test/methods/learning/mine_encoder.test.ts (held-out
    // linear-probe accuracy ≥ 0.9, and planted bugs that fail it); here the bound is only logged.
    expect(logs.every((l) => Number.isFinite(l.lowerBound))).toBe(true);
    expect(Number.isFinite(first[0].lowerBound)).toBe(true);
    const codes = await encoder.encode(data);
    expect([codes.rows, codes.cols]).toEqual([48, 3]);
    await encoder.save(path.join(directory, 'mine'));
    const loaded = await MineEncoder.load(path.join(directory, 'mine'));
    const again = await loaded.encode(data);
    again.data.forEach((v, i) => expect(v).toBeCloseTo(codes.data[i], 4));
    encoder.dispose();
    loaded.dispose();
  });
});

describe('MineEncoder hooks', () => {
  it('moves the moving average after every optimiser step, and a checkpoint state carries it', async () => {
    const encoder = new MineEncoder({ backbone: [4, 'M'], latentSize: 2, statisticsUnits: 8, views, seed: 1 });
    await encoder.fit(data, { epochs: 1, batchSize: 16, stepsPerEpoch: 1, progress: 'none' });
    const afterOne = (await encoder.exportTrainingState()).method.movingAverage as number;
    await encoder.fit(data, { epochs: 1, batchSize: 16, stepsPerEpoch: 1, progress: 'none' });
    const afterTwo = (await encoder.exportTrainingState()).method.movingAverage as number;
    // The average starts at 1 and takes each step's E_Q[e^T] (α = 0.01), so it moves every step.
    expect(afterOne).not.toBe(1);
    expect(afterTwo).not.toBe(afterOne);
    // The saved method JSON has the counters and the two models by name.
    await encoder.save(path.join(directory, 'hooks'));
    const saved = JSON.parse(readFileSync(path.join(directory, 'hooks', 'method.json'), 'utf8'));
    expect(saved).toMatchObject({ method: 'MineEncoder', version: 2, epochsTrained: 2, globalStep: 2, models: ['encoder', 'statistics'], inputShape: [16, 16, 1] });
    encoder.dispose();
  });
});
