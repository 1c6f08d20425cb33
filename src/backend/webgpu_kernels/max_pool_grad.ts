import * as tf from '@tensorflow/tfjs';

import { pool2dGeometry } from '../kernel_geometry.js';
import type { WebGpuBackendLike, WebGpuDispatchUtil, WebGpuKernelArguments } from './kernel_utils.js';

/** The parts of tfjs-backend-webgpu's WebGPUProgram that this program fills in. */
interface ShaderProgram {
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number];
  size: boolean;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  getUserCode(): string;
}

/** The part of tfjs-backend-webgpu's backend that runs a shader program. */
interface ProgramRunner extends WebGpuBackendLike {
  runWebGPUProgram(program: ShaderProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniformData: Array<{ type: string; data: number[] }>): tf.TensorInfo;
}

/**
 * One thread per input element: for each pooling window that covers it, find the window's first
 * maximum in row-major order (strict >, as the cpu backend does) and add that window's dy when it
 * is this element.
 */
class MaxPoolGradFirstMaximumProgram implements ShaderProgram {
  variableNames = ['dy', 'x'];
  uniforms = 'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'maxPoolGradFirstMaximum';

  constructor(inShape: number[], util: WebGpuDispatchUtil) {
    this.outputShape = inShape;
    this.dispatchLayout = util.flatDispatchLayout(this.outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, this.outputShape, this.workgroupSize);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let batch = coords[0];
          let row = coords[1];
          let col = coords[2];
          let channel = coords[3];
          let paddedRow = row + uniforms.pads.x;
          let paddedCol = col + uniforms.pads.y;
          var firstOutRow = 0;
          if (paddedRow - uniforms.filterDims.x + 1 > 0) {
            firstOutRow = (paddedRow - uniforms.filterDims.x + uniforms.strides.x) / uniforms.strides.x;
          }
          var firstOutCol = 0;
          if (paddedCol - uniforms.filterDims.y + 1 > 0) {
            firstOutCol = (paddedCol - uniforms.filterDims.y + uniforms.strides.y) / uniforms.strides.y;
          }
          let lastOutRow = min(uniforms.outDims.x - 1, paddedRow / uniforms.strides.x);
          let lastOutCol = min(uniforms.outDims.y - 1, paddedCol / uniforms.strides.y);
          var total = 0.0;
          for (var outRow = firstOutRow; outRow <= lastOutRow; outRow = outRow + 1) {
            for (var outCol = firstOutCol; outCol <= lastOutCol; outCol = outCol + 1) {
              let top = outRow * uniforms.strides.x - uniforms.pads.x;
              let left = outCol * uniforms.strides.y - uniforms.pads.y;
              var best = 0.0;
              var bestRow = -1;
              var bestCol = -1;
              for (var r = max(top, 0); r < min(top + uniforms.filterDims.x, uniforms.inDims.x); r = r + 1) {
                for (var c = max(left, 0); c < min(left + uniforms.filterDims.y, uniforms.inDims.y); c = c + 1) {
                  let value = getX(batch, r, c, channel);
                  if (bestRow < 0 || value > best) {
                    best = value;
                    bestRow = r;
                    bestCol = c;
                  }
                }
              }
              if (bestRow == row && bestCol == col) {
                total = total + getDy(batch, outRow, outCol, channel);
              }
            }
          }
          setOutputAtIndex(index, total);
        }
      }
    `;
  }
}

/**
 * `MaxPoolGrad` for webgpu that routes each window's gradient to its first maximum, as the cpu
 * and wasm backends do. tfjs-backend-webgpu 4.22's own kernel picks the last maximum (its
 * position shader compares with >=), so where a window holds equal values (zeros after a ReLU,
 * saturated pixels) its gradients differ from cpu's. Same work per element as the built-in
 * kernel (each window covering the element, scanned once); one shader instead of two. `util` is
 * tfjs-backend-webgpu's webgpu_util (passed in: that package may only be imported once
 * navigator.gpu exists).
 */
export function makeMaxPoolGrad(util: WebGpuDispatchUtil): tf.KernelFunc {
  return ((args: WebGpuKernelArguments) => maxPoolGrad(args, util)) as unknown as tf.KernelFunc;
}

function maxPoolGrad({ inputs, attrs = {}, backend }: WebGpuKernelArguments, util: WebGpuDispatchUtil): tf.TensorInfo {
  const { dy, input } = inputs;
  const info = pool2dGeometry(input.shape, attrs);
  const program = new MaxPoolGradFirstMaximumProgram(info.inShape, util);
  return (backend as ProgramRunner).runWebGPUProgram(program, [dy, input], input.dtype, [
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
    { type: 'int32', data: [info.inHeight, info.inWidth] },
    { type: 'int32', data: [info.outHeight, info.outWidth] },
  ]);
}
