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
 * forward pass read, so the result has exactly KH x KW positions.
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
  const padded = runWasmKernel('PadV2', backend, { x }, { paddings: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], constantValue: 0 });
  const cropped = runWasmKernel('Slice', backend, { x: padded }, { begin: [0, 0, 0, 0], size: [batchSize, neededHeight, neededWidth, inChannels] });
  const swapped = runWasmKernel('Transpose', backend, { x: cropped }, { perm: [3, 1, 2, 0] });
  const dyFilter = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const convolved = runWasmKernel(
    'Conv2D',
    backend,
    { x: swapped, filter: dyFilter },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [strideHeight, strideWidth] },
  );
  const result = runWasmKernel('Transpose', backend, { x: convolved }, { perm: [1, 2, 0, 3] });
  release(backend, padded, cropped, swapped, dyFilter, convolved);
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
