import * as tf from '@tensorflow/tfjs';

import { makeConv2dBackpropFilter } from './conv2d_backprop_filter.js';
import type { WebGpuDispatchUtil } from './kernel_utils.js';
import { makeMaxPoolGrad } from './max_pool_grad.js';

/** The kernels this library replaces on the webgpu backend (after {@link registerWebGpuKernels}). */
export const WEBGPU_REPLACED_KERNELS: readonly string[] = ['Conv2DBackpropFilter', 'MaxPoolGrad'];

const REPLACEMENTS: Record<string, (builtIn: tf.KernelFunc, util: WebGpuDispatchUtil) => tf.KernelFunc> = {
  Conv2DBackpropFilter: (builtIn) => makeConv2dBackpropFilter(builtIn),
  MaxPoolGrad: (_builtIn, util) => makeMaxPoolGrad(util),
};

const replacedBuiltIns = new Map<string, tf.KernelFunc>();
let registered = false;

/**
 * tfjs-backend-webgpu's own kernel function that this library replaced (e.g.
 * `Conv2DBackpropFilter`), for benchmarks and comparisons; undefined when none was replaced.
 */
export function builtInWebGpuKernel(name: string): tf.KernelFunc | undefined {
  return replacedBuiltIns.get(name);
}

/**
 * Replaces tfjs-backend-webgpu kernels that are slow on real GPUs by compositions of kernels it runs
 * well: `Conv2DBackpropFilter` as one split-K matrix product per filter position (see
 * conv2d_backprop_filter.ts); and `MaxPoolGrad` by a shader that routes gradients to a window's
 * first maximum as cpu and wasm do (the built-in one takes the last). Every other kernel a training step uses is tfjs-backend-webgpu's
 * own (test/backend/webgpu_kernels.test.ts checks them against the cpu backend). Idempotent; call
 * it after importing tfjs-backend-webgpu, with its `webgpu_util` (initBackend does).
 */
export function registerWebGpuKernels(util: WebGpuDispatchUtil): void {
  if (registered) return;
  for (const name of WEBGPU_REPLACED_KERNELS) {
    const builtIn = tf.getKernel(name, 'webgpu');
    if (builtIn === undefined) throw new Error(`tfjs-backend-webgpu has no ${name} kernel to replace (version ${tf.version.tfjs} expected).`);
    replacedBuiltIns.set(name, builtIn.kernelFunc);
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ ...builtIn, kernelFunc: REPLACEMENTS[name](builtIn.kernelFunc, util) });
  }
  registered = true;
}
