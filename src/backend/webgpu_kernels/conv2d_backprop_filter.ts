import * as tf from '@tensorflow/tfjs';

import { conv2dGeometry, convolutionReadWindow } from '../kernel_geometry.js';
import { releaseWebGpu, runWebGpuKernel } from './kernel_utils.js';
import type { WebGpuKernelArguments } from './kernel_utils.js';

/**
 * From this many rows N·OH·OW (the length of the sum behind each filter weight) on, the filter
 * gradient is composed from matrix products; below it tfjs-backend-webgpu's own shader runs (its
 * loops are short there, and one shader beats 2·KH·KW + 1 dispatches). tfjs-backend-webgpu takes
 * its split-K matrix product from a shared axis of 2000 on.
 */
export const COMPOSED_FILTER_GRADIENT_MIN_ROWS = 2000;

/**
 * `Conv2DBackpropFilter` for webgpu, composed from matrix products. tfjs-backend-webgpu 4.22's own
 * shader runs one thread per filter weight, each looping over batch × output pixels: for a 3x3
 * filter with 64 → 64 channels that is 37k threads each summing 147k products at batch 256 on
 * 24x24 images. Here the same sum is split by filter position (kh, kw):
 *
 *   dW[kh, kw] = X̃(kh, kw)ᵀ · dY,   X̃(kh, kw) = x̃[:, kh : kh + (OH − 1)·s + 1 : s, kw : … : s, :] as [N·OH·OW, Cin],
 *
 * with dY = dy as [N·OH·OW, Cout] and x̃ the input padded as the forward convolution padded it: one
 * (strided) slice and one [Cin x N·OH·OW] · [N·OH·OW x Cout] product per filter position. That
 * product has a small output and a long shared axis, which tfjs-backend-webgpu runs with its
 * split-K matrix product (workgroups also divide the long axis). Everything stays on the GPU.
 *
 * Covers every NHWC convolution tf.conv2d differentiates (dilation 1; any stride, 'same', 'valid',
 * numeric or explicit padding, rounding mode); NCHW, and sums shorter than
 * {@link COMPOSED_FILTER_GRADIENT_MIN_ROWS}, go to the built-in kernel.
 */
export function makeConv2dBackpropFilter(builtIn: tf.KernelFunc): tf.KernelFunc {
  return ((args: WebGpuKernelArguments) => {
    const { inputs, attrs = {}, backend } = args;
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return builtIn(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { x, dy } = inputs;
    const filterShape = attrs.filterShape as [number, number, number, number];
    const info = conv2dGeometry(x.shape as [number, number, number, number], filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode);
    const { batchSize, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
    if (batchSize * outHeight * outWidth < COMPOSED_FILTER_GRADIENT_MIN_ROWS) return builtIn(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { bottom, right } = convolutionReadWindow(info);
    const padded =
      padInfo.top === 0 && padInfo.left === 0 && bottom === 0 && right === 0
        ? undefined
        : runWebGpuKernel('PadV2', backend, { x }, { paddings: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], constantValue: 0 });
    const source = padded ?? x;
    const rows = batchSize * outHeight * outWidth;
    const dyMatrix = runWebGpuKernel('Reshape', backend, { x: dy }, { shape: [1, rows, outChannels] });
    const perPosition: tf.TensorInfo[] = [];
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const window = runWebGpuKernel(
          'StridedSlice',
          backend,
          { x: source },
          {
            begin: [0, kh, kw, 0],
            end: [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
            strides: [1, strideHeight, strideWidth, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        );
        const windowMatrix = runWebGpuKernel('Reshape', backend, { x: window }, { shape: [1, rows, inChannels] });
        const product = runWebGpuKernel('BatchMatMul', backend, { a: windowMatrix, b: dyMatrix }, { transposeA: true, transposeB: false });
        perPosition.push(runWebGpuKernel('Reshape', backend, { x: product }, { shape: [1, inChannels * outChannels] }));
        releaseWebGpu(backend, window, windowMatrix, product);
      }
    }
    const stacked = perPosition.length === 1 ? perPosition[0] : runWebGpuKernel('Concat', backend, perPosition as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    const result = runWebGpuKernel('Reshape', backend, { x: stacked }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
    releaseWebGpu(backend, dyMatrix, stacked, ...(perPosition.length === 1 ? [] : perPosition), ...(padded === undefined ? [] : [padded]));
    return result;
  }) as unknown as tf.KernelFunc;
}
