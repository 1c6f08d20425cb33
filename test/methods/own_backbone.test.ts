import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { IIC } from '../../src/methods/iic.js';
import { MineEncoder } from '../../src/methods/mine_encoder.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'own-backbone-'));

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A small conv net a user might write: conv → pool → flatten → dense(`units`), seeded. */
function userNet(inputShape: [number, number, number], units: number, seed = 7): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape, filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const mnistLike = blobImages(16, { side: 28, classes: 2, seed: 1 });
const small = blobImages(16, { side: 8, classes: 2, seed: 2 });
const quick = { epochs: 1, batchSize: 8, stepsPerEpoch: 2, progress: 'none' } as const;

describe('your own backbone', () => {
  it('IIC trains a tf.LayersModel the user built, sizes its heads from its output, saves it and loads it back', async () => {
    const backbone = userNet([24, 24, 1], 12);
    const iic = new IIC({ backbone, subHeads: 1, overclusterClusters: 0, numClusters: 2, seed: 1 });
    const before = Array.from(await (backbone.getWeights()[0].data()));
    const logs = await iic.fit(mnistLike, quick);
    expect(Number.isFinite(logs[0].loss)).toBe(true);
    expect(iic.backbone).toBe(backbone);
    expect(iic.heads[0].inputs[0].shape).toEqual([null, 12]);
    expect(Array.from(await backbone.getWeights()[0].data())).not.toEqual(before);
    expect(iic.config.backbone).toBe('custom');
    const encoded = await iic.encode(mnistLike);
    expect(encoded.cols).toBe(12);

    const saved = path.join(directory, 'iic');
    await iic.save(saved);
    const loaded = await IIC.load(saved);
    expect(loaded.config.backbone).toBe('custom');
    expect(Array.from((await loaded.encode(mnistLike)).data)).toEqual(Array.from(encoded.data));
    expect(Array.from(await loaded.predict(mnistLike))).toEqual(Array.from(await iic.predict(mnistLike)));
    // The loaded method continues training.
    await loaded.fit(mnistLike, quick);
    iic.dispose();
    loaded.dispose();
  });

  it('a function building the backbone gets the input shape the method feeds it (IIC: the views of 32x32 images)', async () => {
    const shapes: number[][] = [];
    const iic = new IIC({
      backbone: (inputShape) => {
        shapes.push(inputShape);
        return userNet(inputShape, 6);
      },
      subHeads: 1,
      overclusterClusters: 0,
      numClusters: 2,
    });
    const images32 = blobImages(4, { side: 32, classes: 2, seed: 3 });
    iic.initialize(images32);
    expect(shapes).toEqual([[27, 27, 1]]);
    iic.dispose();
  });

  it('DeepCluster, MineEncoder and RelationalReasoning take one too, their feature size read from it', async () => {
    const deepCluster = new DeepCluster({ backbone: (shape) => userNet(shape, 5), numClusters: 2, pcaComponents: 3, kmeansIterations: 3, seed: 1 });
    await deepCluster.fit(small, quick);
    expect(deepCluster.config.backbone).toBe('custom');
    expect(deepCluster.config.featureSize).toBe(5);
    expect((await deepCluster.encode(small)).cols).toBe(5);
    await deepCluster.save(path.join(directory, 'deep_cluster'));
    const deepClusterLoaded = await DeepCluster.load(path.join(directory, 'deep_cluster'));
    expect(Array.from(await deepClusterLoaded.predict(small))).toEqual(Array.from(await deepCluster.predict(small)));

    const mine = new MineEncoder({ backbone: userNet([24, 24, 1], 4), statisticsUnits: 8, seed: 1 });
    await mine.fit(mnistLike, quick);
    expect(mine.config.latentSize).toBe(4);
    expect((await mine.encode(mnistLike)).cols).toBe(4);
    await mine.save(path.join(directory, 'mine_encoder'));
    const mineLoaded = await MineEncoder.load(path.join(directory, 'mine_encoder'));
    expect(Array.from((await mineLoaded.encode(mnistLike)).data)).toEqual(Array.from((await mine.encode(mnistLike)).data));

    const relational = new RelationalReasoning({ backbone: userNet([8, 8, 1], 6), headUnits: 8, views: 2, seed: 1 });
    await relational.fit(small, quick);
    expect(relational.head!.inputs[0].shape).toEqual([null, 12]);
    await relational.save(path.join(directory, 'relational'));
    const relationalLoaded = await RelationalReasoning.load(path.join(directory, 'relational'));
    expect(Array.from((await relationalLoaded.encode(small)).data)).toEqual(Array.from((await relational.encode(small)).data));
    for (const method of [deepCluster, deepClusterLoaded, mine, mineLoaded, relational, relationalLoaded]) method.dispose();
  });

  it('names what is wrong with a backbone before training, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const wrongInput = userNet([28, 28, 1], 4);
    const noFlatten = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [24, 24, 1], filters: 2, kernelSize: 3 })] });
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new IIC({ backbone: wrongInput, subHeads: 1, overclusterClusters: 0 }).initialize(mnistLike), /IIC: backbone \(fed 24x24 views of 28x28 images\): the backbone takes inputs of shape \[null,28,28,1\], but this method feeds it images of \[null,24,24,1\]/],
      [
        () => new IIC({ backbone: noFlatten, subHeads: 1, overclusterClusters: 0 }).initialize(mnistLike),
        /must output one feature vector per image, \[batch, features\], got \[null,22,22,2\]; end it with tf\.layers\.flatten\(\)/,
      ],
      [() => new DeepCluster({ backbone: (() => 'a model') as never }).initialize(small), /DeepCluster: backbone: the function building the backbone must return a tf\.LayersModel/],
      [() => new MineEncoder({ backbone: () => { throw new Error('no GPU'); } }).initialize(mnistLike), /MineEncoder: backbone \(fed 24x24 views of 28x28 images\): the function building the backbone threw for the input shape \[24,24,1\]: no GPU/],
      [() => new RelationalReasoning({ backbone: 'custom' as never }).initialize(small), /RelationalReasoning: backbone 'custom' stands for a model the user gave; pass the tf\.LayersModel/],
      [() => new RelationalReasoning({ backbone: 'vgg' as never }), /RelationalReasoning: backbone must be 'conv4' or 'resnet', got 'vgg' \(or give your own tf\.LayersModel/],
      [() => new IIC({ backbone: 3 as never }), /IIC: backbone must be/],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
    // The user's models stay the user's to dispose when the method rejects them.
    wrongInput.dispose();
    noFlatten.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
