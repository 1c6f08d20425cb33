import * as tf from '@tensorflow/tfjs';

import { makeTransposingMatMul } from './batch_mat_mul.js';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { makeConv2dBackpropInput } from './conv2d_backprop_input.js';
import { makeLeadingAxesReduction } from './leading_axes_reduction.js';
import { maxPoolGrad } from './max_pool_grad.js';
import { makeSharedIdentity, makeSharingCast } from './shared_identity.js';
import { unsortedSegmentSumConfig } from './unsorted_segment_sum.js';

/** The kernels this library registers for the wasm backend (after {@link registerWasmGapFillKernels}). */
export const WASM_GAP_FILL_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'UnsortedSegmentSum',
  'BatchMatMul',
  '_FusedMatMul',
  'MaxPoolGrad',
  'Sum',
  'Mean',
  'Identity',
  'Cast',
];

let registered = false;

const replacedBuiltIns = new Map<string, tf.KernelFunc>();

/**
 * The wasm backend's own kernel function that a gap-fill replaced (e.g. `Conv2DBackpropInput`),
 * for benchmarks and comparisons; undefined when none was replaced.
 */
export function builtInWasmKernel(name: string): tf.KernelFunc | undefined {
  return replacedBuiltIns.get(name);
}

/** Replaces a built-in wasm kernel by a wrapper that may fall back to it. */
function wrapBuiltIn(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const builtIn = tf.getKernel(name, 'wasm');
  if (builtIn === undefined) return;
  replacedBuiltIns.set(name, builtIn.kernelFunc);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...builtIn, kernelFunc: wrap(builtIn.kernelFunc) });
}

/**
 * Registers the gap-fill kernels for `@tensorflow/tfjs-backend-wasm` so that conv nets train on it:
 * `Conv2DBackpropFilter` and `UnsortedSegmentSum` (missing in 4.22), a faster stride-1
 * `Conv2DBackpropInput` (the built-in one stays for other strides), and matrix products with
 * transposed operands (dense layers' gradients) routed through wasm's fast untransposed product,
 * a faster `MaxPoolGrad`, `Sum`/`Mean` over leading axes without a transpose (batch-norm
 * statistics and their gradients), and `Identity` (and same-dtype `Cast`) sharing the buffer
 * instead of copying it (the engine clones every tensor a gradient keeps). Idempotent; call it after
 * importing the wasm backend and before using it (initBackend does).
 */
export function registerWasmGapFillKernels(): void {
  if (registered) return;
  for (const config of [conv2dBackpropFilterConfig, unsortedSegmentSumConfig]) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  wrapBuiltIn('Conv2DBackpropInput', (original) => makeConv2dBackpropInput(original));
  wrapBuiltIn('BatchMatMul', (original) => makeTransposingMatMul(original, ['a', 'b']));
  wrapBuiltIn('_FusedMatMul', (original) => makeTransposingMatMul(original, ['a', 'b']));
  wrapBuiltIn('MaxPoolGrad', () => maxPoolGrad as unknown as tf.KernelFunc);
  wrapBuiltIn('Sum', (original) => makeLeadingAxesReduction(original, false));
  wrapBuiltIn('Mean', (original) => makeLeadingAxesReduction(original, true));
  wrapBuiltIn('Identity', makeSharedIdentity);
  wrapBuiltIn('Cast', makeSharingCast);
  registered = true;
}
