import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { fitPcaWhiten, pcaWhiten } from '../../src/cluster/pca_whiten.js';
import { validateDataset } from '../../src/data/dataset.js';
import { batchIndices } from '../../src/data/batching.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC } from '../../src/methods/iic.js';
import { MINE } from '../../src/methods/mine.js';
import { MineEncoder } from '../../src/methods/mine_encoder.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import { ami, ari, clusterAccuracy, confusionMatrix, contingencyTable, entropy, majorityVoteAccuracy, mutualInformation, nmi, relabel } from '../../src/metrics/index.js';
import { conv4 } from '../../src/nn/conv4.js';
import { resnet } from '../../src/nn/resnet.js';
import { vgg } from '../../src/nn/vgg.js';
import type { BatchLossResult, TrainingBatch } from '../../src/train/unsupervised_method.js';
import { blobImages } from '../helpers/synthetic.js';

/**
 * Faults of issue 18 against the API (items 2–8 and 12): each reproduction must end in a named
 * error, before any TF.js op where the op itself would crash, and without leaking a tensor.
 */

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-faults-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const images8: ImageDataset = blobImages(16, { side: 8, seed: 1 });
const images28: ImageDataset = blobImages(32, { side: 28, seed: 2 });
const quiet = { progress: 'none' as const };

/** Runs `action`, expects it to throw matching every pattern, and no tensor to be created or left. */
async function expectNamedErrorWithoutTensors(action: () => unknown, patterns: RegExp[]): Promise<string> {
  const before = tf.memory().numTensors;
  let message = '';
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor).toBe(Error);
    message = (error as Error).message;
  }
  for (const pattern of patterns) expect(message).toMatch(pattern);
  expect(tf.memory().numTensors).toBe(before);
  return message;
}

describe.each(['wasm', 'cpu'])('backbones too deep for their images (item 2), on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('RelationalReasoning({ views: 2 }).fit(8x8 images) names the layer, the input size and the fix, before any op', async () => {
    await expectNamedErrorWithoutTensors(() => new RelationalReasoning({ views: 2 }).fit(images8, { epochs: 1, ...quiet }), [
      /^RelationalReasoning \(conv4 backbone\): layer 'relational_conv4_pool3' receives a 1x1 feature map \(from 8x8x1 inputs\) and would shrink it to 0x0/,
      /use at most 3 blocks \(entries of channels\) for 8x8 inputs \(it has 4\), or inputs of at least 16x16/,
    ]);
  });

  it("IIC with backbone 4,M,4,M,4,M,4,M,4,M on 28x28 images names the fifth pooling", async () => {
    const iic = new IIC({ backbone: [4, 'M', 4, 'M', 4, 'M', 4, 'M', 4, 'M'], subHeads: 1, overclusterClusters: 0 });
    await expectNamedErrorWithoutTensors(() => iic.fit(images28, { epochs: 1, batchSize: 32, ...quiet }), [
      /^IIC \(backbone on 24x24 views of 28x28 images\): layer 'iic_backbone_pool9' receives a 1x1 feature map/,
      /use at most 4 'M' \(max-pool\) entries in the backbone for 24x24 inputs \(it has 5\), or inputs of at least 32x32/,
    ]);
  });

  it('every method that builds a conv stack checks it: DeepCluster, MineEncoder, RelationalReasoning (resnet)', async () => {
    const deep = ['M', 'M', 'M', 'M', 'M'].flatMap((m) => [4, m]) as Array<number | 'M'>;
    await expectNamedErrorWithoutTensors(() => new DeepCluster({ backbone: deep, numClusters: 2 }).fit(images28, { epochs: 1, ...quiet }), [
      /^DeepCluster: layer 'deepcluster_backbone_pool9' receives a 1x1 feature map \(from 28x28x1 inputs\)/,
      /at most 4 'M'/,
    ]);
    await expectNamedErrorWithoutTensors(() => new MineEncoder({ backbone: deep }).fit(images28, { epochs: 1, ...quiet }), [/^MineEncoder \(backbone on 24x24 views of 28x28 images\): layer 'mine_encoder_pool9'/]);
    const resnetMethod = new RelationalReasoning({ backbone: 'resnet', channels: [4, 4, 4, 4, 4], blocks: [1, 1, 1, 1, 1], views: 2 });
    await expectNamedErrorWithoutTensors(() => resnetMethod.fit(images8, { epochs: 1, ...quiet }), [
      /^RelationalReasoning \(resnet backbone\): layer 'relational_resnet_s4b0_pool' receives a 1x1 feature map \(from 8x8x1 inputs\)/,
      /use at most 4 stages/,
    ]);
  });

  it('the builders check on their own: vgg, conv4, resnet', async () => {
    await expectNamedErrorWithoutTensors(() => vgg([8, 'M', 'M', 'M', 'M'], { inputShape: [8, 8, 1] }), [/^vgg: layer 'vgg_pool4' receives a 1x1 feature map \(from 8x8x1 inputs\)/]);
    await expectNamedErrorWithoutTensors(() => conv4({ inputShape: [4, 6, 1], channels: [2, 2, 2] }), [/^conv4: layer 'conv4_pool2' receives a 1x1 feature map \(from 4x6x1 inputs\)/, /at most 2 blocks/]);
    await expectNamedErrorWithoutTensors(() => resnet({ inputShape: [2, 2, 3], channels: [2, 2, 2], blocks: [1, 1, 1] }), [/^resnet: layer 'resnet_s2b0_pool'/]);
    // Strided stages round up and never reach 0x0: a deep strided ResNet on 2x2 builds.
    const strided = resnet({ inputShape: [2, 2, 1], channels: [2, 2, 2, 2], blocks: [1, 1, 1, 1], downsample: 'strided' });
    expect(strided.outputs[0].shape).toEqual([null, 2]);
    strided.dispose();
  });

  it('a fit after the error still works in the same process (nothing was corrupted)', async () => {
    await expect(new RelationalReasoning({ views: 2 }).fit(images8, { epochs: 1, ...quiet })).rejects.toThrow(/shrink it to 0x0/);
    const method = new RelationalReasoning({ views: 2, channels: [4, 4], headUnits: 8 });
    const logs = await method.fit(images8, { epochs: 1, batchSize: 8, ...quiet });
    expect(Number.isFinite(logs[0].loss)).toBe(true);
    method.dispose();
  });
});

describe('option errors name the option (items 3, 12)', () => {
  it('FilterDistinguisher.fit(d, { batchSize: 0 }) names batchSize', async () => {
    await expectNamedErrorWithoutTensors(() => new FilterDistinguisher().fit(images28, { batchSize: 0 }), [/^FilterDistinguisher\.fit: batchSize must be a positive integer, got 0\.$/]);
  });

  it('fit names epochs, learningRate, seed, stepsPerEpoch and callbacks', async () => {
    const method = new Autoencoder({ layers: [64, 4] });
    for (const [options, pattern] of [
      [{ epochs: -1 }, /fit: epochs must be a non-negative integer, got -1/],
      [{ learningRate: Number.NaN }, /fit: learningRate must be a finite positive number, got NaN/],
      [{ seed: Number.NaN }, /fit: seed must be an integer, got NaN/],
      [{ seed: 0.5 }, /fit: seed must be an integer, got 0.5/],
      [{ stepsPerEpoch: 1.5 }, /fit: stepsPerEpoch must be a non-negative integer, got 1.5/],
      [{ onEpochEnd: 'log' }, /fit: onEpochEnd must be a function, got string/],
    ] as const) {
      await expectNamedErrorWithoutTensors(() => method.fit(images8, options as never), [pattern]);
    }
    await expectNamedErrorWithoutTensors(() => method.fit(images8, null as never), [/^Autoencoder\.fit: options must be an object, got null/]);
  });

  it('seed: NaN (or a fraction, or a string) is rejected wherever a seed is accepted', async () => {
    for (const create of [
      () => new Autoencoder({ seed: Number.NaN }),
      () => new IIC({ seed: Number.NaN }),
      () => new DeepCluster({ seed: 1.5 }),
      () => new MINE({ seed: '3' as never }),
      () => new RelationalReasoning({ seed: Number.POSITIVE_INFINITY }),
      () => new FilterDistinguisher({ seed: Number.NaN }),
      () => new MineEncoder({ seed: Number.NaN }),
    ]) {
      await expectNamedErrorWithoutTensors(create, [/^[A-Za-z]+: seed must be an integer, got /]);
    }
    expect(() => batchIndices(10, 3, { seed: Number.NaN })).toThrow(/seed/);
  });

  it('nmi(null, …) and the other label metrics name the argument', () => {
    const labels = [0, 1, 1];
    for (const [name, metric] of Object.entries({ nmi, ami, ari, clusterAccuracy, majorityVoteAccuracy, confusionMatrix, contingencyTable, mutualInformation })) {
      expect(() => metric(null as never, labels)).toThrow(new RegExp(`^${name}: yTrue must be an array or typed array of integer labels, got null\\.$`));
      expect(() => metric(labels, 'abc' as never)).toThrow(new RegExp(`^${name}: yPred must be an array or typed array of integer labels, got the string 'abc'\\.$`));
    }
    expect(() => entropy(undefined as never)).toThrow(/^entropy: labels must be an array or typed array of integer labels, got undefined\.$/);
    expect(() => relabel({} as never)).toThrow(/^relabel: labels must be an array or typed array/);
    expect(() => nmi(labels, labels, null as never)).toThrow(/^nmi: options must be an object, got null/);
  });
});

describe('pcaWhiten of a constant column with epsilon 0 (item 4)', () => {
  const withConstantColumn = [
    [0, 1, 5],
    [1, 1, 3],
    [2, 1, 4],
    [4, 1, 0],
  ];

  it('throws a named error instead of returning NaN columns', () => {
    expect(() => pcaWhiten(withConstantColumn, { epsilon: 0 })).toThrow(
      /^fitPcaWhiten: component 3 of 3 has zero variance \(the data vary in only 2 direction\(s\), e.g. a constant column\) and epsilon is 0, so whitening would divide by zero; keep nComponents ≤ 2, use epsilon > 0 \(default 1e-5\), or whiten: false\.$/,
    );
    expect(() => fitPcaWhiten([[1, 2], [1, 2], [1, 2]], { epsilon: 0 })).toThrow(/component 1 of 2 has zero variance .*\(the data are constant\)/);
  });

  it('the documented ways out give finite values', () => {
    for (const options of [{ epsilon: 0, nComponents: 2 }, { epsilon: 1e-5 }, { epsilon: 0, whiten: false }]) {
      const { data } = pcaWhiten(withConstantColumn, options);
      expect(Array.from(data).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('pixel range (item 5)', () => {
  const scaled: ImageDataset = { ...images8, images: images8.images.map((v) => v * 255) };

  it('images in [0, 255] get an error naming the range found and how to opt out', async () => {
    const message = await expectNamedErrorWithoutTensors(() => new Autoencoder({ layers: [64, 4] }).fit(scaled, { epochs: 1, ...quiet }), [
      /^Autoencoder\.fit: pixel values lie in \[\d+(\.\d+)?, \d+(\.\d+)?\] but must be in \[0, 1\] \(the default\)/,
      /set the dataset's pixelRange to the scaling you use \(e\.g\. pixelRange: \[0, 255\]\) to opt out/,
    ]);
    expect(message).toMatch(/divide \[0, 255\] pixels by 255/);
  });

  it('pixelRange opts out (and is itself checked)', async () => {
    expect(() => validateDataset({ ...scaled, pixelRange: [0, 255] })).not.toThrow();
    expect(() => validateDataset({ ...images8, pixelRange: [-1, 1] })).not.toThrow();
    expect(() => validateDataset({ ...scaled, pixelRange: [0, 100] })).toThrow(/must be in \[0, 100\] \(the dataset's pixelRange\)/);
    expect(() => validateDataset({ ...images8, pixelRange: [1, 0] })).toThrow(/pixelRange must be \[low, high\] with low < high, got \[1,0\]/);
    const method = new Autoencoder({ layers: [64, 4], loss: 'mse' });
    const logs = await method.fit({ ...scaled, pixelRange: [0, 255] }, { epochs: 1, ...quiet });
    expect(logs).toHaveLength(1);
    method.dispose();
  });
});

describe('shape checks before TF.js sees an input (item 6)', () => {
  it("new IIC({ backbone: [] }) names the backbone", () => {
    expect(() => new IIC({ backbone: [] })).toThrow(/^IIC: backbone is an empty list; give channel counts and 'M'/);
    expect(() => new IIC({ backbone: ['M'] })).toThrow(/^IIC: backbone \["M"\] has no convolution/);
    expect(() => new IIC({ backbone: [4, 'X' as 'M'] })).toThrow(/^IIC: backbone entry 1 must be a positive integer \(channels\) or 'M' \(max-pool\), got 'X'/);
  });

  it('encode / predict / reconstruct of 32x32 images after fitting on 28x28 name the expected and the given shape', async () => {
    const images32 = blobImages(4, { side: 32 });
    const autoencoder = new Autoencoder({ layers: [784, 8, 4] });
    await autoencoder.fit(images28, { epochs: 1, ...quiet });
    const deepCluster = new DeepCluster({ backbone: [4, 'M', 8], numClusters: 2, featureSize: 8, pcaComponents: 4 });
    await deepCluster.fit(images28, { epochs: 1, batchSize: 16, ...quiet });
    const iic = new IIC({ backbone: [4, 'M', 8], subHeads: 1, overclusterClusters: 0, numClusters: 2 }).initialize(images28);
    const mineEncoder = new MineEncoder({ backbone: [4, 'M', 8], statisticsUnits: 8 }).initialize(images28);
    const relational = new RelationalReasoning({ channels: [4, 4], headUnits: 8 }).initialize(images28);
    const filter = new FilterDistinguisher({ channels: [1, 2], hiddenChannels: 2 }).initialize(images28);
    const expected = /the model was built for inputs of shape \[28,28,1\], got \[32,32,1\]/;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['Autoencoder.encode', () => autoencoder.encode(images32)],
      ['Autoencoder.reconstruct', () => autoencoder.reconstruct(images32)],
      ['Autoencoder.reconstructionErrors', () => autoencoder.reconstructionErrors(images32)],
      ['DeepCluster.encode', () => deepCluster.encode(images32)],
      ['DeepCluster.predict', () => deepCluster.predict(images32)],
      ['IIC.encode', () => iic.encode(images32)],
      ['IIC.predict', () => iic.predict(images32)],
      ['MineEncoder.encode', () => mineEncoder.encode(images32)],
      ['RelationalReasoning.encode', () => relational.encode(images32)],
      ['FilterDistinguisher.encode', () => filter.encode(images32)],
      ['FilterDistinguisher.signal', () => filter.signal(images32, 0)],
    ];
    for (const [name, call] of calls) {
      await expectNamedErrorWithoutTensors(call, [new RegExp(`^${name.replace('.', '\\.')}: `), expected]);
    }
    // A tensor input is checked the same way (the caller keeps and disposes it).
    const tensor = tf.zeros([2, 32, 32, 1]);
    await expect(autoencoder.encode(tensor)).rejects.toThrow(expected);
    tensor.dispose();
    for (const method of [autoencoder, deepCluster, iic, mineEncoder, relational, filter]) method.dispose();
  });

  it('MINE.evaluate of samples of another dimension names both', async () => {
    const mine = new MINE({ hiddenUnits: [4] });
    const samples = { x: new Float32Array([0, 1, 2, 3]), y: new Float32Array([1, 0, 1, 0]), xDim: 1, yDim: 1, size: 4 };
    mine.initialize(samples);
    await expect(mine.evaluate({ ...samples, x: new Float32Array(8), xDim: 2 })).rejects.toThrow(/^MINE\.evaluate: the model was built for inputs of shape .* got /);
    mine.dispose();
  });
});

describe('NaN weights after a diverged fit (item 7)', () => {
  it('the failing fit says the weights are NaN; fit, encode and save then refuse, naming why and what to do', async () => {
    const method = new Autoencoder({ layers: [784, 16, 4] });
    await expect(method.fit(images28, { epochs: 3, learningRate: 1e6, ...quiet })).rejects.toThrow(
      /^Autoencoder: the loss became (NaN|Infinity) in epoch \d \(learning rate 1000000\); the weights are now NaN or infinite, so this method can no longer be used: create a new one \(or load a saved one\)/,
    );
    const refusal = /the weights became NaN or infinite in epoch \d of an earlier fit \(loss (NaN|Infinity), learning rate 1000000\), so this method cannot be used any more: create a new one \(or load a saved one\)/;
    await expect(method.fit(images28, { epochs: 1, learningRate: 1e-3, ...quiet })).rejects.toThrow(new RegExp(`^Autoencoder\\.fit: ${refusal.source}`));
    await expect(method.encode(images28)).rejects.toThrow(new RegExp(`^Autoencoder\\.encode: ${refusal.source}`));
    await expect(method.reconstruct(images28)).rejects.toThrow(refusal);
    await expect(method.save(path.join(directory, 'nan'))).rejects.toThrow(new RegExp(`^Autoencoder\\.save: ${refusal.source}`));
    method.dispose();
  });

  it('a non-finite loss from NaN-free weights keeps the old advice (inputs or learning rate)', async () => {
    class Exploding extends Autoencoder {
      protected override batchLoss(batch: TrainingBatch): BatchLossResult {
        const result = super.batchLoss(batch);
        const loss = result instanceof tf.Tensor ? result : result.loss;
        // An infinite constant added: the loss is infinite, its gradient (and so the weights) finite.
        return tf.add(loss, tf.scalar(Number.POSITIVE_INFINITY)) as tf.Scalar;
      }
    }
    const method = new Exploding({ layers: [64, 4] });
    await expect(method.fit(images8, { epochs: 1, ...quiet })).rejects.toThrow(/the loss became (Infinity|NaN) in epoch 1 .*; check the inputs for NaN or lower the learning rate\.$/);
    expect((await method.encode(images8)).rows).toBe(images8.size);
    method.dispose();
  });
});

describe('no tensor leaks on a thrown path of fit (item 8)', () => {
  class Failing extends Autoencoder {
    failAt = -1;
    notScalarAt = -1;
    protected override batchLoss(batch: TrainingBatch): BatchLossResult {
      if (batch.step === this.failAt) throw new Error('batch loss failed');
      const result = super.batchLoss(batch);
      // A metric the loop keeps, then a loss the gradient tape rejects.
      if (batch.step === this.notScalarAt) return { loss: tf.stack([result as tf.Scalar, result as tf.Scalar]) as unknown as tf.Scalar, metrics: { extra: tf.scalar(1) } };
      return result;
    }
  }

  it.each([
    ['a learning-rate schedule returning NaN at step 2', { learningRateSchedule: (_epoch: number, fraction: number) => (fraction >= 0.25 ? Number.NaN : 1) }, /learning-rate schedule gave NaN at epoch \d+, step 1/],
    ['an onBatchEnd that throws', { onBatchEnd: (step: number) => { if (step === 1) throw new Error('onBatchEnd failed'); } }, /^onBatchEnd failed$/],
    ['an onEpochEnd that throws', { onEpochEnd: () => { throw new Error('onEpochEnd failed'); } }, /^onEpochEnd failed$/],
  ])('%s', async (_name, options, pattern) => {
    const method = new Autoencoder({ layers: [784, 8, 4] });
    await method.fit(images28, { epochs: 1, batchSize: 8, ...quiet }); // creates the weights and optimiser state
    const before = tf.memory().numTensors;
    await expect(method.fit(images28, { epochs: 1, batchSize: 8, ...quiet, ...options })).rejects.toThrow(pattern);
    expect(tf.memory().numTensors).toBe(before);
    method.dispose();
  });

  it('an error inside batchLoss', async () => {
    const method = new Failing({ layers: [784, 8, 4] });
    await method.fit(images28, { epochs: 1, batchSize: 8, ...quiet });
    method.failAt = 2;
    const before = tf.memory().numTensors;
    await expect(method.fit(images28, { epochs: 1, batchSize: 8, ...quiet })).rejects.toThrow(/^batch loss failed$/);
    expect(tf.memory().numTensors).toBe(before);
    method.failAt = -1;
    method.notScalarAt = 1;
    await expect(method.fit(images28, { epochs: 1, batchSize: 8, ...quiet })).rejects.toThrow(/^Autoencoder: batchLoss must return a scalar loss, got a tensor of shape \[2\]\.$/);
    expect(tf.memory().numTensors).toBe(before);
    method.dispose();
  });
});
