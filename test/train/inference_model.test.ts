/**
 * Portable models (issue 20): `save` writes an inference model that bare TF.js loads — raw images
 * in, embeddings and the chosen sub-head's probabilities out, standard layer classes only.
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { centerCrop, cropAndResizeBoxes } from '../../src/data/augment/geometric.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC } from '../../src/methods/iic.js';
import { MineEncoder } from '../../src/methods/mine_encoder.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import { cropAndResizeLayers } from '../../src/train/inference_model.js';
import { blobImages } from '../helpers/synthetic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'inference-model-'));

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The largest absolute difference between two lists of numbers. */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('the portable inference model', () => {
  it('expresses a crop and bilinear resize with standard layers, equal to centerCrop and cropAndResizeBoxes', () => {
    const images = tf.randomUniform([3, 28, 30, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (const [box, outputSize] of [[{ top: 4, left: 5, height: 20, width: 20 }, 24], [{ top: 0, left: 3, height: 17, width: 17 }, 9]] as const) {
      const input = tf.input({ shape: [28, 30, 2] });
      const model = tf.model({ inputs: input, outputs: cropAndResizeLayers(input, box, outputSize, 'crop') });
      const viaLayers = model.predict(images) as tf.Tensor;
      const expected = cropAndResizeBoxes(images, [box, box, box], [outputSize, outputSize]);
      expect(viaLayers.shape).toEqual([3, outputSize, outputSize, 2]);
      expect(maxDifference(viaLayers.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      tf.dispose([viaLayers, expected]);
      model.dispose();
    }
    // IIC's clean view of 28x28 digits: centre crop 20 → 24.
    const square = tf.tidy(() => images.slice([0, 0, 0, 0], [3, 28, 28, 2])) as tf.Tensor4D;
    const input = tf.input({ shape: [28, 28, 2] });
    const model = tf.model({ inputs: input, outputs: cropAndResizeLayers(input, { top: 4, left: 4, height: 20, width: 20 }, 24, 'centre') });
    const viaLayers = model.predict(square) as tf.Tensor;
    const expected = centerCrop(square, 20, 24);
    expect(maxDifference(viaLayers.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
    tf.dispose([viaLayers, expected, square]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('IIC saved on wasm loads with bare TF.js in a child process and gives the same embeddings and probabilities to 1e-5', async () => {
    const data = blobImages(24, { side: 28, classes: 3, seed: 5 });
    const iic = new IIC({ backbone: [4, 'M', 8], subHeads: 2, overclusterClusters: 4, numClusters: 3, seed: 2 });
    // One short fit: the batch-norm moving statistics and the sub-head losses are no longer the initial ones.
    await iic.fit(data, { epochs: 1, batchSize: 8, stepsPerEpoch: 3, progress: 'none' });
    const before = tf.memory().numTensors;
    const saved = path.join(directory, 'iic');
    await iic.save(saved);
    expect(tf.memory().numTensors).toBe(before);
    const methodJson = JSON.parse(readFileSync(path.join(saved, 'method.json'), 'utf8')) as { models: string[] };
    expect(methodJson.models).not.toContain('inference');
    const topology = readFileSync(path.join(saved, 'inference.json'), 'utf8');
    expect(topology).not.toContain('TfjsUnsupervised');
    expect(readFileSync(path.join(saved, 'backbone.json'), 'utf8')).toContain('TfjsUnsupervisedBatchNormalization');

    const imagesFile = path.join(directory, 'images.bin');
    writeFileSync(imagesFile, Buffer.from(data.images.buffer, data.images.byteOffset, data.images.byteLength));
    const outFile = path.join(directory, 'outputs.json');
    await promisify(execFile)(process.execPath, [path.join(here, 'inference_model_child.mjs'), saved, imagesFile, JSON.stringify([data.size, 28, 28, 1]), outFile], { timeout: 60_000 });
    const child = JSON.parse(readFileSync(outFile, 'utf8')) as { backend: string; classNames: string[]; outputs: Array<{ shape: number[]; values: number[] }> };
    expect(child.backend).toBe('wasm');
    expect(child.classNames).toContain('BatchNormalization');
    expect(child.classNames).toContain('Permute');

    const embeddings = await iic.embed(data);
    expect(child.outputs[0].shape).toEqual(embeddings.shape);
    expect(maxDifference(child.outputs[0].values, await embeddings.data())).toBeLessThan(1e-5);
    embeddings.dispose();
    const probabilities = await iic.predictProbabilities(data);
    expect(child.outputs[1].shape).toEqual([data.size, 3]);
    expect(maxDifference(child.outputs[1].values, probabilities.data)).toBeLessThan(1e-5);

    // The library still loads the run (the inference model is not one of its models).
    const loaded = await IIC.load(saved);
    expect(Array.from(await loaded.predict(data))).toEqual(Array.from(await iic.predict(data)));
    loaded.dispose();
    iic.dispose();
  });

  it('every embedding method writes one: Autoencoder (conv and dense), MineEncoder, RelationalReasoning, FilterDistinguisher (its levels in a row), DeepCluster (Sobel on RGB, probabilities)', async () => {
    const grey8 = blobImages(16, { side: 8, classes: 2, seed: 6 });
    const grey28 = blobImages(16, { side: 28, classes: 2, seed: 7 });
    // RGB images: the grey blobs with a different scale per channel (Sobel folds the channels' mean).
    const rgbValues = new Float32Array(grey8.images.length * 3);
    grey8.images.forEach((v, i) => [0.4, 0.7, 1].forEach((scale, k) => (rgbValues[3 * i + k] = v * scale)));
    const rgb: ImageDataset = { images: rgbValues, shape: [8, 8, 3], size: grey8.size };
    const quick = { epochs: 1, batchSize: 8, stepsPerEpoch: 2, progress: 'none' } as const;
    const cases: Array<{ method: Autoencoder | MineEncoder | RelationalReasoning | FilterDistinguisher | DeepCluster; data: ImageDataset; name: string }> = [
      { method: new Autoencoder({ architecture: 'conv', convChannels: [2, 4], codeSize: 3, seed: 1 }), data: grey8, name: 'autoencoder' },
      // Dense: the encoder takes flat vectors, so the inference model flattens the raw images first.
      { method: new Autoencoder({ layers: [64, 8, 3], seed: 1 }), data: grey8, name: 'dense_autoencoder' },
      { method: new MineEncoder({ backbone: [2, 'M', 2], latentSize: 3, statisticsUnits: 4, seed: 1 }), data: grey28, name: 'mine' },
      { method: new RelationalReasoning({ channels: [2, 4], headUnits: 4, views: 2, seed: 1 }), data: grey8, name: 'relational' },
      { method: new FilterDistinguisher({ channels: [1, 2, 2], hiddenChannels: 2, kernelSize: 3, seed: 1 }), data: grey8, name: 'filter_distinguisher' },
      { method: new DeepCluster({ backbone: [2, 'M', 2], numClusters: 2, featureSize: 4, pcaComponents: 2, kmeansIterations: 3, sobel: true, seed: 1 }), data: rgb, name: 'deep_cluster' },
    ];
    for (const { method, data, name } of cases) {
      await method.fit(data, method instanceof FilterDistinguisher ? { samplesPerLevel: 16, batchSize: 8, progress: 'none' } : quick);
      const folder = path.join(directory, name);
      await method.save(folder);
      const modelJson = readFileSync(path.join(folder, 'inference.json'), 'utf8');
      expect(modelJson).not.toContain('TfjsUnsupervised');
      const parsed = JSON.parse(modelJson) as { modelTopology: tf.io.ModelJSON['modelTopology']; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
      const weights = readFileSync(path.join(folder, 'inference.weights.bin'));
      const model = await tf.loadLayersModel({
        load: async () => ({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights), weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
      });
      const images = tf.tensor4d(data.images, [data.size, ...data.shape]);
      const outputs = [model.predict(images) as tf.Tensor | tf.Tensor[]].flat();
      const embeddings = await method.embed(images);
      expect(outputs[0].shape).toEqual(embeddings.shape);
      expect(maxDifference(await outputs[0].data(), await embeddings.data())).toBeLessThan(1e-5);
      if (method instanceof DeepCluster) {
        expect(outputs).toHaveLength(2);
        const probabilities = await outputs[1].data();
        const clusters = Array.from({ length: data.size }, (_, i) => (probabilities[2 * i] >= probabilities[2 * i + 1] ? 0 : 1));
        expect(clusters).toEqual(Array.from(await method.predict(data)));
      } else expect(outputs).toHaveLength(1);
      tf.dispose([...outputs, embeddings, images]);
      model.dispose();
      method.dispose();
    }
  });
});
