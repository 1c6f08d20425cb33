import * as tf from '@tensorflow/tfjs';

import { centerCrop, randomCrop, randomRotation } from './geometric.js';

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

/**
 * IIC's MNIST views: x = centre crop 20 resized to 24; x′ = random crop of side 16, 20 or 24
 * resized to 24, then rotated by an angle in [−25°, 25°]. Pure functions of tensors, batched,
 * seeded.
 */
export function iicMnistAugment(options: IicViewOptions = {}): PairedViews {
  const { centerCrop: crop = 20, outputSize = 24, randomCropSizes = [16, 20, 24], maxRotationDegrees = 25 } = options;
  return {
    outputSize,
    clean: (images) => centerCrop(images, crop, outputSize),
    transformed: (images, seed) =>
      tf.tidy(() => {
        const cropped = randomCrop(images, randomCropSizes, outputSize, seed);
        return maxRotationDegrees > 0 ? randomRotation(cropped, maxRotationDegrees, seed + 1) : cropped;
      }),
  };
}
