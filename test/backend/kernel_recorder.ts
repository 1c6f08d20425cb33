/**
 * Records the kernel calls a computation makes on a backend (name, input values, attributes,
 * outputs), so that each call can be replayed on other backends and compared: a per-kernel check
 * on exactly the shapes and attributes that real training steps use.
 */
import * as tf from '@tensorflow/tfjs';

/** One input (or output) of a recorded call. */
export interface RecordedTensor {
  shape: number[];
  dtype: tf.DataType;
  values: Float32Array | Int32Array | Uint8Array;
}

/** One recorded kernel call. */
export interface KernelCall {
  kernelName: string;
  /** Inputs by name, or in order for kernels that take a list (Concat, AddN, Pack). */
  inputs: Record<string, RecordedTensor> | RecordedTensor[];
  attrs: tf.NamedAttrMap;
  outputs: RecordedTensor[];
}

type ReadableBackend = tf.KernelBackend & { readSync(dataId: tf.DataId): unknown };

function copy(info: tf.TensorInfo, backend: ReadableBackend): RecordedTensor | undefined {
  if (info.dtype === 'string' || info.dtype === 'complex64') return undefined;
  const values = backend.readSync(info.dataId) as Float32Array | Int32Array | Uint8Array;
  return { shape: [...info.shape], dtype: info.dtype, values: values.slice() };
}

/**
 * Wraps every kernel of `backendName` (cpu or wasm: backends with readSync) so that calls are
 * recorded while `run` executes (at most `perKernel` distinct shape/attribute signatures per
 * kernel, inputs and outputs up to `maxElements` elements each), then restores the kernels. That backend must
 * be active. Kernels that other kernels call directly (wasm gap-fills) are recorded too.
 */
export async function recordKernelCalls(backendName: 'cpu' | 'wasm', run: () => Promise<void>, perKernel = 2, maxElements = 1 << 16): Promise<{ calls: KernelCall[]; names: Set<string> }> {
  const calls: KernelCall[] = [];
  const names = new Set<string>();
  const signatures = new Set<string>();
  const perName = new Map<string, number>();
  const originals = tf.getKernelsForBackend(backendName);
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const output = config.kernelFunc(args);
        names.add(config.kernelName);
        const backend = args.backend as ReadableBackend;
        const inputList = (Array.isArray(args.inputs) ? (args.inputs as tf.TensorInfo[]) : Object.values(args.inputs)).filter((t): t is tf.TensorInfo => t !== undefined && t !== null);
        const signature = `${config.kernelName}|${inputList.map((t) => `${t.dtype}[${t.shape}]`).join()}|${JSON.stringify(args.attrs ?? {})}`;
        const count = perName.get(config.kernelName) ?? 0;
        const outputList = Array.isArray(output) ? output : [output];
        const small = [...inputList, ...outputList].every((t) => tf.util.sizeFromShape(t.shape) <= maxElements);
        if (count < perKernel && !signatures.has(signature) && small) {
          const recordedInputs = Array.isArray(args.inputs)
            ? (args.inputs as tf.TensorInfo[]).map((t) => copy(t, backend))
            : Object.fromEntries(
                Object.entries(args.inputs)
                  .filter(([, t]) => t !== undefined && t !== null)
                  .map(([key, t]) => [key, copy(t as tf.TensorInfo, backend)]),
              );
          const outputs = outputList.map((t) => copy(t, backend));
          const complete = Object.values(recordedInputs).every((t) => t !== undefined) && outputs.every((t) => t !== undefined);
          if (complete) {
            signatures.add(signature);
            perName.set(config.kernelName, count + 1);
            calls.push({
              kernelName: config.kernelName,
              inputs: recordedInputs as KernelCall['inputs'],
              attrs: structuredClone(args.attrs ?? {}) as tf.NamedAttrMap,
              outputs: outputs as RecordedTensor[],
            });
          }
        }
        return output;
      },
    });
  }
  try {
    await run();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return { calls, names };
}

/** Replays a recorded call on the active backend and returns its outputs' values. */
export async function replay(call: KernelCall): Promise<Array<Float32Array | Int32Array | Uint8Array>> {
  const toTensor = (t: RecordedTensor) => tf.tensor(t.values, t.shape, t.dtype);
  const inputs = Array.isArray(call.inputs) ? call.inputs.map(toTensor) : Object.fromEntries(Object.entries(call.inputs).map(([key, t]) => [key, toTensor(t)]));
  const result = tf.engine().runKernel(call.kernelName, inputs as unknown as tf.NamedTensorMap, call.attrs);
  const outputs = Array.isArray(result) ? result : [result];
  const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array | Int32Array | Uint8Array>));
  tf.dispose([...outputs, ...(Array.isArray(inputs) ? inputs : Object.values(inputs))]);
  return values;
}
