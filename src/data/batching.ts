import * as tf from '@tensorflow/tfjs';

import type { ImageDataset } from './dataset.js';
import { gatherRows } from './dataset.js';
import { createRandom } from './random.js';

/** Options of {@link batchIndices}. */
export interface BatchOptions {
  /** Shuffle the rows (seeded). Default `true`. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
  /** Drop a last batch smaller than `batchSize`. Default `false`. */
  dropRemainder?: boolean;
}

/**
 * Splits rows 0..n−1 into batches of `batchSize` (the last may be smaller), in a seeded random
 * order by default. Every row appears exactly once per call (unless dropped with `dropRemainder`).
 */
export function batchIndices(n: number, batchSize: number, options: BatchOptions = {}): Int32Array[] {
  const { shuffle = true, seed = 0, dropRemainder = false } = options;
  if (!Number.isInteger(n) || n < 0) throw new Error(`batchIndices: n must be a non-negative integer, got ${n}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchIndices: batchSize must be a positive integer, got ${batchSize}.`);
  const order = shuffle ? createRandom(seed).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (dropRemainder && end - start < batchSize) break;
    batches.push(order.subarray(start, end));
  }
  return batches;
}

/** The images at `rows` as one Float32Array (NHWC, row-major). */
export function gatherImages(dataset: ImageDataset, rows: ArrayLike<number>): Float32Array {
  return gatherRows(dataset, rows);
}

/** One batch of {@link iterateBatches}; the consumer owns `x` and `y` and must dispose them. */
export interface TensorBatch {
  x: tf.Tensor4D;
  y?: tf.Tensor1D;
  indices: Int32Array;
}

/**
 * Yields mini-batches as tensors, built one at a time from the Float32Array (the whole dataset is
 * never one tensor). The consumer disposes every batch's `x` and `y`.
 */
export function* iterateBatches(dataset: ImageDataset, options: BatchOptions & { batchSize?: number } = {}): Generator<TensorBatch> {
  const { batchSize = 256, ...batchOptions } = options;
  for (const indices of batchIndices(dataset.size, batchSize, batchOptions)) {
    const x = tf.tensor4d(gatherRows(dataset, indices), [indices.length, ...dataset.shape]);
    const y = dataset.labels === undefined ? undefined : tf.tensor1d(Int32Array.from(indices, (i) => dataset.labels![i]), 'int32');
    yield { x, y, indices };
  }
}
