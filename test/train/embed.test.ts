import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { centerCrop } from '../../src/data/augment/geometric.js';
import { IIC } from '../../src/methods/iic.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const images = blobImages(10, { side: 28, classes: 2, seed: 4 });

describe('method.embed (a tf.Tensor of embeddings, preprocessing applied)', () => {
  it('returns the rows encode returns, as a tensor, with IIC\'s centre crop applied, for datasets and tensors', async () => {
    const iic = new IIC({ backbone: [2, 'M', 4], subHeads: 1, overclusterClusters: 0, numClusters: 2, seed: 3 });
    iic.initialize(images);
    const encoded = await iic.encode(images);
    const before = tf.memory().numTensors;
    const embedded = await iic.embed(images, { batchSize: 4 });
    expect(embedded.shape).toEqual([10, 4 * 12 * 12]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(await embedded.data())).toEqual(Array.from(encoded.data));

    // What the user would have to write with the bare backbone: IIC's clean view (crop 20 → 24) first.
    const input = tf.tensor4d(images.images, [10, 28, 28, 1]);
    const byHand = tf.tidy(() => iic.backbone!.predict(centerCrop(input, 20, 24)) as tf.Tensor);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(byHand, embedded))).dataSync()[0])).toBeLessThan(1e-6);
    const fromTensor = await iic.embed(input);
    expect(Array.from(await fromTensor.data())).toEqual(Array.from(encoded.data));
    expect(input.isDisposed).toBe(false);
    tf.dispose([embedded, byHand, fromTensor, input]);
    expect(tf.memory().numTensors).toBe(before);
    iic.dispose();
  });

  it('names the problem for an untrained method, a disposed tensor, a wrong shape or a bad batch size', async () => {
    const untrained = new IIC({ backbone: [2, 'M', 4], subHeads: 1, overclusterClusters: 0, numClusters: 2 });
    await expect(untrained.embed(images)).rejects.toThrow(/IIC\.embed: the model is not trained yet/);
    untrained.initialize(images);
    const before = tf.memory().numTensors;
    const disposed = tf.zeros([1, 28, 28, 1]);
    disposed.dispose();
    await expect(untrained.embed(disposed)).rejects.toThrow(/IIC\.embed: the input tensor is disposed/);
    const small = tf.zeros([1, 20, 20, 1]);
    await expect(untrained.embed(small)).rejects.toThrow(/IIC\.embed: the model was built for inputs of shape \[28,28,1\], got \[20,20,1\]/);
    await expect(untrained.embed(images, { batchSize: 0 })).rejects.toThrow(/IIC\.embed: batchSize must be a positive integer, got 0/);
    small.dispose();
    expect(tf.memory().numTensors).toBe(before);
    untrained.dispose();
  });
});
