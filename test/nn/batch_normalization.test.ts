import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { BatchNormalization, batchNormalization, batchNormalizeTraining } from '../../src/nn/batch_normalization.js';
import { conv4 } from '../../src/nn/conv4.js';
import { vgg } from '../../src/nn/vgg.js';
import { loadLayersModel, saveLayersModel } from '../../src/train/model_io.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Our layer and tfjs's, built on the same input shape with the same gamma/beta. */
function pairOfLayers(shape: number[]): [tf.layers.Layer, tf.layers.Layer] {
  const reference = tf.layers.batchNormalization();
  const ours = batchNormalization();
  const input = tf.input({ shape });
  reference.apply(input);
  ours.apply(input);
  const channels = shape[shape.length - 1];
  const gamma = tf.linspace(0.5, 1.5, channels);
  const beta = tf.linspace(-1, 1, channels);
  for (const layer of [reference, ours]) layer.setWeights([gamma, beta, tf.zeros([channels]), tf.ones([channels])]);
  tf.dispose([gamma, beta]);
  return [reference, ours];
}

async function maxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

describe('batchNormalizeTraining', () => {
  it('normalises a hand-computed case: channel [1, 3] → [−1, 1]·γ/√(1+ε) + β', async () => {
    const x = tf.tensor2d([[1, 10], [3, 30]]);
    const { output, mean, variance } = batchNormalizeTraining(x, tf.tensor1d([2, 1]), tf.tensor1d([0.5, 0]), 1e-3);
    expect(Array.from(await mean.data())).toEqual([2, 20]);
    expect(Array.from(await variance.data())).toEqual([1, 100]);
    const y = await output.data();
    expect(y[0]).toBeCloseTo(-2 / Math.sqrt(1.001) + 0.5, 5);
    expect(y[2]).toBeCloseTo(2 / Math.sqrt(1.001) + 0.5, 5);
    expect(y[1]).toBeCloseTo(-10 / Math.sqrt(100.001), 5);
    tf.dispose([x, output, mean, variance]);
  });

  it('has the gradient of finite differences (x, through the batch statistics)', async () => {
    const x = tf.randomNormal([3, 2, 2, 3], 0.5, 2, 'float32', 1);
    const weights = tf.randomNormal([3, 2, 2, 3], 0, 1, 'float32', 2);
    const gamma = tf.tensor1d([1.5, 0.7, -0.4]);
    const beta = tf.tensor1d([0.1, 0, -0.2]);
    const f = (input: tf.Tensor) =>
      tf.tidy(() => {
        const { output, mean, variance } = batchNormalizeTraining(input, gamma, beta, 1e-3);
        tf.dispose([mean, variance]);
        return tf.sum(tf.mul(tf.square(tf.add(output, 1)), weights)) as tf.Scalar;
      });
    expect(await gradientError(f, x, 1e-2)).toBeLessThan(2e-2);
    tf.dispose([x, weights, gamma, beta]);
  });

  it('rejects a rank-1 input and mismatched gamma', () => {
    expect(() => batchNormalizeTraining(tf.ones([3]), tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3)).toThrow(/rank ≥ 2/);
    expect(() => batchNormalizeTraining(tf.ones([2, 3]), tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3)).toThrow(/3 channels/);
  });
});

describe('BatchNormalization layer', () => {
  it('equals tf.layers.batchNormalization: training output, gradients, moving statistics, inference', async () => {
    const [reference, ours] = pairOfLayers([4, 4, 3]);
    const x = tf.randomNormal([6, 4, 4, 3], 1, 2, 'float32', 3);
    const w = tf.randomNormal([6, 4, 4, 3], 0, 1, 'float32', 4);
    const loss = (layer: tf.layers.Layer) => () => tf.sum(tf.mul(tf.square(layer.apply(x, { training: true }) as tf.Tensor), w)) as tf.Scalar;
    const expected = tf.variableGrads(loss(reference));
    const actual = tf.variableGrads(loss(ours));
    expect(Math.abs((await actual.value.data())[0] - (await expected.value.data())[0])).toBeLessThan(1e-3);
    const expectedGrads = Object.values(expected.grads);
    const actualGrads = Object.values(actual.grads);
    expect(actualGrads).toHaveLength(2);
    for (let i = 0; i < 2; i++) expect(await maxDifference(actualGrads[i], expectedGrads[i])).toBeLessThan(1e-3);
    const dxReference = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.square(reference.apply(input, { training: true }) as tf.Tensor), w)))(x);
    const dxOurs = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.square(ours.apply(input, { training: true }) as tf.Tensor), w)))(x);
    expect(await maxDifference(dxOurs, dxReference)).toBeLessThan(1e-4);
    const referenceWeights = reference.getWeights();
    const ourWeights = ours.getWeights();
    for (let i = 2; i < 4; i++) expect(await maxDifference(ourWeights[i], referenceWeights[i])).toBeLessThan(1e-6);
    // The moving mean moved from 0 towards the batch mean (≈ 1) twice: 1 − 0.99² ≈ 0.02.
    expect((await ourWeights[2].data())[0]).toBeGreaterThan(0.01);
    expect(await maxDifference(ours.apply(x) as tf.Tensor, reference.apply(x) as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([x, w, dxReference, dxOurs, expected.value, actual.value, ...expectedGrads, ...actualGrads]);
  });

  it('trains a conv net to the same losses as tfjs’s layer and leaks no tensors', async () => {
    const build = (useOurs: boolean) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 5 }) }),
          useOurs ? batchNormalization() : tf.layers.batchNormalization(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
        ],
      });
    const x = tf.randomNormal([8, 6, 6, 1], 0, 1, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1], 'int32'), 2);
    const losses = async (model: tf.Sequential) => {
      const optimizer = tf.train.adam(0.05);
      const out: number[] = [];
      const step = async () => {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
        out.push((await loss.data())[0]);
        loss.dispose();
      };
      await step();
      expect(await leakedTensors(async () => {
        for (let i = 0; i < 5; i++) await step();
      })).toBe(0);
      optimizer.dispose();
      return out;
    };
    const reference = await losses(build(false));
    const ours = await losses(build(true));
    for (let i = 0; i < reference.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 3);
    expect(ours[5]).toBeLessThan(ours[0]);
    tf.dispose([x, y]);
  });

  it('is what vgg and conv4 use, and survives a save/load round trip', async () => {
    expect(vgg('small').layers.some((l) => l instanceof BatchNormalization)).toBe(true);
    const model = conv4({ inputShape: [16, 16, 1], channels: [2, 3], seed: 1 });
    expect(model.layers.filter((l) => l instanceof BatchNormalization)).toHaveLength(2);
    const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 8);
    const before = model.predict(x) as tf.Tensor;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-'));
    await saveLayersModel(model, path.join(directory, 'model'));
    const loaded = await loadLayersModel(path.join(directory, 'model'));
    const after = loaded.predict(x) as tf.Tensor;
    expect(await maxDifference(after, before)).toBe(0);
    expect(loaded.layers.filter((l) => l instanceof BatchNormalization)).toHaveLength(2);
    tf.dispose([x, before, after]);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('rejects bad momentum and epsilon', () => {
    expect(() => batchNormalization({ momentum: 1.5 })).toThrow(/momentum/);
    expect(() => batchNormalization({ epsilon: 0 })).toThrow(/epsilon/);
  });
});
