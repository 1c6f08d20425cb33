import * as tf from '@tensorflow/tfjs';

/** The part of the webgpu backend the composed kernels use (TensorInfo-level, no tensors). */
export interface WebGpuBackendLike extends tf.KernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/**
 * The dispatch helpers of tfjs-backend-webgpu's `webgpu_util` (passed in at registration: that
 * package is imported only once navigator.gpu exists, and is not a dependency of the types).
 */
export interface WebGpuDispatchUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[]; y?: number[]; z?: number[] }, outputShape: number[], workgroupSize?: [number, number, number], elementsPerThread?: [number, number, number]): [number, number, number];
}

/** A kernel's inputs, attributes and backend as TensorFlow.js passes them. */
export interface WebGpuKernelArguments {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: tf.NamedAttrMap;
  backend: WebGpuBackendLike;
}

/**
 * Runs a kernel registered for `webgpu` on TensorInfos and returns its output TensorInfo (the data
 * stays on the GPU). The caller owns the output and frees it with {@link releaseWebGpu} (or returns it).
 */
export function runWebGpuKernel(name: string, backend: WebGpuBackendLike, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'webgpu');
  if (kernel === undefined) throw new Error(`webgpu kernel ${name} is not registered for the webgpu backend.`);
  const output = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(output) ? output[0] : output;
}

/** Frees intermediate TensorInfos created by {@link runWebGpuKernel}. */
export function releaseWebGpu(backend: WebGpuBackendLike, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
