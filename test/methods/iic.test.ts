import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { IIC } from '../../src/methods/iic.js';
import { argmaxRows } from '../../src/train/model_utils.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-iic-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** 16x16 images: three classes lighting different thirds, plus noise. */
const data: ImageDataset = blobImages(48, { side: 16, classes: 3, seed: 2 });
const views = { centerCrop: 12, outputSize: 12, randomCropSizes: [10, 12], maxRotationDegrees: 10 };
const tiny = { backbone: [4, 'M', 8, 'M'] as Array<number | 'M'>, numClusters: 3, overclusterClusters: 6, subHeads: 2, views, seed: 0 };

describe('IIC', () => {
  it('trains both heads each epoch, picks the sub-head of lowest training loss, and leaks nothing', async () => {
    const iic = new IIC(tiny);
    const first = await iic.fit(data, { epochs: 1, batchSize: 16, learningRate: 1e-3, progress: 'none' });
    // One pass per head: 3 batches for the over-clustering head, then 3 for the main head.
    expect(iic.globalStep).toBe(6);
    expect(Number.isFinite(first[0].overcluster0)).toBe(true);
    expect(Number.isFinite(first[0].main1)).toBe(true);
    expect(iic.subHeadLosses).toEqual([first[0].main0, first[0].main1]);
    expect(iic.bestSubHead).toBe(first[0].main0 <= first[0].main1 ? 0 : 1);
    const before = tf.memory().numTensors;
    const logs = await iic.fit(data, { epochs: 3, batchSize: 16, learningRate: 1e-3, progress: 'none' });
    expect(tf.memory().numTensors).toBe(before);
    // The loss is a negative mutual information, bounded below by −ln K for the main head.
    expect(logs[2].main0).toBeGreaterThanOrEqual(-Math.log(3) - 1e-4);
    // The epoch's loss is the mean over its steps: half over-clustering steps, half main-head steps,
    // each the mean of its two sub-heads. (That IIC learns is checked in
    // test/methods/learning/iic.test.ts: Hungarian accuracy ≥ 0.9, and planted bugs that fail it.)
    expect(logs[2].loss).toBeCloseTo((logs[2].main0 + logs[2].main1 + logs[2].overcluster0 + logs[2].overcluster1) / 4, 5);
    const predictions = await iic.predict(data);
    expect(predictions).toHaveLength(48);
    expect(Math.max(...predictions)).toBeLessThan(3);
    const probabilities = await iic.predictProbabilities(data, { subHead: 1 });
    expect(probabilities.cols).toBe(3);
    await iic.save(path.join(directory, 'iic'));
    const loaded = await IIC.load(path.join(directory, 'iic'));
    expect(Array.from(await loaded.predict(data))).toEqual(Array.from(predictions));
    iic.dispose();
    loaded.dispose();
  });

  it('repeats images with different transforms and rejects bad options', async () => {
    const iic = new IIC({ ...tiny, repeats: 2, overclusterClusters: 0, subHeads: 1 });
    const logs = await iic.fit(data, { epochs: 1, batchSize: 24, progress: 'none' });
    expect(iic.globalStep).toBe(2);
    expect(Number.isFinite(logs[0].loss)).toBe(true);
    iic.dispose();
    // Joint schedule: one pass per epoch, both heads trained (and logged) at every step.
    const joint = new IIC({ ...tiny, headSchedule: 'joint' });
    const jointLogs = await joint.fit(data, { epochs: 1, batchSize: 16, progress: 'none' });
    expect(joint.globalStep).toBe(3);
    expect(jointLogs[0].loss).toBeCloseTo((jointLogs[0].main0 + jointLogs[0].main1 + jointLogs[0].overcluster0 + jointLogs[0].overcluster1) / 4, 5);
    joint.dispose();
    expect(() => new IIC({ headSchedule: 'both' as 'joint' })).toThrow(/headSchedule must be 'alternate' or 'joint', got 'both'/);
    expect(() => new IIC({ numClusters: 1 })).toThrow(/numClusters must be an integer ≥ 2/);
    expect(() => new IIC({ lambda: Number.NaN })).toThrow(/lambda must be a finite number ≥ 0, got NaN/);
    expect(() => new IIC({ backbone: 'G' as 'F' })).toThrow(/unknown backbone 'G'/);
    await expect(new IIC({ ...tiny, views: { centerCrop: 20, outputSize: 24 } }).fit(data)).rejects.toThrow(/16x16 are smaller than the 24x24 views/);
    await expect(new IIC(tiny).predict(data, { subHead: 5 })).rejects.toThrow(/not trained yet/);
  });
});

describe('IIC views', () => {
  it('scales the MNIST views to the images when given none, and saves them in its config', async () => {
    const images32 = blobImages(4, { side: 32, classes: 2, seed: 1 });
    const iic = new IIC({ backbone: [4, 'M'], subHeads: 1, overclusterClusters: 0, numClusters: 2, seed: 0 }).initialize(images32);
    expect(iic.config.views).toEqual({ centerCrop: 23, outputSize: 27, randomCropSizes: [18, 23, 27] });
    await iic.save(path.join(directory, 'views32'));
    const loaded = await IIC.load(path.join(directory, 'views32'));
    expect(loaded.config.views).toEqual(iic.config.views);
    const [a, b] = [await iic.encode(images32), await loaded.encode(images32)];
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    // On 28x28 images the views stay the MNIST ones; given views are kept as given.
    const mnist = new IIC({ backbone: [4, 'M'], subHeads: 1, overclusterClusters: 0, numClusters: 2 }).initialize(blobImages(2, { side: 28, seed: 1 }));
    expect(mnist.config.views).toEqual({});
    const given = new IIC({ backbone: [4, 'M'], subHeads: 1, overclusterClusters: 0, numClusters: 2, views }).initialize(data);
    expect(given.config.views).toEqual(views);
    for (const m of [iic, loaded, mnist, given]) m.dispose();
  });
});

describe('IIC starved clusters', () => {
  /** A 1-sub-head IIC whose main cluster 2 no image can reach (bias −50). */
  function withDeadCluster(minClusterShare: number): IIC {
    const iic = new IIC({ ...tiny, subHeads: 1, overclusterClusters: 0, minClusterShare }).initialize(data);
    const dense = iic.heads[0].layers[0];
    const [kernel, bias] = dense.getWeights();
    const biases = Array.from(bias.dataSync());
    biases[2] = -50;
    const deadBias = tf.tensor1d(biases);
    dense.setWeights([kernel, deadBias]);
    deadBias.dispose();
    return iic;
  }

  it('re-seeds a main cluster starved at two checks in a row by splitting the largest, across a save and load', async () => {
    const iic = withDeadCluster(0.5);
    // A learning rate too small to move the weights: only the check changes the head.
    const first = await iic.fit(data, { epochs: 1, batchSize: 16, learningRate: 1e-9, progress: 'none' });
    expect(first[0].reseededClusters).toBe(0);
    await iic.save(path.join(directory, 'starved'));
    const loaded = await IIC.load(path.join(directory, 'starved'));
    expect(loaded.config.minClusterShare).toBe(0.5);
    const before = await iic.predictProbabilities(data);
    const sizes = [0, 1, 2].map((c) => Array.from(argmaxRows(before)).filter((p) => p === c).length);
    const largest = sizes.indexOf(Math.max(...sizes));
    const memory = tf.memory().numTensors;
    const second = await iic.fit(data, { epochs: 1, batchSize: 16, learningRate: 1e-9, progress: 'none' });
    expect(tf.memory().numTensors).toBe(memory);
    expect(second[0].reseededClusters).toBeGreaterThanOrEqual(1);
    const [kernel, bias] = iic.heads[0].layers[0].getWeights().map((w) => Array.from(w.dataSync()));
    // The dead cluster is now a copy of the largest: the same bias (both lowered by ln 2) …
    expect(bias[2]).toBeGreaterThan(-10);
    expect(bias[2]).toBeCloseTo(bias[largest], 5);
    // … and the two kernels moved apart by the noise.
    const features = kernel.length / 3;
    let apart = 0;
    for (let f = 0; f < features; f++) apart = Math.max(apart, Math.abs(kernel[f * 3 + 2] - kernel[f * 3 + largest]));
    expect(apart).toBeGreaterThan(0);
    // Together the two take about the probability the largest had.
    const after = await iic.predictProbabilities(data);
    for (let r = 0; r < data.size; r++) expect(after.data[r * 3 + 2] + after.data[r * 3 + largest]).toBeCloseTo(before.data[r * 3 + largest], 1);
    // The loaded copy remembers the first check's starved cluster: its next epoch splits the same way.
    const resumed = await loaded.fit(data, { epochs: 1, batchSize: 16, learningRate: 1e-9, progress: 'none' });
    expect(resumed[0].reseededClusters).toBe(second[0].reseededClusters);
    const resumedBias = Array.from(loaded.heads[0].layers[0].getWeights()[1].dataSync());
    resumedBias.forEach((value, c) => expect(value).toBeCloseTo(bias[c], 5));
    iic.dispose();
    loaded.dispose();
  });

  it('leaves the heads alone with minClusterShare 0, and rejects shares outside [0, 1)', async () => {
    const iic = withDeadCluster(0);
    const logs = await iic.fit(data, { epochs: 2, batchSize: 16, learningRate: 1e-9, progress: 'none' });
    expect(logs[1].reseededClusters).toBeUndefined();
    expect(iic.heads[0].layers[0].getWeights()[1].dataSync()[2]).toBeCloseTo(-50, 3);
    iic.dispose();
    expect(() => new IIC({ minClusterShare: 1 })).toThrow(/minClusterShare must be a number in \[0, 1\).*got 1\./);
    expect(() => new IIC({ minClusterShare: -0.1 })).toThrow(/minClusterShare must be a number in \[0, 1\).*got -0\.1\./);
  });
});

