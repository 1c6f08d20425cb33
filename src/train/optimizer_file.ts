/**
 * Optimiser states in a checkpoint: every tensor's values little-endian in one binary file
 * (`optimizer.bin`), their names, shapes, dtypes and byte offsets in the checkpoint's JSON.
 */
import { endianness } from 'node:os';

import type { OptimizerGroupState, OptimizerWeight } from './types.js';

/** Where one optimiser tensor lies in `optimizer.bin`. */
export interface OptimizerTensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset in optimizer.bin. */
  offset: number;
}

/** An optimiser group's state with its tensors replaced by their specs. */
export type PackedOptimizerGroup = Omit<OptimizerGroupState, 'weights'> & { weights: OptimizerTensorSpec[] };

const littleEndian = endianness() === 'LE';

/** The bytes of a typed array, little-endian whatever the machine. */
function toLittleEndianBytes(values: Float32Array | Int32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(4 * i, values[i], true);
    else view.setInt32(4 * i, values[i], true);
  }
  return bytes;
}

function fromLittleEndianBytes(bytes: Uint8Array, offset: number, count: number, dtype: 'float32' | 'int32'): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  const out = dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = dtype === 'float32' ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  return out;
}

/** The groups with their tensors as specs, and the tensors' bytes concatenated. */
export function packOptimizerStates(groups: OptimizerGroupState[]): { optimizers: PackedOptimizerGroup[]; binary: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const optimizers = groups.map((group) => ({
    ...group,
    weights: group.weights.map((w: OptimizerWeight) => {
      const bytes = toLittleEndianBytes(w.values);
      chunks.push(bytes);
      const spec: OptimizerTensorSpec = { name: w.name, shape: w.shape, dtype: w.dtype, offset };
      offset += bytes.byteLength;
      return spec;
    }),
  }));
  const binary = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    binary.set(chunk, at);
    at += chunk.byteLength;
  }
  return { optimizers, binary };
}

/**
 * The groups of {@link packOptimizerStates} with their tensors read back from `bytes`.
 *
 * @param file names the binary file in errors.
 * @throws when `bytes` is too short for a tensor.
 */
export function unpackOptimizerStates(groups: PackedOptimizerGroup[], bytes: Uint8Array, file: string): OptimizerGroupState[] {
  return groups.map((group) => ({
    ...group,
    weights: group.weights.map((spec) => {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.offset + 4 * count > bytes.byteLength) throw new Error(`${file} is too short for optimiser tensor '${spec.name}'.`);
      return { name: spec.name, shape: spec.shape, dtype: spec.dtype, values: fromLittleEndianBytes(bytes, spec.offset, count, spec.dtype) };
    }),
  }));
}
