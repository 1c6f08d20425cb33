import type * as tf from '@tensorflow/tfjs';

import type { KernelArguments } from './kernel_utils.js';

/**
 * `Identity` for wasm without a copy: the output shares the input's buffer (its reference count
 * raised, as wasm's own `Reshape` and the cpu backend's `Identity` do). TensorFlow.js tensors are
 * immutable, so a shared buffer is never written through either tensor; it is freed when the
 * last one is disposed. wasm's built-in copies the buffer, and the engine clones every tensor a
 * gradient keeps (`saveTensorsForBackwardMode`, `customGrad`'s saved tensors): on IIC's training
 * step that was ~4 % of the time, copying feature maps of 768x24x24x16. String tensors keep the
 * built-in (their bytes live outside the heap).
 */
export function makeSharedIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArguments) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }) as unknown as tf.KernelFunc;
}

/**
 * `Cast` for wasm that shares the buffer when the dtype does not change (float32 → float32, as
 * the gradient of `relu` casts its mask), like {@link makeSharedIdentity}; every other cast goes
 * to the built-in, which converts the values.
 */
export function makeSharingCast(original: tf.KernelFunc): tf.KernelFunc {
  const share = makeSharedIdentity(original);
  return ((args: KernelArguments) => (args.attrs?.dtype === args.inputs.x.dtype ? share(args as unknown as Parameters<tf.KernelFunc>[0]) : original(args as unknown as Parameters<tf.KernelFunc>[0]))) as unknown as tf.KernelFunc;
}
