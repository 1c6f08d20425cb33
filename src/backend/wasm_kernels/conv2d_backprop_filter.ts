import * as tf from '@tensorflow/tfjs';

import { convolutionReadWindow } from '../kernel_geometry.js';
import { float32Views } from './heap_access.js';
import type { WasmHeapBackend } from './heap_access.js';
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
 * A filter of at most {@link PATCH_PRODUCT_MAX_ROWS} weights per output channel takes one matrix
 * product instead ({@link conv2dBackpropFilterAsProduct}), the faster formulation there.
 *
 * tfjs computes conv gradients only for dilation 1 (its Conv2D gradient rejects others), so every
 * stride, padding ('same', 'valid', a number, explicit) and rounding mode of NHWC convolutions
 * that tf.conv2d and tf.layers.conv2d accept is covered.
 */
export function conv2dBackpropFilter(args: KernelArguments): tf.TensorInfo {
  const info = filterGradientGeometry(args);
  // No output positions (an empty batch or image): a sum of nothing. XNNPACK rejects empty operands and would leave the output unwritten.
  if (info.batchSize * info.outHeight * info.outWidth === 0) return zeroFilter(args.backend, info);
  return info.filterHeight * info.filterWidth * info.inChannels <= PATCH_PRODUCT_MAX_ROWS ? conv2dBackpropFilterAsProduct(args) : conv2dBackpropFilterAsConvolution(args);
}

function zeroFilter(backend: KernelArguments['backend'], info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
  float32Views(heap, out)[0].fill(0);
  return out;
}

function filterGradientGeometry({ inputs, attrs = {} }: KernelArguments): tf.backend_util.Conv2DInfo {
  return convGeometry(inputs.x.shape as [number, number, number, number], attrs.filterShape as [number, number, number, number], attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, attrs.dataFormat);
}

/** The filter gradient as a convolution of x̃ (batch and channels swapped) with dy as the filter (see {@link conv2dBackpropFilter}). */
export function conv2dBackpropFilterAsConvolution(args: KernelArguments): tf.TensorInfo {
  const { inputs, attrs = {}, backend } = args;
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = filterGradientGeometry(args);
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

/**
 * Filters of at most this many weights per output channel (KH·KW·Cin: a 3x3 filter on up to 3
 * channels, a first layer on images) take {@link conv2dBackpropFilterAsProduct}. Measured
 * (`npx tsx bench/wasm_kernels.ts`, 768 images, 3x3, 'same', 2 threads): 24x24 on 1, 2, 3 channels
 * → 16 19.9 / 37.1 / 56.9 ms against 76.5 / 80.3 / 87.4 for the convolution; 12x12x16 → 32 95
 * against 69.
 */
export const PATCH_PRODUCT_MAX_ROWS = 27;

/**
 * The filter gradient as one matrix product, for filters with few weights per output channel
 * (the convolution formulation's filter is the whole of dy, which XNNPACK reads slowly):
 * the patches' matrix Pᵀ [KH·KW·Cin, N·OH·OW] (row (kh, kw, ci) holds x̃[n, oh·s + kh, ow·s + kw, ci]
 * for every output position, zeros where the forward pass read padding) times dy as
 * [N·OH·OW, Cout] gives dW [KH·KW·Cin, Cout], the filter's layout. Pᵀ is written in one pass (a
 * strided copy); the product is wasm's (XNNPACK) untransposed one.
 */
export function conv2dBackpropFilterAsProduct(args: KernelArguments): tf.TensorInfo {
  const { inputs, backend } = args;
  const { x, dy } = inputs;
  const info = filterGradientGeometry(args);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const heap = backend as unknown as WasmHeapBackend;
  const positions = batchSize * outHeight * outWidth;
  const patchRows = filterHeight * filterWidth * inChannels;
  const patches = heap.makeOutput([1, patchRows, positions], 'float32');
  const [input, patchValues] = float32Views(heap, x, patches);
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        let out = ((kh * filterWidth + kw) * inChannels + ci) * positions;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const row = oh * strideHeight - padInfo.top + kh;
            if (row < 0 || row >= inHeight) {
              patchValues.fill(0, out, out + outWidth);
              out += outWidth;
              continue;
            }
            const rowStart = (n * inHeight + row) * inWidth;
            for (let ow = 0; ow < outWidth; ow++, out++) {
              const column = ow * strideWidth - padInfo.left + kw;
              patchValues[out] = column >= 0 && column < inWidth ? input[(rowStart + column) * inChannels + ci] : 0;
            }
          }
        }
      }
    }
  }
  const gradient = runWasmKernel('Reshape', backend, { x: dy }, { shape: [1, positions, outChannels] });
  const product = runWasmKernel('BatchMatMul', backend, { a: patches, b: gradient }, { transposeA: false, transposeB: false });
  const result = runWasmKernel('Reshape', backend, { x: product }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
  release(backend, patches, gradient, product);
  return result;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
