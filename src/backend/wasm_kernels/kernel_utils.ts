import * as tf from '@tensorflow/tfjs';

import { conv2dGeometry, releaseTensorInfos, runRegisteredKernel } from '../kernel_geometry.js';
import type { KernelArgumentsFor, TensorInfoBackend } from '../kernel_geometry.js';

/** The part of the wasm backend the gap-fill kernels use (TensorInfo-level, no tensors). */
export type WasmBackendLike = TensorInfoBackend;

/** A kernel's inputs, attributes and backend as TensorFlow.js passes them. */
export type KernelArguments = KernelArgumentsFor<WasmBackendLike>;

/**
 * Runs a kernel already registered for `wasm` on TensorInfos and returns its output TensorInfo.
 * The caller owns the output and frees it with {@link release} (or returns it).
 */
export function runWasmKernel(name: string, backend: WasmBackendLike, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  return runRegisteredKernel('wasm', 'wasm gap-fill: kernel', name, backend, inputs, attrs);
}

/** Frees intermediate TensorInfos created by {@link runWasmKernel}. */
export function release(backend: WasmBackendLike, ...infos: tf.TensorInfo[]): void {
  releaseTensorInfos(backend, infos);
}

/** Explicit [top, bottom, left, right] padding and output size of a 2-D convolution, from tfjs's own rules; NHWC only. */
export function convGeometry(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  dataFormat: unknown,
): tf.backend_util.Conv2DInfo {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm gap-fill: only NHWC convolutions are supported (the wasm backend's own convolutions are NHWC), got ${String(dataFormat)}.`);
  }
  return conv2dGeometry(inputShape, filterShape, strides, pad, dimRoundingMode);
}
