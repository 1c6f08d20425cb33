import * as tf from '@tensorflow/tfjs';

import { batchNormalization } from './batch_normalization.js';
import { checkInputShape, halveFeatureMap, maxHalvings, plural } from './feature_map_size.js';
import { seededHeInitializer } from './initializers.js';
import { readOptions } from '../data/options.js';

/** A VGG configuration: channel counts of conv3x3 layers and `'M'` for 2x2 max-pooling. */
export type VggConfig = ReadonlyArray<number | 'M'>;

/**
 * Named VGG configurations. `F` is IIC's MNIST backbone (Ji et al. 2019, code `ClusterNet5g`
 * cfg for 24x24 inputs); `small` a CPU-friendly version with a quarter of the channels.
 */
export const VGG_CONFIGS = {
  F: [64, 'M', 128, 'M', 256, 'M', 512],
  small: [16, 'M', 32, 'M', 64, 'M', 128],
} as const satisfies Record<string, VggConfig>;

/** A VGG config given by name or as a list. */
export type VggConfigInput = keyof typeof VGG_CONFIGS | VggConfig;

/**
 * The list of a named or explicit VGG config.
 *
 * @throws an error naming `context` for an unknown name, a value that is neither a name nor a
 *   list, an empty list, a list without a convolution, or an entry that is neither a positive
 *   integer nor `'M'`.
 */
export function resolveVggConfig(config: VggConfigInput, context: string): VggConfig {
  const names = Object.keys(VGG_CONFIGS).join(', ');
  if (typeof config === 'string') {
    if (!Object.hasOwn(VGG_CONFIGS, config)) throw new Error(`${context}: unknown backbone '${config}'; named configs: ${names}.`);
    return [...VGG_CONFIGS[config as keyof typeof VGG_CONFIGS]];
  }
  if (!Array.isArray(config)) throw new Error(`${context}: backbone must be a named config (${names}) or a list of channel counts and 'M', got ${describeValue(config)}.`);
  if (config.length === 0) throw new Error(`${context}: backbone is an empty list; give channel counts and 'M' (2x2 max-pool), e.g. [16, 'M', 32], or a named config (${names}).`);
  config.forEach((entry: unknown, i: number) => {
    if (entry !== 'M' && !(typeof entry === 'number' && Number.isInteger(entry) && entry >= 1)) {
      throw new Error(`${context}: backbone entry ${i} must be a positive integer (channels) or 'M' (max-pool), got ${describeValue(entry)} in ${JSON.stringify(config)}.`);
    }
  });
  if (!config.some((entry) => entry !== 'M')) throw new Error(`${context}: backbone ${JSON.stringify(config)} has no convolution; add at least one channel count.`);
  return [...config];
}

/** A short description of a bad value for an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? JSON.stringify(value) : typeof value;
}

/** Options of {@link vgg}. */
export interface VggOptions {
  /** Input shape [height, width, channels]. Default `[24, 24, 1]` (IIC's MNIST crops). */
  inputShape?: [number, number, number];
  /** Add batch normalisation after each conv (conv → BN → ReLU). Default `true`. */
  batchNorm?: boolean;
  /** Flatten the output to a vector. Default `true`. */
  flatten?: boolean;
  /** Seed of the weight initialisers. Default: unseeded. */
  seed?: number;
  /** Prefix of the layer names. Default `'vgg'`. */
  name?: string;
  /** Prefix of error messages, e.g. the method building the backbone. Default `'vgg'`. */
  context?: string;
}

/**
 * A VGG-style backbone: for each number in the config a conv3x3 ('same') → BatchNorm → ReLU,
 * for each `'M'` a 2x2 max-pool, then flatten. `vgg('F')` on 24x24x1 gives 3·3·512 = 4608 features.
 *
 * @throws when the config is invalid, or when a pooling would shrink its feature map to 0x0 (the
 *   sizes are computed from `inputShape` before any layer exists): the error names the layer, the
 *   input size, and how many 'M' entries the input allows.
 */
export function vgg(config: VggConfigInput = 'F', options: VggOptions = {}): tf.Sequential {
  options = readOptions(options, 'vgg', { inputShape: 'list', batchNorm: 'boolean', flatten: 'boolean', seed: 'number', name: 'string', context: 'string' });
  const { batchNorm = true, flatten = true, seed, name = 'vgg', context = 'vgg' } = options;
  const cfg = resolveVggConfig(config, context);
  const inputShape = checkInputShape(options.inputShape ?? [24, 24, 1], context);
  // Every pooling's output size, computed before any layer (or TF.js op) exists.
  const pools = cfg.filter((entry) => entry === 'M').length;
  const advice =
    `use at most ${plural(maxHalvings(inputShape[0], inputShape[1]), "'M' (max-pool) entry", "'M' (max-pool) entries")} in the backbone for ${inputShape[0]}x${inputShape[1]} inputs ` +
    `(it has ${pools}), or inputs of at least ${2 ** pools}x${2 ** pools}`;
  let map: [number, number] = [inputShape[0], inputShape[1]];
  cfg.forEach((entry, i) => {
    if (entry === 'M') map = halveFeatureMap(map, `${name}_pool${i}`, 'floor', { context, inputShape, advice });
  });
  const model = tf.sequential({ name });
  let first = true;
  cfg.forEach((entry, i) => {
    const inputArgs = first ? { inputShape } : {};
    first = false;
    if (entry === 'M') {
      model.add(tf.layers.maxPooling2d({ ...inputArgs, poolSize: 2, strides: 2, name: `${name}_pool${i}` }));
      return;
    }
    model.add(
      tf.layers.conv2d({
        ...inputArgs,
        filters: entry,
        kernelSize: 3,
        padding: 'same',
        useBias: !batchNorm,
        kernelInitializer: seededHeInitializer(seed, i),
        name: `${name}_conv${i}`,
      }),
    );
    if (batchNorm) model.add(batchNormalization({ name: `${name}_bn${i}` }));
    model.add(tf.layers.reLU({ name: `${name}_relu${i}` }));
  });
  if (flatten) model.add(tf.layers.flatten({ name: `${name}_flatten` }));
  return model;
}
