import * as tf from '@tensorflow/tfjs';

/** The part of the wasm backend the gap-fill kernels use (TensorInfo-level, no tensors). */
export interface WasmBackendLike extends tf.KernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** A kernel's inputs, attributes and backend as TensorFlow.js passes them. */
export interface KernelArguments {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: tf.NamedAttrMap;
  backend: WasmBackendLike;
}

/**
 * Runs a kernel already registered for `wasm` on TensorInfos and returns its output TensorInfo.
 * The caller owns the output and frees it with {@link release} (or returns it).
 */
export function runWasmKernel(name: string, backend: WasmBackendLike, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm gap-fill: kernel ${name} is not registered for the wasm backend.`);
  const output = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(output) ? output[0] : output;
}

/** Frees intermediate TensorInfos created by {@link runWasmKernel}. */
export function release(backend: WasmBackendLike, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Explicit [top, bottom, left, right] padding and output size of a 2-D convolution, from tfjs's own rules. */
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
