/**
 * Shared by the kernel test files that compare a backend with cpu (wasm_kernels, webgpu_kernels,
 * cpu_kernels, the webgpu training and browser tests): the gap-fill grid of conv2d shapes, strides
 * and paddings and of max-pool windows, seeded random inputs, the relative-error measure, and
 * running one computation on cpu and on the backend under test.
 */
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../../src/backend/init_backend.js';
import { createRandom } from '../../src/data/random.js';

/** One conv2d case: NHWC input, square kernel, stride and padding as tf.conv2d takes them. */
export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
}

/** The wasm gap-fill grid: kernels 1/3/5 × strides 1/2/3 × same/valid, then numeric, explicit and even-kernel paddings. */
export const GAP_FILL_CONV_CASES: readonly ConvCase[] = (() => {
  const cases: ConvCase[] = [];
  for (const kernel of [1, 3, 5]) {
    for (const stride of [1, 2, 3]) {
      for (const pad of ['same', 'valid'] as const) {
        cases.push({ batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 4, kernel, stride, pad });
      }
    }
  }
  cases.push({ batch: 3, height: 7, width: 7, inChannels: 2, outChannels: 5, kernel: 3, stride: 1, pad: 1 });
  cases.push({ batch: 1, height: 10, width: 6, inChannels: 1, outChannels: 2, kernel: 3, stride: 2, pad: 2 });
  cases.push({ batch: 2, height: 8, width: 8, inChannels: 2, outChannels: 3, kernel: 3, stride: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] });
  cases.push({ batch: 2, height: 12, width: 12, inChannels: 4, outChannels: 8, kernel: 4, stride: 2, pad: 'same' });
  return cases;
})();

/** One max-pool case: NHWC input shape, square window, stride and padding. */
export interface PoolCase {
  shape: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

/** The gap-fill max-pool grid: non-overlapping (2x2 and 3x3, a remainder left out), overlapping, odd sizes with same padding, numeric padding. */
export const GAP_FILL_POOL_CASES: readonly PoolCase[] = [
  { shape: [3, 8, 8, 5], size: 2, stride: 2, pad: 'valid' },
  { shape: [2, 7, 9, 3], size: 2, stride: 2, pad: 'valid' },
  { shape: [2, 7, 9, 3], size: 2, stride: 2, pad: 'same' },
  { shape: [2, 9, 9, 4], size: 3, stride: 2, pad: 'same' },
  { shape: [2, 6, 6, 2], size: 3, stride: 1, pad: 1 },
  { shape: [2, 9, 10, 3], size: 3, stride: 3, pad: 'valid' },
];

/** `size` standard-normal values from a seeded generator. */
export function randomValues(size: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: size }, () => random.normal());
}

/** max |a − b| / max |b| (0 when both are 0; infinite when the lengths differ). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return difference === 0 ? 0 : difference / Math.max(scale, 1e-12);
}

/** A computation whose tensors are built inside it, so that it can run on any backend. */
export type Computation = () => tf.Tensor | tf.Tensor[];

/**
 * Runs the same computation on cpu and then on `backend` (inputs rebuilt on each, inside
 * tf.tidy) and returns both results as arrays: `cpu` and `other`.
 */
export async function onCpuAnd(backend: 'wasm' | 'webgpu', computation: Computation): Promise<{ cpu: Float32Array[]; other: Float32Array[] }> {
  const run = async (name: 'cpu' | 'wasm' | 'webgpu') => {
    await initBackend({ backend: name });
    const outputs = tf.tidy(() => {
      const result = computation();
      return Array.isArray(result) ? result : [result];
    });
    const values = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outputs);
    return values;
  };
  const cpu = await run('cpu');
  const other = await run(backend);
  return { cpu, other };
}

/** conv2d of case `c` on the given values, and the gradients of sum(conv2d²) with respect to x and W. */
export function convWithGradients(c: ConvCase, xValues: Float32Array, wValues: Float32Array): Computation {
  return () => {
    const x = tf.tensor4d(xValues, [c.batch, c.height, c.width, c.inChannels]);
    const w = tf.tensor4d(wValues, [c.kernel, c.kernel, c.inChannels, c.outChannels]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)));
    const [dx, dw] = tf.grads(f)([x, w]);
    return [tf.conv2d(x, w, c.stride, c.pad), dx, dw];
  };
}

/** conv2dTranspose of a [2, 5, 5, 3] input by a [3, 3, 4, 3] filter at `stride`, same padding, and its gradients. */
export function conv2dTransposeWithGradients(stride: number, xValues: Float32Array, wValues: Float32Array): Computation {
  return () => {
    const x = tf.tensor4d(xValues, [2, 5, 5, 3]);
    const w = tf.tensor4d(wValues, [3, 3, 4, 3]);
    const out = [2, 5 * stride, 5 * stride, 4] as [number, number, number, number];
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, stride, 'same')));
    const [dx, dw] = tf.grads(f)([x, w]);
    return [tf.conv2dTranspose(x, w, out, stride, 'same'), dx, dw];
  };
}

/** The gradient of a weighted sum of gathered rows (repeated indices) and a direct UnsortedSegmentSum, from 24 values. */
export function segmentSumComputation(values: Float32Array): Computation {
  return () => {
    const table = tf.tensor2d(values, [6, 4]);
    const indices = tf.tensor1d([0, 2, 2, 5, 0, 0, 3], 'int32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), tf.range(1, 8).reshape([7, 1]))))(table);
    return [g, tf.unsortedSegmentSum(tf.tensor2d(values.slice(0, 12), [3, 4]), tf.tensor1d([2, 0, 2], 'int32'), 4)];
  };
}

/** Inputs with ties for case `c`: rounded to halves, negatives zeroed (whole windows tie). */
export function maxPoolTieValues(c: PoolCase): Float32Array {
  const size = c.shape.reduce((a, b) => a * b, 1);
  return randomValues(size, 9).map((v) => Math.max(0, Math.round(v * 2) / 2));
}

/** The gradient of a channel-weighted sum of maxPool over case `c` (MaxPoolGrad). */
export function maxPoolGradient(c: PoolCase, xValues: Float32Array): Computation {
  return () => {
    const x = tf.tensor4d(xValues, c.shape);
    const weights = tf.tensor1d(Array.from({ length: c.shape[3] }, (_, i) => i + 1));
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.size, c.stride, c.pad), weights)))(x);
  };
}
