import * as tf from '@tensorflow/tfjs';

import { batchNormalization } from './batch_normalization.js';
import { seededHeInitializer } from './initializers.js';

/** Options of {@link conv4}. */
export interface Conv4Options {
  /** Input shape [height, width, channels]. Default `[28, 28, 1]` (MNIST). */
  inputShape?: [number, number, number];
  /** Channels of the four blocks. Default `[8, 16, 32, 64]` (relational reasoning's Conv4). */
  channels?: readonly number[];
  /** End with global average pooling (a `channels.at(-1)`-d vector). Default `true`; else flatten. */
  globalPool?: boolean;
  /** Seed of the weight initialisers. Default: unseeded. */
  seed?: number;
  /** Prefix of the layer names. Default `'conv4'`. */
  name?: string;
}

/**
 * The shallow Conv4 backbone of Patacchiola & Storkey 2020: blocks of conv3x3 ('same') →
 * BatchNorm → ReLU → 2x2 max-pool, then global average pooling. On 28x28x1 it outputs 64 features.
 */
export function conv4(options: Conv4Options = {}): tf.Sequential {
  const { inputShape = [28, 28, 1], channels = [8, 16, 32, 64], globalPool = true, seed, name = 'conv4' } = options;
  if (channels.length === 0) throw new Error('conv4: channels must list at least one block.');
  const model = tf.sequential({ name });
  channels.forEach((filters, i) => {
    if (!Number.isInteger(filters) || filters < 1) throw new Error(`conv4: bad channel count ${String(filters)} at block ${i}.`);
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: seededHeInitializer(seed, i),
        name: `${name}_conv${i}`,
      }),
    );
    model.add(batchNormalization({ name: `${name}_bn${i}` }));
    model.add(tf.layers.reLU({ name: `${name}_relu${i}` }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${name}_pool${i}` }));
  });
  model.add(globalPool ? tf.layers.globalAveragePooling2d({ name: `${name}_gap` }) : tf.layers.flatten({ name: `${name}_flatten` }));
  return model;
}
