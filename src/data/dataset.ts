import * as tf from '@tensorflow/tfjs';

import { createRandom } from './random.js';

/** A dataset of images: what every method trains on. */
export interface ImageDataset {
  /** Pixels, NHWC row-major, values in [0, 1]: `size × height × width × channels` values. */
  images: Float32Array;
  /** Class of every image (for evaluation only; unsupervised methods never train on them). */
  labels?: Int32Array;
  /** [height, width, channels]. */
  shape: [number, number, number];
  /** Number of images. */
  size: number;
  /** Where it came from, for logs. */
  name?: string;
}

/** An image dataset whose labels are known (e.g. MNIST); still used without labels for training. */
export type LabelledImageDataset = ImageDataset & { labels: Int32Array };

/** Values per image: height × width × channels. */
export function flattenedDimension(dataset: Pick<ImageDataset, 'shape'>): number {
  return dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
}

/**
 * Checks a dataset: non-empty, a valid shape, images and labels of the right lengths, and finite
 * pixels (naming the first NaN's image). Throws a clear error; returns nothing.
 *
 * @param context prefix of the error messages (e.g. the calling method).
 */
export function validateDataset(dataset: ImageDataset, context = 'dataset'): void {
  if (dataset === null || typeof dataset !== 'object' || !(dataset.images instanceof Float32Array)) {
    throw new Error(`${context}: expected an ImageDataset { images: Float32Array, shape, size }.`);
  }
  const { images, labels, shape, size } = dataset;
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`${context}: shape must be [height, width, channels] of positive integers, got ${JSON.stringify(shape)}.`);
  }
  if (!Number.isInteger(size) || size < 0) throw new Error(`${context}: size must be a non-negative integer, got ${size}.`);
  if (size === 0) throw new Error(`${context}: the dataset is empty (size 0).`);
  const d = flattenedDimension(dataset);
  if (images.length !== size * d) {
    throw new Error(`${context}: images has ${images.length} values, expected size × ${shape.join(' × ')} = ${size * d}.`);
  }
  if (labels !== undefined && labels.length !== size) throw new Error(`${context}: labels has ${labels.length} entries for ${size} images.`);
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i])) {
      throw new Error(`${context}: image ${Math.floor(i / d)} has a non-finite value (${images[i]}) at position ${i % d}; NaN or infinite inputs cannot be trained on.`);
    }
  }
}

/**
 * The images at `rows` (or in [start, end)), as a new dataset. A contiguous range shares memory
 * with the source (no copy); a list of rows is gathered into new arrays.
 */
export function subset(dataset: ImageDataset, rows: ArrayLike<number> | { start: number; end: number }): ImageDataset {
  const d = flattenedDimension(dataset);
  if ('start' in rows && 'end' in rows && typeof rows.start === 'number') {
    const { start, end } = rows as { start: number; end: number };
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > dataset.size || start > end) {
      throw new Error(`subset: range [${start}, ${end}) is not within [0, ${dataset.size}].`);
    }
    return {
      images: dataset.images.subarray(start * d, end * d),
      labels: dataset.labels?.subarray(start, end),
      shape: [...dataset.shape],
      size: end - start,
      name: dataset.name,
    };
  }
  const list = rows as ArrayLike<number>;
  const images = gatherRows(dataset, list);
  const labels = dataset.labels === undefined ? undefined : Int32Array.from(list, (r) => dataset.labels![r]);
  return { images, labels, shape: [...dataset.shape], size: list.length, name: dataset.name };
}

/** Copies the images at `rows` into one new Float32Array (row-major). */
export function gatherRows(dataset: ImageDataset, rows: ArrayLike<number>): Float32Array {
  const d = flattenedDimension(dataset);
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.size) throw new Error(`row index ${i} is out of range [0, ${dataset.size}).`);
    out.set(dataset.images.subarray(i * d, (i + 1) * d), r * d);
  }
  return out;
}

/**
 * Splits a dataset in two: `fraction` (in (0, 1)) or a `count` of images go to `test`, the rest to
 * `train`. Shuffled with `seed` by default; `shuffle: false` keeps the order (test = the tail).
 */
export function split(dataset: ImageDataset, testSize: number, options: { seed?: number; shuffle?: boolean } = {}): { train: ImageDataset; test: ImageDataset } {
  const { seed = 0, shuffle = true } = options;
  const count = testSize < 1 ? Math.round(testSize * dataset.size) : testSize;
  if (!(testSize > 0) || !Number.isInteger(count) || count < 1 || count >= dataset.size) {
    throw new Error(`split: test size ${testSize} must be a fraction in (0, 1) or a count in [1, ${dataset.size - 1}].`);
  }
  if (!shuffle) return { train: subset(dataset, { start: 0, end: dataset.size - count }), test: subset(dataset, { start: dataset.size - count, end: dataset.size }) };
  const order = createRandom(seed).permutation(dataset.size);
  return { train: subset(dataset, order.subarray(count)), test: subset(dataset, order.subarray(0, count)) };
}

/** The images at `rows` (default: all) as a tensor [n, h, w, c]; the caller disposes it. */
export function toTensor(dataset: ImageDataset, rows?: ArrayLike<number>): tf.Tensor4D {
  const data = rows === undefined ? dataset.images : gatherRows(dataset, rows);
  const n = rows === undefined ? dataset.size : rows.length;
  return tf.tensor4d(data, [n, ...dataset.shape]);
}

/** A dataset from a tensor of images [n, h, w, c] (read asynchronously) and optional labels. */
export async function datasetFromTensor(images: tf.Tensor, labels?: ArrayLike<number>): Promise<ImageDataset> {
  if (images.rank !== 4) throw new Error(`datasetFromTensor: expected [n, height, width, channels], got shape [${images.shape}].`);
  const [n, h, w, c] = images.shape as [number, number, number, number];
  if (labels !== undefined && labels.length !== n) throw new Error(`datasetFromTensor: ${labels.length} labels for ${n} images.`);
  const data = Float32Array.from(await images.data());
  return { images: data, labels: labels === undefined ? undefined : Int32Array.from(labels), shape: [h, w, c], size: n };
}
