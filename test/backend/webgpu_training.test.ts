/**
 * The six methods train on webgpu (SwiftShader here and in CI; tiny shapes): the loss falls and no
 * tensor leaks; and a model saved on webgpu loads on wasm with the same outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { bivariateGaussian } from '../../src/data/paired_samples.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC } from '../../src/methods/iic.js';
import { MINE } from '../../src/methods/mine.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import type { EpochLogs } from '../../src/train/unsupervised_method.js';
import { blobImages } from '../helpers/synthetic.js';
import { relativeError } from './kernel_grid.js';
import { skipWebGpuTests, webGpuAvailability } from './webgpu_helpers.js';

const availability = await webGpuAvailability();
const skip = skipWebGpuTests(availability, 'test/backend/webgpu_training.test.ts');
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-webgpu-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const images = blobImages(32, { side: 12, classes: 2, seed: 3 });

/** A method as these tests drive it. */
interface Trainable {
  fit(data: never, options: Record<string, unknown>): Promise<EpochLogs[]>;
  dispose(): void;
}

/**
 * One fit to build the model and its optimiser, then `more` fits; the tensor count after them
 * equals the count before them, and the last loss is below the first.
 */
async function trainsOnWebGpu(method: Trainable, data: unknown, options: Record<string, unknown>, more: number): Promise<number[]> {
  await initBackend({ backend: 'webgpu' });
  const fit = (o: Record<string, unknown>) => method.fit(data as never, { progress: 'none', ...o });
  const losses = (await fit(options)).map((log) => log.loss);
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < more; i++) losses.push(...(await fit(options)).map((log) => log.loss));
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.getBackend()).toBe('webgpu');
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  method.dispose();
  return losses;
}

describe.skipIf(skip)('the six methods train on webgpu: falling loss, no tensor leaked', () => {
  it('Autoencoder', async () => {
    await trainsOnWebGpu(new Autoencoder({ layers: [144, 32, 4], seed: 0 }), images, { epochs: 1, batchSize: 16, learningRate: 3e-3 }, 3);
  });

  it('IIC (small VGG backbone, both heads)', async () => {
    const iic = new IIC({ backbone: [4, 'M', 8, 'M'], numClusters: 2, overclusterClusters: 4, subHeads: 1, views: { centerCrop: 10, outputSize: 10, randomCropSizes: [8, 10], maxRotationDegrees: 10 }, seed: 0 });
    await trainsOnWebGpu(iic, images, { epochs: 1, batchSize: 16, learningRate: 1e-3 }, 2);
  });

  it('RelationalReasoning (conv4 backbone)', async () => {
    await trainsOnWebGpu(new RelationalReasoning({ channels: [4, 8], headUnits: 16, views: 2, seed: 0 }), images, { epochs: 1, batchSize: 16, learningRate: 3e-3 }, 2);
  });

  it('DeepCluster', async () => {
    const method = new DeepCluster({ numClusters: 2, backbone: [4, 'M', 8, 'M'], featureSize: 8, pcaComponents: 4, seed: 1 });
    await trainsOnWebGpu(method, images, { epochs: 1, batchSize: 16, learningRate: 3e-3 }, 2);
  });

  it('FilterDistinguisher (one level)', async () => {
    const method = new FilterDistinguisher({ channels: [1, 4], hiddenChannels: 4, threshold: 1e-6, seed: 0 });
    await initBackend({ backend: 'webgpu' });
    const logs = await method.fit(images, { samplesPerLevel: 128, batchSize: 8, learningRate: 3e-3, progress: 'none' });
    expect(tf.getBackend()).toBe('webgpu');
    expect(method.stages).toHaveLength(1);
    // Its stopping signal (running max |cos| between filter responses) falls, as the loss does.
    expect(method.stages[0].signalAfter).toBeLessThan(method.stages[0].signalBefore);
    expect(logs[logs.length - 1].loss).toBeLessThan(logs[0].loss);
    const tensors = tf.memory().numTensors;
    await method.signal(images, 0);
    expect(tf.memory().numTensors).toBe(tensors);
    method.dispose();
  });

  it('MINE', async () => {
    await trainsOnWebGpu(new MINE({ seed: 0, hiddenUnits: [16] }), bivariateGaussian(1024, 0.8, 1), { epochs: 1, batchSize: 256, learningRate: 3e-3 }, 2);
  });
});

describe.skipIf(skip)('a model saved on webgpu', () => {
  it('loads on wasm with the same outputs (IIC probabilities and Autoencoder codes)', async () => {
    await initBackend({ backend: 'webgpu' });
    const iic = new IIC({ backbone: [4, 'M', 8, 'M'], numClusters: 2, overclusterClusters: 0, subHeads: 1, views: { centerCrop: 10, outputSize: 10, randomCropSizes: [8, 10], maxRotationDegrees: 10 }, seed: 2 });
    await iic.fit(images, { epochs: 1, batchSize: 16, progress: 'none' });
    const onWebGpu = await iic.predictProbabilities(images);
    await iic.save(path.join(directory, 'iic'));
    const autoencoder = new Autoencoder({ layers: [144, 16, 4], seed: 1 });
    await autoencoder.fit(images, { epochs: 1, batchSize: 16, progress: 'none' });
    const codesOnWebGpu = await autoencoder.encode(images);
    await autoencoder.save(path.join(directory, 'autoencoder'));
    iic.dispose();
    autoencoder.dispose();

    await initBackend({ backend: 'wasm' });
    const loadedIic = await IIC.load(path.join(directory, 'iic'));
    const onWasm = await loadedIic.predictProbabilities(images);
    const loadedAutoencoder = await Autoencoder.load(path.join(directory, 'autoencoder'));
    const codesOnWasm = await loadedAutoencoder.encode(images);
    expect(tf.getBackend()).toBe('wasm');
    expect(onWasm.rows).toBe(onWebGpu.rows);
    expect(relativeError(onWasm.data, onWebGpu.data)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(codesOnWasm.data, codesOnWebGpu.data)).toBeLessThanOrEqual(1e-4);
    loadedIic.dispose();
    loadedAutoencoder.dispose();
  });
});
