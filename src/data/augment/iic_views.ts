import * as tf from '@tensorflow/tfjs';

import { colorJitter, validateColorJitter } from './color.js';
import type { ColorJitterOptions } from './color.js';
import { centerCrop, randomCrop, randomRotation } from './geometric.js';
import { readOptions } from '../options.js';

/** Options of {@link iicMnistAugment}: the paired views of IIC on MNIST (Ji et al. 2019, section 4). */
export interface IicViewOptions {
  /** Side of the centre crop of the clean view x. Default 20. */
  centerCrop?: number;
  /** Side of both views after resizing. Default 24. */
  outputSize?: number;
  /** Sides of the random crop of the transformed view x′. Default `[16, 20, 24]`. */
  randomCropSizes?: number[];
  /** Maximum rotation of x′, degrees either way. Default 25. */
  maxRotationDegrees?: number;
  /**
   * Colour jitter of x′ (on greyscale images only brightness and contrast act). Default
   * `{ brightness: 0.4, contrast: 0.4 }`, as the reference code's greyscale transforms
   * (`ColorJitter(0.4, 0.4, 0.4, 0.125)`); without it, the clusters latch onto how much ink and
   * contrast an image has, which x and x′ share, instead of its digit. `false` turns it off.
   */
  colorJitter?: ColorJitterOptions | false;
}

/** A pair of view functions: the clean view and a seeded random transform. */
export interface PairedViews {
  /** Side of both views. */
  outputSize: number;
  /** The clean view x of a batch [n, h, w, c]. */
  clean: (images: tf.Tensor4D) => tf.Tensor4D;
  /** A random view x′ of the same batch, seeded. */
  transformed: (images: tf.Tensor4D, seed: number) => tf.Tensor4D;
}

/** The default colour jitter of x′: the reference code's, as it acts on greyscale images. */
export const IIC_DEFAULT_COLOR_JITTER: Readonly<ColorJitterOptions> = { brightness: 0.4, contrast: 0.4 };

/**
 * IIC's MNIST views (Ji et al. 2019 and their code's greyscale transforms): x = centre crop 20
 * resized to 24; x′ = random crop of side 16, 20 or 24 resized to 24, rotated by an angle in
 * [−25°, 25°], then brightness and contrast jittered by up to ±40 %. Pure functions of tensors,
 * batched, seeded.
 *
 * @throws on a bad colour-jitter option.
 */
export function iicMnistAugment(options: IicViewOptions = {}): PairedViews {
  options = readOptions(options, 'iicMnistAugment', { centerCrop: 'number', outputSize: 'number', randomCropSizes: 'list', maxRotationDegrees: 'number', colorJitter: ['object', 'boolean'] });
  const { centerCrop: crop = 20, outputSize = 24, randomCropSizes = [16, 20, 24], maxRotationDegrees = 25 } = options;
  const jitter = options.colorJitter === undefined ? IIC_DEFAULT_COLOR_JITTER : options.colorJitter;
  if (jitter !== false) validateColorJitter(jitter, 'iicMnistAugment');
  return {
    outputSize,
    clean: (images) => centerCrop(images, crop, outputSize),
    transformed: (images, seed) =>
      tf.tidy(() => {
        const cropped = randomCrop(images, randomCropSizes, outputSize, seed);
        const rotated = maxRotationDegrees > 0 ? randomRotation(cropped, maxRotationDegrees, seed + 1) : cropped;
        return jitter === false ? rotated : colorJitter(rotated, jitter, seed + 2);
      }),
  };
}

/**
 * IIC's MNIST views ({@link iicMnistAugment}: centre crop 20 → 24; random crops 16/20/24 → 24)
 * scaled to images of another side, e.g. 32 (CIFAR-10) → crop 23 → 27, random crops 18/23/27;
 * `{}` (the MNIST views themselves) for 28. What IIC and MineEncoder use when given no views.
 *
 * @param shape the images' `[height, width, channels]`; the smaller side is scaled.
 */
export function iicViewsForShape(shape: readonly [number, number, number]): IicViewOptions {
  const side = Math.min(shape[0], shape[1]);
  if (!Number.isInteger(side) || side < 1) throw new Error(`iicViewsForShape: the image sides must be positive integers, got ${JSON.stringify(shape)}.`);
  if (side === 28) return {};
  const scale = (n: number) => Math.max(1, Math.round((n * side) / 28));
  return { centerCrop: scale(20), outputSize: scale(24), randomCropSizes: [16, 20, 24].map(scale) };
}
