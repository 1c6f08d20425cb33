import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { BatchNormalization } from '../../src/nn/batch_normalization.js';
import { resnet } from '../../src/nn/resnet.js';
import { trainableVariablesOf } from '../../src/train/model_utils.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('resnet', () => {
  it('maps images to channels.at(-1) features with the library batch norm, and is seeded', async () => {
    const model = resnet({ inputShape: [16, 16, 3], channels: [4, 8, 16], blocks: [1, 2, 1], seed: 3 });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 16]);
    expect(model.layers.some((l) => l instanceof BatchNormalization)).toBe(true);
    // Stem + 4 blocks of two convs + 2 shortcut projections (width changes) = 11 convolutions.
    expect(model.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(11);
    expect(model.layers.filter((l) => l.getClassName() === 'AveragePooling2D')).toHaveLength(2);
    const again = resnet({ inputShape: [16, 16, 3], channels: [4, 8, 16], blocks: [1, 2, 1], seed: 3 });
    const y2 = again.predict(x) as tf.Tensor;
    expect(Array.from(await y2.data())).toEqual(Array.from(await y.data()));
    const strided = resnet({ inputShape: [28, 28, 1], downsample: 'strided', seed: 0 });
    const z = strided.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
    expect(z.shape).toEqual([1, 64]);
    expect(strided.layers.filter((l) => l.getClassName() === 'AveragePooling2D')).toHaveLength(0);
    tf.dispose([x, y, y2, z]);
    model.dispose();
    again.dispose();
    strided.dispose();
  });

  it('trains: a few Adam steps on the wasm backend lower a regression loss, without leaking', async () => {
    const model = resnet({ inputShape: [12, 12, 1], channels: [4, 8], blocks: [1, 1], seed: 0 });
    const head = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
    const x = tf.randomUniform([8, 12, 12, 1], 0, 1, 'float32', 2);
    const target = tf.tensor2d([[1], [0], [1], [0], [1], [0], [1], [0]]);
    const network = tf.sequential({ layers: [model, head] });
    const variables = trainableVariablesOf(network);
    const optimizer = tf.train.adam(1e-2);
    const step = () => optimizer.minimize(() => tf.losses.meanSquaredError(target, network.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables) as tf.Scalar;
    const first = step();
    const firstLoss = (await first.data())[0];
    first.dispose();
    const before = tf.memory().numTensors;
    let last = 0;
    for (let i = 0; i < 10; i++) {
      const loss = step();
      last = (await loss.data())[0];
      loss.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(firstLoss);
    optimizer.dispose();
    network.dispose();
    tf.dispose([x, target]);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => resnet({ channels: [] })).toThrow(/channels must list at least one stage/);
    expect(() => resnet({ channels: [8, 16], blocks: [1] })).toThrow(/blocks \(1 entries\) must have one entry per stage of channels \(2\)/);
    expect(() => resnet({ channels: [8, 16], blocks: [1, 0] })).toThrow(/bad block count 0 at stage 1/);
    expect(() => resnet({ downsample: 'max' as 'avgpool' })).toThrow(/downsample must be 'avgpool' or 'strided'/);
  });
});
