import * as tf from '@tensorflow/tfjs';

import { float32Views } from './heap_access.js';
import type { WasmHeapBackend } from './heap_access.js';
import type { KernelArguments } from './kernel_utils.js';

/** The number of leading axes `axis` reduces when they are exactly 0..r−1 (r < rank), else 0. */
function leadingAxesCount(axis: unknown, rank: number): number {
  const axes = tf.util.parseAxisParam(axis as number | number[], Array.from({ length: rank }, () => 1));
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.length >= rank) return 0;
  return sorted.every((a, i) => a === i) ? sorted.length : 0;
}

/**
 * `Sum` and `Mean` over leading axes (e.g. over N, H, W of an NHWC tensor, leaving channels:
 * batch-norm statistics and bias gradients) for wasm, as one pass over the rows with Float64
 * accumulators: out[c] = Σ_r x[r, c] (÷ rows for the mean). wasm's own kernels first transpose
 * the reduced axes to the end, which took ~10 ms for a 256x24x24x16 tensor; this takes ~2 ms.
 * Other axes, dtypes other than float32 and empty tensors go to the built-in kernel.
 */
export function makeLeadingAxesReduction(original: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return ((args: KernelArguments) => {
    const { inputs, attrs = {}, backend } = args;
    const x = inputs.x;
    const rank = x.shape.length;
    const size = tf.util.sizeFromShape(x.shape);
    const count = x.dtype === 'float32' && size > 0 ? leadingAxesCount(attrs.axis, rank) : 0;
    if (count === 0) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    const heap = backend as unknown as WasmHeapBackend;
    const rows = x.shape.slice(0, count).reduce((a, b) => a * b, 1);
    const columns = size / rows;
    const outShape = attrs.keepDims ? [...x.shape.slice(0, count).map(() => 1), ...x.shape.slice(count)] : x.shape.slice(count);
    const out = heap.makeOutput(outShape, 'float32');
    const [input, output] = float32Views(heap, x, out);
    const accumulator = new Float64Array(columns);
    // Four rows per pass: a quarter of the accumulator traffic.
    const stride = 4 * columns;
    let r = 0;
    for (let offset = 0; r + 4 <= rows; r += 4, offset += stride) {
      for (let c = 0, i = offset; c < columns; c++, i++) {
        accumulator[c] += input[i] + input[i + columns] + input[i + 2 * columns] + input[i + 3 * columns];
      }
    }
    for (let offset = r * columns; r < rows; r++, offset += columns) {
      for (let c = 0; c < columns; c++) accumulator[c] += input[offset + c];
    }
    const scale = mean ? 1 / rows : 1;
    for (let c = 0; c < columns; c++) output[c] = accumulator[c] * scale;
    return out;
  }) as unknown as tf.KernelFunc;
}
