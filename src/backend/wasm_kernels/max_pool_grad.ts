import * as tf from '@tensorflow/tfjs';

import { pool2dGeometry } from '../kernel_geometry.js';
import { float32Views } from './heap_access.js';
import type { WasmHeapBackend } from './heap_access.js';
import type { KernelArguments } from './kernel_utils.js';

/**
 * `MaxPoolGrad` for wasm: each output gradient goes to the first maximal input of its window
 * (the cpu backend's rule), dx[argmax window(p)] += dy[p]. One pass over the windows, channels
 * innermost; any filter size, stride, padding and rounding mode. The built-in kernel took
 * ~47 ms for a 256x24x24x16 input and 2x2 windows; this takes a few. Windows that tile the
 * input without overlap or padding (VGG's 2x2 pools of stride 2) take
 * {@link maxPoolGradDisjointWindows}: 56 instead of 90 ms on IIC's 768x24x24x16 maps here.
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
  if (strideHeight === filterHeight && strideWidth === filterWidth && padTop === 0 && padLeft === 0 && outHeight * strideHeight <= inHeight && outWidth * strideWidth <= inWidth) {
    maxPoolGradDisjointWindows(x, gradient, result, info);
    return dx;
  }
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

/**
 * The gradient of max-pooling whose windows are disjoint and inside the input (stride equal to
 * the window, no padding): each window's gradient is written once to its first maximal input
 * (the same rule and the same values as the general loop), read channel by channel from the
 * window's rows; `result` must be zero-filled.
 */
function maxPoolGradDisjointWindows(x: Float32Array, gradient: Float32Array, result: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const filterHeight = info.effectiveFilterHeight;
  const filterWidth = info.effectiveFilterWidth;
  const rowStride = inWidth * channels;
  let outIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const inputBatch = b * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const corner = inputBatch + oy * filterHeight * rowStride + ox * filterWidth * channels;
        if (filterHeight === 2 && filterWidth === 2) {
          outIndex = maxPoolGradWindow2x2(x, gradient, result, corner, rowStride, channels, outIndex);
          continue;
        }
        for (let c = 0; c < channels; c++, outIndex++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let yy = 0; yy < filterHeight; yy++) {
            let index = corner + yy * rowStride + c;
            for (let xx = 0; xx < filterWidth; xx++, index += channels) {
              const value = x[index];
              if (value > best) {
                best = value;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) result[bestIndex] = gradient[outIndex];
        }
      }
    }
  }
}

/**
 * One 2x2 window of {@link maxPoolGradDisjointWindows}, all channels, without a data-dependent
 * branch (random maxima mispredict a branch half the time): the window's maximum, then the first
 * of its four inputs (in scan order) equal to it, from 0/1 comparisons. A window whose maximum is
 * not above −∞ (all −∞, or a NaN, which the scan skips) takes the scan. Returns the next output index.
 */
function maxPoolGradWindow2x2(x: Float32Array, gradient: Float32Array, result: Float32Array, corner: number, rowStride: number, channels: number, outIndex: number): number {
  for (let c = 0; c < channels; c++, outIndex++) {
    const topLeft = corner + c;
    const a = x[topLeft];
    const b = x[topLeft + channels];
    const d = x[topLeft + rowStride];
    const e = x[topLeft + rowStride + channels];
    const maximum = Math.max(Math.max(a, b), Math.max(d, e));
    if (maximum > Number.NEGATIVE_INFINITY) {
      // Position 0..3 of the first input equal to the maximum: 0 if a is, else 1 + (1 if b is not, …).
      const notA = +(a !== maximum);
      const notB = +(b !== maximum);
      const notD = +(d !== maximum);
      const position = notA * (1 + notB * (1 + notD));
      result[topLeft + (position >> 1) * rowStride + (position & 1) * channels] = gradient[outIndex];
    } else {
      let best = Number.NEGATIVE_INFINITY;
      let bestIndex = -1;
      for (const index of [topLeft, topLeft + channels, topLeft + rowStride, topLeft + rowStride + channels]) {
        if (x[index] > best) {
          best = x[index];
          bestIndex = index;
        }
      }
      if (bestIndex >= 0) result[bestIndex] = gradient[outIndex];
    }
  }
  return outIndex;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
