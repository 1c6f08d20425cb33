import * as tf from '@tensorflow/tfjs';

import { convolutionReadWindow } from '../kernel_geometry.js';
import { convGeometry, release, runWasmKernel } from './kernel_utils.js';
import type { KernelArguments } from './kernel_utils.js';

/**
 * `Conv2DBackpropFilter` for wasm (absent from tfjs-backend-wasm 4.22), the filter gradient of a
 * convolution, composed from kernels wasm runs fast (PadV2, Slice, Transpose, Conv2D):
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x̃[n, oh·s + kh, ow·s + kw, ci] · dy[n, oh, ow, co]
 *
 * where x̃ is x padded as the forward convolution padded it. That sum is itself a convolution:
 * take x̃ with channels and batch swapped, transpose(x̃, [3, 1, 2, 0]) = [Cin, H̃, W̃, N], and
 * dy as a filter, transpose(dy, [1, 2, 0, 3]) = [OH, OW, N, Cout]; convolve with stride 1 and
 * dilation s (the forward stride), 'valid' → [Cin, KH, KW, Cout]; transpose [1, 2, 0, 3] gives
 * dW [KH, KW, Cin, Cout]. x̃ is cropped to the (OH − 1)·s + KH rows (and columns) that the
 * forward pass read, so the result has exactly KH x KW positions. When those rows reach to (or
 * past) x's last row, as with 'same' padding, the padding is the convolution's own (explicit
 * pads, zeros XNNPACK reads without a copy: the same products summed in the same order as over a
 * padded copy); only a window that stops short of x's end is cut out by a PadV2 and a Slice.
 *
 * tfjs computes conv gradients only for dilation 1 (its Conv2D gradient rejects others), so every
 * stride, padding ('same', 'valid', a number, explicit) and rounding mode of NHWC convolutions
 * that tf.conv2d and tf.layers.conv2d accept is covered.
 */
export function conv2dBackpropFilter({ inputs, attrs = {}, backend }: KernelArguments): tf.TensorInfo {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convGeometry(x.shape as [number, number, number, number], filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, attrs.dataFormat);
  const { batchSize, inChannels, outChannels, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  // Pad as the forward pass did, then keep exactly the rows and columns it read.
  const { neededHeight, neededWidth, bottom, right } = convolutionReadWindow(info);
  // Rows (columns) of zeros below (right of) x that the window reads; negative: x rows it never read.
  const padBottom = neededHeight - padInfo.top - info.inHeight;
  const padRight = neededWidth - padInfo.left - info.inWidth;
  const copies: tf.TensorInfo[] = [];
  let source = x;
  let pad: number[][] | 'valid' = [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]];
  if (padBottom < 0 || padRight < 0) {
    const padded = runWasmKernel('PadV2', backend, { x }, { paddings: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], constantValue: 0 });
    source = runWasmKernel('Slice', backend, { x: padded }, { begin: [0, 0, 0, 0], size: [batchSize, neededHeight, neededWidth, inChannels] });
    copies.push(padded, source);
    pad = 'valid';
  }
  const swapped = runWasmKernel('Transpose', backend, { x: source }, { perm: [3, 1, 2, 0] });
  const dyFilter = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const convolved = runWasmKernel(
    'Conv2D',
    backend,
    { x: swapped, filter: dyFilter },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [strideHeight, strideWidth] },
  );
  const result = runWasmKernel('Transpose', backend, { x: convolved }, { perm: [1, 2, 0, 3] });
  release(backend, ...copies, swapped, dyFilter, convolved);
  if (result.shape.join() !== [filterHeight, filterWidth, inChannels, outChannels].join()) {
    release(backend, result);
    throw new Error(`wasm Conv2DBackpropFilter: computed shape [${result.shape}] instead of the filter's [${filterShape}].`);
  }
  return result;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
