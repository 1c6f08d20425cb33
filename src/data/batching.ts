import * as tf from '@tensorflow/tfjs';

import type { AnyImageDataset } from './dataset.js';
import { checkDatasetStructure, flattenedDimension, gatherRows } from './dataset.js';
import { seededRandom } from '../core/random.js';
import { readOptions } from './options.js';

/** Options of {@link batchIndices}. */
export interface BatchOptions {
  /** Shuffle the rows (seeded). Default `true`. */
  shuffle?: boolean;
  /**
   * Seed of the shuffle. Default 0, so an unseeded call is reproducible too; pass a different
   * seed every epoch (e.g. `seed + epoch`) for a different order each epoch.
   */
  seed?: number;
  /** Drop a last batch smaller than `batchSize`. Default `false`. */
  dropRemainder?: boolean;
}

/**
 * Splits rows 0..n−1 into batches of `batchSize` (the last may be smaller), in a seeded random
 * order by default, in order with `shuffle: false`. Every row appears in exactly one batch (rows
 * of a dropped remainder in none). The batches are consecutive views of one Int32Array.
 *
 * @throws when `n` is not a non-negative integer or `batchSize` not a positive integer.
 */
export function batchIndices(n: number, batchSize: number, options: BatchOptions = {}): Int32Array[] {
  options = readOptions(options, 'batchIndices', { batchSize: 'number', shuffle: 'boolean', seed: 'number', dropRemainder: 'boolean' });
  const { shuffle = true, seed = 0, dropRemainder = false } = options;
  if (!Number.isInteger(n) || n < 0) throw new Error(`batchIndices: n must be a non-negative integer, got ${n}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchIndices: batchSize must be a positive integer, got ${batchSize}.`);
  let order: Int32Array;
  if (shuffle) {
    order = seededRandom(seed, 'batchIndices').permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (dropRemainder && end - start < batchSize) break;
    batches.push(order.subarray(start, end));
  }
  return batches;
}

/**
 * The images at `indices` gathered into one new Float32Array (NHWC, row-major, in the listed
 * order): a batch's worth of pixels, ready for `tf.tensor4d(data, [indices.length, ...shape])`.
 *
 * @throws when an index is not an integer in [0, size).
 */
export function gatherImages(dataset: AnyImageDataset, indices: ArrayLike<number>): Float32Array {
  return gatherRows(dataset, indices, 'gatherImages');
}

/** Options of {@link iterateBatches}. */
export interface IterateBatchesOptions extends BatchOptions {
  /** Images per batch. Default 256. */
  batchSize?: number;
}

/**
 * One batch of {@link iterateBatches}. The consumer owns `x` and `y` and must dispose them
 * (e.g. `tf.dispose([batch.x, batch.y])`).
 */
export interface TensorBatch {
  /** The images [batch, height, width, channels], float32. */
  x: tf.Tensor4D;
  /** Their labels [batch], int32, when the dataset has labels. */
  y?: tf.Tensor1D;
  /** Which rows of the dataset the batch holds, in order. */
  indices: Int32Array;
}

/**
 * Yields mini-batches as tensors, one at a time: each batch's rows are gathered from
 * `dataset.images` into a fresh Float32Array and only then made a tensor, so the whole dataset
 * is never one tensor. The order is that of {@link batchIndices} with the same options.
 *
 * Ownership: the consumer owns every yielded `x` and `y` and must dispose them. A batch's
 * tensors are created only when it is requested, so stopping early (`break`) leaks nothing.
 *
 * @throws (on the first `next()`) when the dataset's arrays do not match its shape and size, or
 *   the options are invalid.
 *
 * @example
 * ```ts
 * for (const { x, y } of iterateBatches(train, { batchSize: 128, seed: epoch })) {
 *   // ... use x (and y)
 *   tf.dispose([x, y]);
 * }
 * ```
 */
export function* iterateBatches(dataset: AnyImageDataset, options: IterateBatchesOptions = {}): Generator<TensorBatch, void, undefined> {
  options = readOptions(options, 'iterateBatches', { batchSize: 'number', shuffle: 'boolean', seed: 'number', dropRemainder: 'boolean' });
  checkDatasetStructure(dataset, 'iterateBatches');
  const { batchSize = 256, ...batchOptions } = options;
  const d = flattenedDimension(dataset);
  if (dataset.images.length !== dataset.size * d) {
    throw new Error(`iterateBatches: images has ${dataset.images.length} values, expected size × ${dataset.shape.join(' × ')} = ${dataset.size * d}.`);
  }
  const { labels } = dataset;
  if (labels !== undefined && labels.length !== dataset.size) throw new Error(`iterateBatches: labels has ${labels.length} entries for ${dataset.size} images.`);
  for (const indices of batchIndices(dataset.size, batchSize, batchOptions)) {
    const x = tf.tensor4d(gatherRows(dataset, indices, 'iterateBatches'), [indices.length, ...dataset.shape]);
    if (labels === undefined) {
      yield { x, indices };
    } else {
      const y = new Int32Array(indices.length);
      for (let j = 0; j < indices.length; j++) y[j] = labels[indices[j]];
      yield { x, y: tf.tensor1d(y, 'int32'), indices };
    }
  }
}
