import * as tf from '@tensorflow/tfjs';

import { batchNormalization } from './batch_normalization.js';
import { checkInputShape, halveFeatureMap, maxHalvings, plural } from './feature_map_size.js';
import { seededHeInitializer } from './initializers.js';
import { readOptions } from '../data/options.js';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  /** Input shape [height, width, channels]. Default `[32, 32, 3]` (CIFAR-10). */
  inputShape?: [number, number, number];
  /** Channels of the stem and of each stage. Default `[16, 32, 64]` (the CIFAR ResNets of He et al. 2016). */
  channels?: readonly number[];
  /**
   * Basic blocks per stage, as many entries as `channels`. Default `[1, 1, 1]`: ResNet-8 (the
   * smallest of Patacchiola & Storkey's CIFAR backbones); `[3, 3, 3]` is ResNet-20, `[5, 5, 5]` ResNet-32.
   */
  blocks?: readonly number[];
  /**
   * How every stage after the first halves the resolution: `'avgpool'` — 2x2 average pooling
   * before the block, whose convolutions then all have stride 1 (fast to train on the wasm
   * backend, whose stride-1 input gradient is a gap-filled XNNPACK convolution; the shortcut is
   * the pooled input, through a 1x1 convolution when the width changes, as ResNet-D);
   * `'strided'` — a stride-2 first convolution and a stride-2 1x1 shortcut, as the original.
   * Default `'avgpool'`.
   */
  downsample?: 'avgpool' | 'strided';
  /** Seed of the weight initialisers. Default: unseeded. */
  seed?: number;
  /** Prefix of the layer names. Default `'resnet'`. */
  name?: string;
  /** Prefix of error messages, e.g. the method building the backbone. Default `'resnet'`. */
  context?: string;
}

/**
 * A small ResNet with basic blocks (He, Zhang, Ren & Sun 2016, CIFAR variant): a 3x3 stem
 * convolution → BN → ReLU, then stages of basic blocks (conv3x3 → BN → ReLU → conv3x3 → BN, plus
 * the shortcut, → ReLU), every stage after the first halving the resolution, and global average
 * pooling: a `channels.at(-1)`-d feature vector. Convolutions have no bias (BN follows) and
 * seeded He-normal weights; the batch normalisation is the library's fused
 * {@link batchNormalization}. It uses only conv2d, batch norm, ReLU, add and (with the default
 * `downsample`) average pooling, which all train on the wasm backend.
 *
 * @throws when `channels` and `blocks` are empty, differ in length, or hold non-positive integers,
 *   or when a stage's 2x2 average pooling would shrink its feature map to 0x0 (computed from
 *   `inputShape` before any layer exists), naming the layer, the input size and the stages allowed.
 */
export function resnet(options: ResNetOptions = {}): tf.LayersModel {
  options = readOptions(options, 'resnet');
  const { channels = [16, 32, 64], blocks = [1, 1, 1], downsample = 'avgpool', seed, name = 'resnet', context = 'resnet' } = options;
  if (!Array.isArray(channels) || channels.length === 0) throw new Error(`${context}: channels must list at least one stage, got ${JSON.stringify(channels)}.`);
  if (!Array.isArray(blocks) || blocks.length !== channels.length) {
    const count = Array.isArray(blocks) ? `${blocks.length} entries` : JSON.stringify(blocks);
    throw new Error(`${context}: blocks (${count}) must have one entry per stage of channels (${channels.length}).`);
  }
  channels.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 1) throw new Error(`${context}: bad channel count ${String(c)} at stage ${i}.`);
  });
  blocks.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1) throw new Error(`${context}: bad block count ${String(b)} at stage ${i}; every stage needs at least one block.`);
  });
  if (downsample !== 'avgpool' && downsample !== 'strided') throw new Error(`${context}: downsample must be 'avgpool' or 'strided', got '${String(downsample)}'.`);
  const inputShape = checkInputShape(options.inputShape ?? [32, 32, 3], context);
  // Every stage after the first halves the map; sizes are checked before any layer exists.
  const advice =
    `use at most ${plural(maxHalvings(inputShape[0], inputShape[1]) + 1, 'stage')} (entries of channels) for ${inputShape[0]}x${inputShape[1]} inputs ` +
    `(it has ${channels.length}), or inputs of at least ${2 ** (channels.length - 1)}x${2 ** (channels.length - 1)}`;
  let map: [number, number] = [inputShape[0], inputShape[1]];
  for (let stage = 1; stage < channels.length; stage++) {
    const layer = downsample === 'avgpool' ? `${name}_s${stage}b0_pool` : `${name}_s${stage}b0_conv1`;
    map = halveFeatureMap(map, layer, downsample === 'avgpool' ? 'floor' : 'ceil', { context, inputShape, advice });
  }
  let convIndex = 0;
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, layerName: string) =>
    tf.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seededHeInitializer(seed, convIndex++), name: `${name}_${layerName}` })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, layerName: string) => batchNormalization({ name: `${name}_${layerName}` }).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor, layerName: string) => tf.layers.reLU({ name: `${name}_${layerName}` }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  let x = relu(bn(conv(input, channels[0], 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
  let width = channels[0];
  channels.forEach((filters, stage) => {
    for (let block = 0; block < blocks[stage]; block++) {
      const prefix = `s${stage}b${block}`;
      const halve = stage > 0 && block === 0;
      let source = x;
      let stride = 1;
      if (halve && downsample === 'avgpool') {
        source = tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${name}_${prefix}_pool` }).apply(x) as tf.SymbolicTensor;
      } else if (halve) {
        stride = 2;
      }
      let main = relu(bn(conv(source, filters, 3, stride, `${prefix}_conv1`), `${prefix}_bn1`), `${prefix}_relu1`);
      main = bn(conv(main, filters, 3, 1, `${prefix}_conv2`), `${prefix}_bn2`);
      const shortcut = width !== filters || stride !== 1 ? bn(conv(source, filters, 1, stride, `${prefix}_shortcut_conv`), `${prefix}_shortcut_bn`) : source;
      x = relu(tf.layers.add({ name: `${name}_${prefix}_add` }).apply([main, shortcut]) as tf.SymbolicTensor, `${prefix}_relu2`);
      width = filters;
    }
  });
  const output = tf.layers.globalAveragePooling2d({ name: `${name}_gap` }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name });
}
