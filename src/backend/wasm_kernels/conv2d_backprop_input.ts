import * as tf from '@tensorflow/tfjs';

import { convGeometry, release, runWasmKernel } from './kernel_utils.js';
import type { KernelArguments } from './kernel_utils.js';

/**
 * A faster `Conv2DBackpropInput` (the input gradient of a convolution, and the forward pass of a
 * transposed convolution) for stride 1, as one XNNPACK convolution instead of wasm's loop:
 *
 *   dx = conv2d(pad(dy, KH − 1 − top, KH − 1 − bottom, KW − 1 − left, KW − 1 − right),
 *               transpose(reverse(W, [0, 1]), [0, 1, 3, 2]), 'valid')
 *
 * i.e. dy correlated with the filter rotated by 180° and its in/out channels swapped, after
 * padding dy by the complement of the forward padding — padding that the convolution applies
 * itself (explicit pads: XNNPACK reads zeros there instead of a padded copy of dy). Strides other
 * than 1 (and any padding the formula cannot express) fall back to the wasm backend's own kernel.
 */
export function makeConv2dBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArguments) => {
    const { inputs, attrs = {}, backend } = args;
    const { dy, filter } = inputs;
    const inputShape = attrs.inputShape as [number, number, number, number];
    const strides = attrs.strides as number | [number, number];
    const strideOne = strides === 1 || (Array.isArray(strides) && strides[0] === 1 && strides[1] === 1);
    if (!strideOne || (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    const info = convGeometry(inputShape, filter.shape as [number, number, number, number], 1, attrs.pad, attrs.dimRoundingMode, 'NHWC');
    const { filterHeight: kh, filterWidth: kw, padInfo } = info;
    const paddings = [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom, kw - 1 - padInfo.left, kw - 1 - padInfo.right];
    if (paddings.some((p) => p < 0)) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    const reversed = runWasmKernel('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const flipped = runWasmKernel('Transpose', backend, { x: reversed }, { perm: [0, 1, 3, 2] });
    const pad = [[0, 0], [paddings[0], paddings[1]], [paddings[2], paddings[3]], [0, 0]];
    const result = runWasmKernel('Conv2D', backend, { x: dy, filter: flipped }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
    release(backend, reversed, flipped);
    return result;
  }) as unknown as tf.KernelFunc;
}
