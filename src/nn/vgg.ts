import * as tf from '@tensorflow/tfjs';

import { batchNormalization } from './batch_normalization.js';
import { seededHeInitializer } from './initializers.js';

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

/** The list of a named or explicit VGG config; an unknown name is an error naming `context`. */
export function resolveVggConfig(config: VggConfigInput, context: string): VggConfig {
  const cfg: VggConfig | undefined = typeof config === 'string' ? VGG_CONFIGS[config] : config;
  if (cfg === undefined) throw new Error(`${context}: unknown backbone '${String(config)}'; named configs: ${Object.keys(VGG_CONFIGS).join(', ')}.`);
  return [...cfg];
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
}

/**
 * A VGG-style backbone: for each number in the config a conv3x3 ('same') → BatchNorm → ReLU,
 * for each `'M'` a 2x2 max-pool, then flatten. `vgg('F')` on 24x24x1 gives 3·3·512 = 4608 features.
 */
export function vgg(config: VggConfigInput = 'F', options: VggOptions = {}): tf.Sequential {
  const cfg = resolveVggConfig(config, 'vgg');
  const { inputShape = [24, 24, 1], batchNorm = true, flatten = true, seed, name = 'vgg' } = options;
  const model = tf.sequential({ name });
  let first = true;
  cfg.forEach((entry, i) => {
    const inputArgs = first ? { inputShape } : {};
    first = false;
    if (entry === 'M') {
      model.add(tf.layers.maxPooling2d({ ...inputArgs, poolSize: 2, strides: 2, name: `${name}_pool${i}` }));
      return;
    }
    if (!Number.isInteger(entry) || entry < 1) throw new Error(`vgg: bad channel count ${String(entry)} at position ${i}.`);
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
