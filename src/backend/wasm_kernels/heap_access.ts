import type * as tf from '@tensorflow/tfjs';

import type { WasmBackendLike } from './kernel_utils.js';

/** The wasm backend's heap helpers used by the kernels written in TypeScript. */
export interface WasmHeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Float32 views of tensors on the wasm heap. Allocate every output with `makeOutput` BEFORE
 * taking views: an allocation may grow the heap, which detaches earlier views.
 */
export function float32Views(backend: WasmHeapBackend, ...infos: tf.TensorInfo[]): Float32Array[] {
  return infos.map((info) => {
    const view = backend.typedArrayFromHeap(info);
    if (!(view instanceof Float32Array)) throw new Error(`wasm gap-fill: expected a float32 tensor, got ${info.dtype}.`);
    return view;
  });
}
