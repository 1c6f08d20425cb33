import * as tf from '@tensorflow/tfjs';

import { transformConfig } from './transform.js';

/** The kernels this library replaces on the `cpu` backend (after {@link registerCpuGapFillKernels}). */
export const CPU_GAP_FILL_KERNELS: readonly string[] = ['Transform'];

let registered = false;

const replacedBuiltIns = new Map<string, tf.KernelFunc>();

/**
 * The cpu backend's own kernel function that a gap-fill replaced (`Transform`), for tests that
 * check the upstream bug is still there; undefined when none was replaced.
 */
export function builtInCpuKernel(name: string): tf.KernelFunc | undefined {
  return replacedBuiltIns.get(name);
}

/**
 * Registers this library's corrections for `@tensorflow/tfjs-backend-cpu` (bundled with
 * `@tensorflow/tfjs`): `Transform` (`tf.image.transform`, used by the rotations and affine
 * augmentations), whose 4.22 kernel transforms only the first image of a batch and leaves the rest
 * at the fill value. Replaces the kernel for the whole app. Idempotent; initBackend calls it when
 * it starts cpu, and training calls it whenever cpu is active (ensureBackendKernels).
 */
export function registerCpuGapFillKernels(): void {
  if (registered) return;
  const builtIn = tf.getKernel(transformConfig.kernelName, 'cpu');
  if (builtIn !== undefined) {
    replacedBuiltIns.set(transformConfig.kernelName, builtIn.kernelFunc);
    tf.unregisterKernel(transformConfig.kernelName, 'cpu');
  }
  tf.registerKernel(transformConfig);
  registered = true;
}
