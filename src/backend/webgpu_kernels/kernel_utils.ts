import * as tf from '@tensorflow/tfjs';

import { releaseTensorInfos, runRegisteredKernel } from '../kernel_geometry.js';
import type { KernelArgumentsFor, TensorInfoBackend } from '../kernel_geometry.js';

/** The part of the webgpu backend the composed kernels use (TensorInfo-level, no tensors). */
export type WebGpuBackendLike = TensorInfoBackend;

/**
 * The dispatch helpers of tfjs-backend-webgpu's `webgpu_util` (passed in at registration: that
 * package is imported only once navigator.gpu exists, and is not a dependency of the types).
 */
export interface WebGpuDispatchUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[]; y?: number[]; z?: number[] }, outputShape: number[], workgroupSize?: [number, number, number], elementsPerThread?: [number, number, number]): [number, number, number];
}

/** A kernel's inputs, attributes and backend as TensorFlow.js passes them. */
export type WebGpuKernelArguments = KernelArgumentsFor<WebGpuBackendLike>;

/**
 * Runs a kernel registered for `webgpu` on TensorInfos and returns its output TensorInfo (the data
 * stays on the GPU). The caller owns the output and frees it with {@link releaseWebGpu} (or returns it).
 */
export function runWebGpuKernel(name: string, backend: WebGpuBackendLike, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  return runRegisteredKernel('webgpu', 'webgpu kernel', name, backend, inputs, attrs);
}

/** Frees intermediate TensorInfos created by {@link runWebGpuKernel}. */
export function releaseWebGpu(backend: WebGpuBackendLike, ...infos: tf.TensorInfo[]): void {
  releaseTensorInfos(backend, infos);
}
