import * as tf from '@tensorflow/tfjs';

import { gatherImages } from '../data/batching.js';
import type { ImageDataset } from '../data/dataset.js';
import { validateDataset } from '../data/dataset.js';
import { UnsupervisedMethod } from './unsupervised_method.js';

/**
 * The base of methods that learn from images ({@link ImageDataset}, NHWC): the data hooks of
 * {@link UnsupervisedMethod} for images — checks, the shape key (`[h, w, c]`), batches as
 * [b, h, w, c] tensors, and tensors of images as inference input.
 */
export abstract class ImageMethod extends UnsupervisedMethod<ImageDataset> {
  /** Checks an image dataset (structure and values). */
  protected override validate(dataset: ImageDataset, context: string): void {
    validateDataset(dataset, `${this.name}.${context}`);
  }

  /** `[h, w, c]` as JSON. */
  protected override shapeKey(dataset: ImageDataset): string {
    return JSON.stringify(dataset.shape);
  }

  /** The image shape `[h, w, c]` the models were built for, once built. */
  protected get inputShape(): [number, number, number] | undefined {
    return this.builtShape as [number, number, number] | undefined;
  }

  /** Images of the rows as [b, h, w, c]. */
  protected override batchInputs(dataset: ImageDataset, indices: Int32Array): tf.Tensor {
    return tf.tensor4d(gatherImages(dataset, indices), [indices.length, ...dataset.shape]);
  }

  /** A tensor of images [n, h, w, c] as a dataset. */
  protected override async dataFromTensor(tensor: tf.Tensor): Promise<ImageDataset> {
    if (tensor.rank !== 4) throw new Error(`${this.name}: expected images [n, height, width, channels], got a tensor of shape [${tensor.shape}].`);
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32' && tensor.dtype !== 'bool') throw new Error(`${this.name}: expected a numeric tensor of images, got dtype ${tensor.dtype}.`);
    const [n, h, w, c] = tensor.shape as [number, number, number, number];
    const values = await tensor.data();
    return { images: values instanceof Float32Array ? values : Float32Array.from(values as Int32Array | Uint8Array), shape: [h, w, c], size: n };
  }
}
