import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { WASM_GAP_FILL_KERNELS } from '../../src/backend/wasm_kernels/index.js';
import { createRandom } from '../../src/data/random.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

type Computation = () => tf.Tensor | tf.Tensor[];

/** Runs the same computation on cpu and on wasm (inputs rebuilt on each) and returns both results as arrays. */
async function onBothBackends(build: () => Computation): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend({ backend });
    const outputs = tf.tidy(() => {
      const result = build()();
      return Array.isArray(result) ? result : [result];
    });
    const values = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outputs);
    return values;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  return { cpu, wasm };
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-12);
}

function randomValues(size: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: size }, () => random.normal());
}

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
}

const cases: ConvCase[] = [];
for (const kernel of [1, 3, 5]) {
  for (const stride of [1, 2, 3]) {
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 4, kernel, stride, pad });
    }
  }
}
cases.push({ batch: 3, height: 7, width: 7, inChannels: 2, outChannels: 5, kernel: 3, stride: 1, pad: 1 });
cases.push({ batch: 1, height: 10, width: 6, inChannels: 1, outChannels: 2, kernel: 3, stride: 2, pad: 2 });
cases.push({ batch: 2, height: 8, width: 8, inChannels: 2, outChannels: 3, kernel: 3, stride: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] });
cases.push({ batch: 2, height: 12, width: 12, inChannels: 4, outChannels: 8, kernel: 4, stride: 2, pad: 'same' });

describe('wasm gap-fill kernels equal the cpu backend', () => {
  it('registers the kernels wasm lacks, once', async () => {
    for (const name of WASM_GAP_FILL_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    await initBackend({ backend: 'wasm' });
    expect(tf.getKernelsForBackend('wasm').filter((k) => k.kernelName === 'Conv2DBackpropFilter')).toHaveLength(1);
  });

  for (const c of cases) {
    it(`conv2d gradients (x and W), kernel ${c.kernel}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}, ${c.height}x${c.width}`, async () => {
      const xValues = randomValues(c.batch * c.height * c.width * c.inChannels, 1);
      const wValues = randomValues(c.kernel * c.kernel * c.inChannels * c.outChannels, 2);
      const { cpu, wasm } = await onBothBackends(() => () => {
        const x = tf.tensor4d(xValues, [c.batch, c.height, c.width, c.inChannels]);
        const w = tf.tensor4d(wValues, [c.kernel, c.kernel, c.inChannels, c.outChannels]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)));
        const [dx, dw] = tf.grads(f)([x, w]);
        return [tf.conv2d(x, w, c.stride, c.pad), dx, dw];
      });
      for (let i = 0; i < 3; i++) {
        expect(wasm[i].length).toBe(cpu[i].length);
        expect(relativeError(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-4);
      }
    });
  }

  it('conv2dTranspose (forward = Conv2DBackpropInput) and its gradients, strides 1 and 2', async () => {
    for (const stride of [1, 2]) {
      const xValues = randomValues(2 * 5 * 5 * 3, 3);
      const wValues = randomValues(3 * 3 * 4 * 3, 4);
      const { cpu, wasm } = await onBothBackends(() => () => {
        const x = tf.tensor4d(xValues, [2, 5, 5, 3]);
        const w = tf.tensor4d(wValues, [3, 3, 4, 3]);
        const out = [2, 5 * stride, 5 * stride, 4] as [number, number, number, number];
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, stride, 'same')));
        const [dx, dw] = tf.grads(f)([x, w]);
        return [tf.conv2dTranspose(x, w, out, stride, 'same'), dx, dw];
      });
      for (let i = 0; i < 3; i++) expect(relativeError(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-4);
    }
  });

  it('UnsortedSegmentSum, and so the gradient of gather with repeated indices', async () => {
    const values = randomValues(6 * 4, 5);
    const { cpu, wasm } = await onBothBackends(() => () => {
      const table = tf.tensor2d(values, [6, 4]);
      const indices = tf.tensor1d([0, 2, 2, 5, 0, 0, 3], 'int32');
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), tf.range(1, 8).reshape([7, 1]))))(table);
      return [g, tf.unsortedSegmentSum(tf.tensor2d(values.slice(0, 12), [3, 4]), tf.tensor1d([2, 0, 2], 'int32'), 4)];
    });
    expect(relativeError(wasm[0], cpu[0])).toBeLessThanOrEqual(1e-6);
    expect(relativeError(wasm[1], cpu[1])).toBeLessThanOrEqual(1e-6);
  });

  const poolCases: Array<{ shape: [number, number, number, number]; size: number; stride: number; pad: 'same' | 'valid' | number }> = [
    { shape: [3, 8, 8, 5], size: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 9, 3], size: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 9, 3], size: 2, stride: 2, pad: 'same' },
    { shape: [2, 9, 9, 4], size: 3, stride: 2, pad: 'same' },
    { shape: [2, 6, 6, 2], size: 3, stride: 1, pad: 1 },
  ];
  for (const c of poolCases) {
    it(`MaxPoolGrad, ${c.size}x${c.size} windows, stride ${c.stride}, pad ${c.pad}, input [${c.shape}] (overlaps and ties included)`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      // Rounded values make ties; ReLU-like zeros make whole windows tie.
      const xValues = randomValues(size, 9).map((v) => Math.max(0, Math.round(v * 2) / 2));
      const { cpu, wasm } = await onBothBackends(() => () => {
        const x = tf.tensor4d(xValues, c.shape);
        const weights = tf.tensor1d(Array.from({ length: c.shape[3] }, (_, i) => i + 1));
        return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.size, c.stride, c.pad), weights)))(x);
      });
      expect(relativeError(wasm[0], cpu[0])).toBe(0);
    });
  }

  it('Sum and Mean over leading axes (keepDims or not), and the other reductions through the built-in kernels', async () => {
    const values = randomValues(4 * 5 * 3 * 6, 10);
    const { cpu, wasm } = await onBothBackends(() => () => {
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
