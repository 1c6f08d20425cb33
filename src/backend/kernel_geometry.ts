/**
 * What this library's wasm and webgpu kernels share: the convolution and pooling geometry read
 * from a kernel's attributes (tfjs's own rules), the window of the padded input a forward
 * convolution reads, and running registered kernels on TensorInfos (no tensors) and freeing their
 * outputs.
 */
import * as tf from '@tensorflow/tfjs';

/** The part of a backend the composed kernels use (TensorInfo-level, no tensors). */
export interface TensorInfoBackend extends tf.KernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** A kernel's inputs, attributes and backend as TensorFlow.js passes them. */
export interface KernelArgumentsFor<Backend extends TensorInfoBackend> {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: tf.NamedAttrMap;
  backend: Backend;
}

/**
 * Runs the kernel `name` registered for `backendName` on TensorInfos and returns its (first)
 * output TensorInfo; the caller owns it. `context` starts the error message when the kernel is
 * not registered.
 */
export function runRegisteredKernel(
  backendName: string,
  context: string,
  name: string,
  backend: TensorInfoBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, backendName);
  if (kernel === undefined) throw new Error(`${context} ${name} is not registered for the ${backendName} backend.`);
  const output = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(output) ? output[0] : output;
}

/** Frees intermediate TensorInfos on `backend`. */
export function releaseTensorInfos(backend: TensorInfoBackend, infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The geometry (output size, explicit padding) of an NHWC 2-D convolution with dilation 1, from tfjs's own rules. */
export function conv2dGeometry(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    1,
    pad as 'same' | 'valid' | number,
    dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/**
 * The part of the padded input a forward convolution reads: (OH − 1)·s + KH rows and
 * (OW − 1)·s + KW columns from the top-left padding on, and the bottom and right padding that
 * makes the input that large (never negative; rows and columns beyond are not read).
 */
export function convolutionReadWindow(info: tf.backend_util.Conv2DInfo): { neededHeight: number; neededWidth: number; bottom: number; right: number } {
  const neededHeight = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const neededWidth = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  const bottom = Math.max(0, neededHeight - info.padInfo.top - info.inHeight);
  const right = Math.max(0, neededWidth - info.padInfo.left - info.inWidth);
  return { neededHeight, neededWidth, bottom, right };
}

/** The geometry of a 2-D max or average pool from a pooling kernel's attributes (filterSize, strides, pad, dimRoundingMode) and its NHWC input shape. */
export function pool2dGeometry(inputShape: readonly number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    inputShape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}
