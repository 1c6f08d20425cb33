import * as tf from '@tensorflow/tfjs';

import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { makeConv2dBackpropInput } from './conv2d_backprop_input.js';
import { unsortedSegmentSumConfig } from './unsorted_segment_sum.js';

/** The kernels this library registers for the wasm backend (after {@link registerWasmGapFillKernels}). */
export const WASM_GAP_FILL_KERNELS: readonly string[] = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum'];

let registered = false;

/**
 * Registers the gap-fill kernels for `@tensorflow/tfjs-backend-wasm` so that conv nets train on it:
 * `Conv2DBackpropFilter` and `UnsortedSegmentSum` (missing in 4.22) and a faster stride-1
 * `Conv2DBackpropInput` (the built-in one stays for other strides). Idempotent; call it after
 * importing the wasm backend and before using it (initBackend does).
 */
export function registerWasmGapFillKernels(): void {
  if (registered) return;
  for (const config of [conv2dBackpropFilterConfig, unsortedSegmentSumConfig]) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  const builtIn = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (builtIn !== undefined) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...builtIn, kernelFunc: makeConv2dBackpropInput(builtIn.kernelFunc) });
  }
  registered = true;
}
