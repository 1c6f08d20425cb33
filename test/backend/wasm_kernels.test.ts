import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { convolutionReadWindow } from '../../src/backend/kernel_geometry.js';
import { PATCH_PRODUCT_MAX_ROWS } from '../../src/backend/wasm_kernels/conv2d_backprop_filter.js';
import { convGeometry } from '../../src/backend/wasm_kernels/kernel_utils.js';
import { WASM_GAP_FILL_KERNELS } from '../../src/backend/wasm_kernels/index.js';
import {
  conv2dTransposeWithGradients,
  convWithGradients,
  GAP_FILL_CONV_CASES,
  GAP_FILL_POOL_CASES,
  maxPoolGradient,
  maxPoolTieValues,
  onCpuAnd,
  randomValues,
  relativeError,
  segmentSumComputation,
} from './kernel_grid.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('wasm gap-fill kernels equal the cpu backend', () => {
  it('registers the kernels wasm lacks, once', async () => {
    for (const name of WASM_GAP_FILL_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    await initBackend({ backend: 'wasm' });
    expect(tf.getKernelsForBackend('wasm').filter((k) => k.kernelName === 'Conv2DBackpropFilter')).toHaveLength(1);
  });

  for (const c of GAP_FILL_CONV_CASES) {
    it(`conv2d gradients (x and W), kernel ${c.kernel}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}, ${c.height}x${c.width}`, async () => {
      const xValues = randomValues(c.batch * c.height * c.width * c.inChannels, 1);
      const wValues = randomValues(c.kernel * c.kernel * c.inChannels * c.outChannels, 2);
      const { cpu, other: wasm } = await onCpuAnd('wasm', convWithGradients(c, xValues, wValues));
      for (let i = 0; i < 3; i++) {
        expect(wasm[i].length).toBe(cpu[i].length);
        expect(relativeError(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-4);
      }
    });
  }

  /** Indices where two arrays differ (+0 and −0 count as equal). */
  const differences = (a: Float32Array, b: Float32Array) => a.reduce((count, value, i) => count + (value === b[i] ? 0 : 1), a.length === b.length ? 0 : 1);

  for (const c of GAP_FILL_CONV_CASES) {
    it(`conv2d gradients are bitwise the formulations they stand for (the convolution's own padding as a padded copy; a small filter's as the patches' product): kernel ${c.kernel}, ${c.inChannels} channels, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`, () => {
      const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.inChannels, c.outChannels];
      const inputShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
      const info = convGeometry(inputShape, filterShape, c.stride, c.pad, undefined, 'NHWC');
      const x = tf.tensor4d(randomValues(c.batch * c.height * c.width * c.inChannels, 5), inputShape);
      const w = tf.tensor4d(randomValues(c.kernel * c.kernel * c.inChannels * c.outChannels, 6), filterShape);
      const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(info.outShape), 7), info.outShape as [number, number, number, number]);
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
      // The filter gradient as this kernel computed it before: pad and crop x as a copy, then a 'valid' convolution.
      const { top, left } = info.padInfo;
      const { neededHeight, neededWidth, bottom, right } = convolutionReadWindow(info);
      const [dw, reference] = tf.tidy(() => {
        const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
        const kernel = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }) as tf.Tensor;
        if (c.kernel * c.kernel * c.inChannels <= PATCH_PRODUCT_MAX_ROWS) {
          // Small filters: the patches' matrix (one row per filter weight, one column per output position) times dy.
          const { outHeight, outWidth, strideHeight, strideWidth } = info;
          const rows: tf.Tensor[] = [];
          for (let kh = 0; kh < c.kernel; kh++) {
            for (let kw = 0; kw < c.kernel; kw++) {
              for (let ci = 0; ci < c.inChannels; ci++) {
                const end = [c.batch, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, ci + 1];
                rows.push(tf.reshape(tf.stridedSlice(padded, [0, kh, kw, ci], end, [1, strideHeight, strideWidth, 1]), [1, -1]));
              }
            }
          }
          const product = tf.matMul(tf.concat(rows, 0), tf.reshape(dy, [-1, c.outChannels]));
          return [kernel.dataSync() as Float32Array, product.dataSync() as Float32Array];
        }
        const cropped = tf.slice(padded, [0, 0, 0, 0], [c.batch, neededHeight, neededWidth, c.inChannels]);
        const convolved = tf.conv2d(tf.transpose(cropped, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
        return [kernel.dataSync() as Float32Array, tf.transpose(convolved, [1, 2, 0, 3]).dataSync() as Float32Array];
      });
      expect(differences(dw, reference)).toBe(0);
      if (c.stride === 1) {
        const [dx, referenceDx] = tf.tidy(() => {
          const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
          const k = c.kernel;
          const padded = tf.pad(dy, [[0, 0], [k - 1 - top, k - 1 - info.padInfo.bottom], [k - 1 - left, k - 1 - info.padInfo.right], [0, 0]]);
          const kernel = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape }) as tf.Tensor;
          return [kernel.dataSync() as Float32Array, tf.conv2d(padded, flipped, 1, 'valid').dataSync() as Float32Array];
        });
        expect(differences(dx, referenceDx)).toBe(0);
      }
      tf.dispose([x, w, dy]);
    });
  }

  it('Conv2DBackpropFilter of an empty batch is zeros, for small filters (the product) and others (the convolution)', () => {
    for (const inChannels of [1, 8]) {
      const x = tf.zeros([0, 5, 5, inChannels]);
      const dy = tf.zeros([0, 5, 5, 2]);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, inChannels, 2] }) as tf.Tensor;
      expect(dw.shape).toEqual([3, 3, inChannels, 2]);
      expect(Array.from(dw.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, dy, dw]);
    }
  });

  it('conv2dTranspose (forward = Conv2DBackpropInput) and its gradients, strides 1 and 2', async () => {
    for (const stride of [1, 2]) {
      const xValues = randomValues(2 * 5 * 5 * 3, 3);
      const wValues = randomValues(3 * 3 * 4 * 3, 4);
      const { cpu, other: wasm } = await onCpuAnd('wasm', conv2dTransposeWithGradients(stride, xValues, wValues));
      for (let i = 0; i < 3; i++) expect(relativeError(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-4);
    }
  });

  it('UnsortedSegmentSum, and so the gradient of gather with repeated indices', async () => {
    const values = randomValues(6 * 4, 5);
    const { cpu, other: wasm } = await onCpuAnd('wasm', segmentSumComputation(values));
    expect(relativeError(wasm[0], cpu[0])).toBeLessThanOrEqual(1e-6);
    expect(relativeError(wasm[1], cpu[1])).toBeLessThanOrEqual(1e-6);
  });

  for (const c of GAP_FILL_POOL_CASES) {
    it(`MaxPoolGrad, ${c.size}x${c.size} windows, stride ${c.stride}, pad ${c.pad}, input [${c.shape}] (overlaps and ties included)`, async () => {
      const { cpu, other: wasm } = await onCpuAnd('wasm', maxPoolGradient(c, maxPoolTieValues(c)));
      expect(relativeError(wasm[0], cpu[0])).toBe(0);
    });
  }

  it('MaxPoolGrad on windows of −∞ and NaN (2x2 and 3x3 disjoint windows, and overlapping ones) equals cpu', async () => {
    const shape: [number, number, number, number] = [1, 6, 6, 2];
    const values = randomValues(72, 11);
    // Channel 0: the top-left 2x2 (and 3x3) window all −∞, one NaN in the next; channel 1: a window of NaN and −∞.
    for (const [y, x] of [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2]]) values[(y * 6 + x) * 2] = Number.NEGATIVE_INFINITY;
    values[(0 * 6 + 3) * 2] = Number.NaN;
    for (const [y, x] of [[4, 4], [4, 5], [5, 4]]) values[(y * 6 + x) * 2 + 1] = Number.NaN;
    values[(5 * 6 + 5) * 2 + 1] = Number.NEGATIVE_INFINITY;
    for (const [size, stride] of [[2, 2], [3, 3], [3, 1]]) {
      const { cpu, other: wasm } = await onCpuAnd('wasm', maxPoolGradient({ shape, size, stride, pad: 'valid' }, values));
      expect(Array.from(wasm[0])).toEqual(Array.from(cpu[0]));
    }
  });

  it('Identity and same-dtype Cast share the buffer (no copy); freed with the last tensor; other casts convert', async () => {
    await initBackend({ backend: 'wasm' });
    const backend = tf.backend();
    const dataIds = backend.numDataIds();
    const bytes = tf.memory().numBytes;
    const x = tf.tensor2d([[1.5, -2.25], [3.75, 4]]);
    const clone = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    expect(backend.numDataIds()).toBe(dataIds + 1);
    x.dispose();
    expect(Array.from(await clone.data())).toEqual([1.5, -2.25, 3.75, 4]);
    expect(Array.from(await cast.data())).toEqual([1.5, -2.25, 3.75, 4]);
    const integers = tf.cast(clone, 'int32');
    expect(integers.dtype).toBe('int32');
    expect(Array.from(await integers.data())).toEqual([1, -2, 3, 4]);
    tf.dispose([clone, cast, integers]);
    expect(backend.numDataIds()).toBe(dataIds);
    expect(tf.memory().numBytes).toBe(bytes);
    const words = tf.tensor1d(['a', 'bc'], 'string');
    const wordsClone = tf.clone(words);
    words.dispose();
    expect(await wordsClone.data()).toEqual(['a', 'bc']);
    wordsClone.dispose();
    expect(backend.numDataIds()).toBe(dataIds);
  });

  it('Sum and Mean over leading axes (keepDims or not), and the other reductions through the built-in kernels', async () => {
    const values = randomValues(4 * 5 * 3 * 6, 10);
    const { cpu, other: wasm } = await onCpuAnd('wasm', () => {
      const x = tf.tensor4d(values, [4, 5, 3, 6]);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, 0, true),
        tf.mean(x, [1, 0]),
        tf.mean(x, [0, 1, 2], true),
        tf.sum(x, [1, 2]),
        tf.mean(x, -1),
        tf.sum(x),
        tf.sum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), 0),
      ];
    });
    for (let i = 0; i < cpu.length; i++) {
      expect(wasm[i].length).toBe(cpu[i].length);
      expect(relativeError(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-6);
    }
    expect(Array.from(wasm[7])).toEqual([9, 12]);
    await initBackend({ backend: 'wasm' });
    expect(tf.sum(tf.zeros([3, 0, 2]), [0, 1]).shape).toEqual([2]);
    expect(tf.sum(tf.ones([2, 3]), 0, true).shape).toEqual([1, 3]);
  });

  it('every gradient the library’s layers need exists on wasm', async () => {
    await initBackend({ backend: 'wasm' });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.batchNormalization(),
        tf.layers.leakyReLU(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    const x = tf.randomNormal([4, 12, 12, 2]);
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor;
      const resized = tf.image.resizeBilinear(x as tf.Tensor4D, [6, 6]);
      return tf.add(tf.mean(tf.log(tf.add(p, 1e-6))), tf.mul(tf.mean(resized), 0)) as tf.Scalar;
    });
    expect(Object.values(grads).every((g) => g.shape.length > 0)).toBe(true);
    tf.dispose([value, grads as unknown as tf.Tensor[], x]);
    model.dispose();
  });
});

describe('training a conv net on wasm', () => {
  it('lowers the loss in 20 steps and leaks no tensors', async () => {
    await initBackend({ backend: 'wasm' });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const x = tf.randomNormal([32, 16, 16, 1], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 4), 'int32'), 4);
    const optimizer = tf.train.adam(1e-2);
    const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
    const losses: number[] = [];
    const first = step();
    losses.push((await first.data())[0]);
    first.dispose();
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 1; i < 20; i++) {
      const loss = step();
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    // Random labels on random images: memorising them halves the loss in 20 steps (1.46 → 0.78 here).
    expect(losses[19]).toBeLessThan(losses[0] * 0.75);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});
