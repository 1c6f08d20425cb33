/**
 * AutoencoderClassifier (issue 20): fit on a tensor of images with labels as on a dataset, clear
 * errors for bad shapes and labels, and the portable inference model its save writes (raw images
 * in; per-class reconstruction errors and class probabilities out; plain TF.js loads it).
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { AutoencoderClassifier } from '../../src/methods/autoencoder_classifier.js';
import { blobImages } from '../helpers/synthetic.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'train', 'inference_model_child.mjs');
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-ae-classifier-'));

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const train = blobImages(48, { side: 8, classes: 3, seed: 11 });
const test = blobImages(12, { side: 8, classes: 3, seed: 12 });
const quick = { epochs: 2, batchSize: 8, learningRate: 3e-3, progress: 'none' } as const;

/** The largest absolute difference between two lists of numbers. */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** The inference model a save wrote into `folder`, loaded through plain `tf.loadLayersModel`. */
async function loadInferenceModel(folder: string): Promise<tf.LayersModel> {
  const parsed = JSON.parse(readFileSync(path.join(folder, 'inference.json'), 'utf8')) as { modelTopology: tf.io.ModelJSON['modelTopology']; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const weights = readFileSync(path.join(folder, 'inference.weights.bin'));
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights), weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
  });
}

function imagesTensor(dataset: ImageDataset): tf.Tensor4D {
  return tf.tensor4d(dataset.images, [dataset.size, ...dataset.shape]);
}

describe('AutoencoderClassifier.fit on a tensor of images', () => {
  it('trains as on the dataset (labels as an array or a 1-D tensor), scores a tensor as the dataset, and frees what it made', async () => {
    const options = { autoencoder: { layers: [64, 16, 4], seed: 3 } };
    const fromDataset = new AutoencoderClassifier(options);
    await fromDataset.fit(train, quick);
    const expected = await fromDataset.score(test);
    const images = imagesTensor(train);
    const testImages = imagesTensor(test);
    const labelTensor = tf.tensor1d(train.labels!, 'int32');
    const before = tf.memory().numTensors;
    for (const labels of [train.labels!, Array.from(train.labels!), labelTensor]) {
      const fromTensor = new AutoencoderClassifier(options);
      const logs = await fromTensor.fit(images, labels, quick);
      expect([...logs.keys()]).toEqual([0, 1, 2]);
      expect(fromTensor.classes).toEqual([0, 1, 2]);
      const scores = await fromTensor.score(testImages);
      expect(Array.from(scores.errors)).toEqual(Array.from(expected.errors));
      expect(Array.from(await fromTensor.predict(testImages))).toEqual(Array.from(expected.predictions));
      expect(Array.from(await fromTensor.anomalyScore(test))).toEqual(Array.from(expected.anomalyScores));
      fromTensor.dispose();
    }
    // The inputs are read, not disposed; nothing is left behind.
    expect(images.isDisposed || labelTensor.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    // fitClass takes a tensor and labels too; only that class is trained.
    const one = new AutoencoderClassifier(options);
    await one.fitClass(1, images, train.labels!, quick);
    expect(one.classes).toEqual([1]);
    one.dispose();
    tf.dispose([images, testImages, labelTensor]);
    fromDataset.dispose();
  });

  it('names the problem with a bad tensor, missing or wrong labels, or images of another shape', async () => {
    const classifier = new AutoencoderClassifier({ autoencoder: { layers: [64, 8, 2] } });
    const images = imagesTensor(train);
    const labels = train.labels!;
    const flat = tf.tensor2d(train.images, [train.size, 64]);
    await expect(classifier.fit(flat, labels)).rejects.toThrow(/^AutoencoderClassifier\.fit: images must be a tensor \[batch, height, width, channels\], got shape \[48,64\]/);
    await expect(classifier.fit(images, undefined as unknown as number[])).rejects.toThrow(/^AutoencoderClassifier\.fit: a tensor of images needs its labels/);
    await expect(classifier.fit(images, labels.slice(0, 10))).rejects.toThrow(/^AutoencoderClassifier\.fit: 10 labels for 48 images/);
    await expect(classifier.fit(images, Array.from(labels, (l) => l + 0.5))).rejects.toThrow(/^AutoencoderClassifier\.fit: label 0 is 0\.5, not an integer/);
    const twoDimensional = tf.tensor2d(labels, [train.size, 1], 'int32');
    await expect(classifier.fit(images, twoDimensional)).rejects.toThrow(/^AutoencoderClassifier\.fit: labels must be 1-D, got shape \[48,1\]/);
    await expect(classifier.fit(images, 'cats' as unknown as number[])).rejects.toThrow(/^AutoencoderClassifier\.fit: labels must be an array or a 1-D tensor of integer classes, got/);
    await expect(classifier.fit(train, labels as unknown as object)).rejects.toThrow(/^AutoencoderClassifier\.fit: labels go with a tensor of images/);
    await expect(classifier.fit({ ...train, labels: undefined })).rejects.toThrow(/^AutoencoderClassifier\.fit: the dataset has no labels/);
    await expect(classifier.fit(images, labels, { classes: [0, 1.5] })).rejects.toThrow(/^AutoencoderClassifier\.fit: classes\[1\]/);
    const outOfRange = tf.mul(images, 300);
    await expect(classifier.fit(outOfRange, labels)).rejects.toThrow(/^AutoencoderClassifier\.fit: /);
    const disposed = tf.zeros([2, 8, 8, 1]);
    disposed.dispose();
    await expect(classifier.fit(disposed, [0, 1])).rejects.toThrow(/^AutoencoderClassifier\.fit: images is a disposed tensor/);
    await expect(classifier.score(images)).rejects.toThrow(/^AutoencoderClassifier\.score: no class has been trained/);
    await expect(classifier.score(flat)).rejects.toThrow(/^AutoencoderClassifier\.score: images must be a tensor \[batch, height, width, channels\]/);
    expect(classifier.classes).toEqual([]);
    // Images of another shape than the other classes' autoencoders take.
    await classifier.fitClass(0, train, quick);
    const larger = blobImages(12, { side: 10, classes: 2, seed: 1 });
    await expect(classifier.fitClass(1, larger, quick)).rejects.toThrow(/^AutoencoderClassifier\.fitClass: the autoencoders of classes 0 take images of 8×8×1, got 10×10×1/);
    await expect(classifier.fit(larger, { ...quick, classes: [1] })).rejects.toThrow(/take images of 8×8×1, got 10×10×1/);
    expect(classifier.classes).toEqual([0]);
    tf.dispose([images, flat, twoDimensional, outOfRange]);
    classifier.dispose();
  });
});

describe("AutoencoderClassifier's portable inference model", () => {
  it('saved on wasm, loads with bare TF.js in a child process: the per-class errors and probabilities of score to 1e-5', async () => {
    const classifier = new AutoencoderClassifier({ autoencoder: { layers: [64, 16, 4], seed: 1 }, temperature: 0.05 });
    await classifier.fit(train, quick);
    const before = tf.memory().numTensors;
    const folder = path.join(directory, 'dense');
    await classifier.save(folder);
    expect(tf.memory().numTensors).toBe(before);
    const modelJson = readFileSync(path.join(folder, 'inference.json'), 'utf8');
    expect(modelJson).not.toContain('TfjsUnsupervised');
    const method = JSON.parse(readFileSync(path.join(folder, 'method.json'), 'utf8')) as { inputShape: number[]; models: string[]; state: { classes: number[] } };
    expect(method.inputShape).toEqual([8, 8, 1]);
    expect(method.models).toEqual([]);
    expect(method.state.classes).toEqual([0, 1, 2]);

    const imagesFile = path.join(directory, 'images.bin');
    writeFileSync(imagesFile, Buffer.from(test.images.buffer, test.images.byteOffset, test.images.byteLength));
    const outFile = path.join(directory, 'outputs.json');
    await promisify(execFile)(process.execPath, [childScript, folder, imagesFile, JSON.stringify([test.size, 8, 8, 1]), outFile], { timeout: 60_000 });
    const child = JSON.parse(readFileSync(outFile, 'utf8')) as { backend: string; classNames: string[]; outputs: Array<{ shape: number[]; values: number[] }> };
    expect(child.backend).toBe('wasm');
    expect(child.classNames).toEqual(expect.arrayContaining(['Flatten', 'Sequential', 'Rescaling', 'Add', 'Multiply', 'Dense', 'Concatenate', 'Activation']));
    const scores = await classifier.score(test);
    expect(child.outputs).toHaveLength(2);
    expect(child.outputs[0].shape).toEqual([test.size, 3]);
    expect(maxDifference(child.outputs[0].values, scores.errors)).toBeLessThan(1e-5);
    expect(child.outputs[1].shape).toEqual([test.size, 3]);
    expect(maxDifference(child.outputs[1].values, scores.probabilities)).toBeLessThan(1e-5);
    // The errors are not all alike (the comparison is not of near-constant outputs).
    expect(Math.max(...scores.errors) - Math.min(...scores.errors)).toBeGreaterThan(0.01);

    // The library still loads the folder, and saves it again with the same inference model.
    const loaded = await AutoencoderClassifier.load(folder);
    expect(Array.from((await loaded.score(test)).errors)).toEqual(Array.from(scores.errors));
    const again = path.join(directory, 'dense_again');
    await loaded.save(again);
    expect(readFileSync(path.join(again, 'inference.weights.bin'))).toEqual(readFileSync(path.join(folder, 'inference.weights.bin')));
    loaded.dispose();
    classifier.dispose();
  });

  it('conv autoencoders with binary cross-entropy (sigmoid output) and one class: the errors to 1e-5; a loss it cannot express writes none', async () => {
    const cases = [
      // Binary cross-entropy errors are larger than MSE's (0.2-0.7 here), and so is the temperature:
      // a probability moves by about Δerror / temperature (the errors agree to 9e-7 here).
      { name: 'conv_bce', options: { autoencoder: { architecture: 'conv' as const, convChannels: [2, 4], codeSize: 3, loss: 'binaryCrossEntropy' as const, seed: 2 }, temperature: 0.1 }, classes: [0, 2] },
      { name: 'single_class', options: { autoencoder: { layers: [64, 8, 2], seed: 4 } }, classes: [1] },
    ];
    for (const { name, options, classes } of cases) {
      const classifier = new AutoencoderClassifier(options);
      await classifier.fit(train, { ...quick, classes });
      const folder = path.join(directory, name);
      await classifier.save(folder);
      const model = await loadInferenceModel(folder);
      const images = imagesTensor(test);
      const [errors, probabilities] = model.predict(images) as tf.Tensor[];
      const scores = await classifier.score(test);
      expect(errors.shape).toEqual([test.size, classes.length]);
      expect(maxDifference(await errors.data(), scores.errors)).toBeLessThan(1e-5);
      expect(maxDifference(await probabilities.data(), scores.probabilities)).toBeLessThan(1e-5);
      tf.dispose([images, errors, probabilities]);
      model.dispose();
      classifier.dispose();
    }
    // Binary cross-entropy on a linear output needs a logarithm, which no standard layer computes.
    const linear = new AutoencoderClassifier({ autoencoder: { layers: [64, 8, 2], loss: 'binaryCrossEntropy', outputActivation: 'linear' } });
    await linear.fit(train, { ...quick, classes: [0] });
    expect(await linear.inferenceModel()).toBeUndefined();
    await linear.save(path.join(directory, 'linear_bce'));
    expect(existsSync(path.join(directory, 'linear_bce', 'inference.json'))).toBe(false);
    expect(existsSync(path.join(directory, 'linear_bce', 'class_0', 'method.json'))).toBe(true);
    linear.dispose();
  });
});
