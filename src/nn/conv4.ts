import * as tf from '@tensorflow/tfjs';

import { batchNormalization } from './batch_normalization.js';
import { checkInputShape, halveFeatureMap, maxHalvings, plural } from './feature_map_size.js';
import { seededHeInitializer } from './initializers.js';
import { readOptions } from '../data/options.js';

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
  /** Prefix of error messages, e.g. the method building the backbone. Default `'conv4'`. */
  context?: string;
}

/**
 * The shallow Conv4 backbone of Patacchiola & Storkey 2020: blocks of conv3x3 ('same') →
 * BatchNorm → ReLU → 2x2 max-pool, then global average pooling. On 28x28x1 it outputs 64 features.
 *
 * @throws when `channels` is empty or holds non-positive integers, or when a block's pooling would
 *   shrink its feature map to 0x0 (computed from `inputShape` before any layer exists): the error
 *   names the layer, the input size, and how many blocks the input allows.
 */
export function conv4(options: Conv4Options = {}): tf.Sequential {
  options = readOptions(options, 'conv4', { inputShape: 'list', channels: 'list', globalPool: 'boolean', seed: 'number', name: 'string', context: 'string' });
  const { channels = [8, 16, 32, 64], globalPool = true, seed, name = 'conv4', context = 'conv4' } = options;
  if (!Array.isArray(channels) || channels.length === 0) throw new Error(`${context}: channels must list at least one block, got ${JSON.stringify(channels)}.`);
  channels.forEach((filters, i) => {
    if (!Number.isInteger(filters) || filters < 1) throw new Error(`${context}: bad channel count ${String(filters)} at block ${i} of channels ${JSON.stringify(channels)}.`);
  });
  const inputShape = checkInputShape(options.inputShape ?? [28, 28, 1], context);
  // Every block halves the map (2x2 'valid' max-pool): sizes are checked before any layer exists.
  const advice =
    `use at most ${plural(maxHalvings(inputShape[0], inputShape[1]), 'block')} (entries of channels) for ${inputShape[0]}x${inputShape[1]} inputs ` +
    `(it has ${channels.length}), or inputs of at least ${2 ** channels.length}x${2 ** channels.length}`;
  let map: [number, number] = [inputShape[0], inputShape[1]];
  channels.forEach((_, i) => {
    map = halveFeatureMap(map, `${name}_pool${i}`, 'floor', { context, inputShape, advice });
  });
  const model = tf.sequential({ name });
  channels.forEach((filters, i) => {
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
