import * as tf from '@tensorflow/tfjs';

import { release, runWasmKernel } from './kernel_utils.js';
import type { KernelArguments } from './kernel_utils.js';

/**
 * `UnsortedSegmentSum` for wasm (absent from tfjs-backend-wasm 4.22; it is the gradient of
 * `gather`, so embeddings and `tf.gather` in a loss need it):
 *
 *   out[s, ...] = Σ_{i : segmentIds[i] = s} x[i, ...],   out has numSegments rows,
 *
 * composed as ScatterNd(indices = segmentIds as [n, 1], updates = x, shape = [numSegments, ...]),
 * which sums rows scattered to the same index.
 */
export function unsortedSegmentSum({ inputs, attrs = {}, backend }: KernelArguments): tf.TensorInfo {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  if (n !== x.shape[0] || segmentIds.shape.length !== 1) {
    throw new Error(`wasm UnsortedSegmentSum: segmentIds must be 1-D with one id per row of x, got [${segmentIds.shape}] for x [${x.shape}].`);
  }
  const indices = runWasmKernel('Reshape', backend, { x: segmentIds }, { shape: [n, 1] });
  const result = runWasmKernel('ScatterNd', backend, { indices, updates: x }, { shape: [numSegments, ...x.shape.slice(1)] });
  release(backend, indices);
  return result;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
