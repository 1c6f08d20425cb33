/**
 * webgpu vs cpu, kernel by kernel (runs on SwiftShader here and in CI; see webgpu_helpers.ts):
 * - the wasm gap-fill grid of shapes, strides and paddings (conv2d forward and both gradients,
 *   conv2dTranspose, UnsortedSegmentSum, MaxPoolGrad, leading-axes Sum/Mean), and this library's
 *   batch-norm layer with its hand-written gradient;
 * - every kernel that one training step of the benchmark models and of the six methods calls:
 *   recorded (on wasm, which is fast) with its real inputs and attributes, replayed on cpu (the
 *   reference) and on webgpu, compared (the per-kernel table is printed).
 * Relative error = max |webgpu − cpu| / max |cpu|, at most 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { builtInWebGpuKernel, WEBGPU_REPLACED_KERNELS } from '../../src/backend/webgpu_kernels/index.js';
import { bivariateGaussian } from '../../src/data/paired_samples.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC } from '../../src/methods/iic.js';
import { MINE } from '../../src/methods/mine.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import { batchNormalizeTraining } from '../../src/nn/batch_normalization.js';
import { BENCH_MODELS, buildBenchModel } from '../../bench/train_step_models.js';
import { blobImages } from '../helpers/synthetic.js';
import { recordKernelCalls, replay } from './kernel_recorder.js';
import type { ConvCase } from './kernel_grid.js';
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
import { skipWebGpuTests, webGpuAvailability } from './webgpu_helpers.js';

const TOLERANCE = 1e-4;
const availability = await webGpuAvailability();
const skip = skipWebGpuTests(availability, 'test/backend/webgpu_kernels.test.ts');

// The wasm gap-fill grid, then:
const cases: ConvCase[] = [...GAP_FILL_CONV_CASES];
// N·OH·OW ≥ 2000: the composed filter gradient (below that, tfjs-backend-webgpu's own shader runs),
// whose products take tfjs-backend-webgpu's split-K path; strided, padded and explicit cases.
cases.push({ batch: 8, height: 20, width: 20, inChannels: 3, outChannels: 6, kernel: 3, stride: 1, pad: 'same' });
cases.push({ batch: 24, height: 21, width: 21, inChannels: 2, outChannels: 4, kernel: 3, stride: 2, pad: 'valid' });
cases.push({ batch: 24, height: 19, width: 18, inChannels: 3, outChannels: 2, kernel: 5, stride: 2, pad: 'same' });
cases.push({ batch: 10, height: 15, width: 14, inChannels: 2, outChannels: 3, kernel: 4, stride: 1, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] });

describe.skipIf(skip)('webgpu kernels equal the cpu backend (gap-fill grid)', () => {
  it('replaces tfjs-backend-webgpu’s Conv2DBackpropFilter by the composed one, once', async () => {
    await initBackend({ backend: 'webgpu' });
    for (const name of WEBGPU_REPLACED_KERNELS) {
      expect(builtInWebGpuKernel(name)).toBeDefined();
      expect(tf.getKernelsForBackend('webgpu').filter((k) => k.kernelName === name)).toHaveLength(1);
    }
  });

  it('conv2d and its gradients (x and W) over the wasm gap-fill grid of kernels, strides and paddings', async () => {
    const errors: string[] = [];
    for (const c of cases) {
      const xValues = randomValues(c.batch * c.height * c.width * c.inChannels, 1);
      const wValues = randomValues(c.kernel * c.kernel * c.inChannels * c.outChannels, 2);
      const { cpu, other: webgpu } = await onCpuAnd('webgpu', convWithGradients(c, xValues, wValues));
      const label = `kernel ${c.kernel} stride ${c.stride} pad ${JSON.stringify(c.pad)} ${c.batch}x${c.height}x${c.width}x${c.inChannels}→${c.outChannels}`;
      ['conv2d', 'dx', 'dW'].forEach((what, i) => {
        const error = relativeError(webgpu[i], cpu[i]);
        if (!(error <= TOLERANCE)) errors.push(`${label} ${what}: ${error}`);
      });
    }
    expect(errors).toEqual([]);
  });

  it('the registered filter gradient equals tfjs-backend-webgpu’s own shader, below and above the composition threshold', async () => {
    await initBackend({ backend: 'webgpu' });
    const builtIn = builtInWebGpuKernel('Conv2DBackpropFilter');
    if (builtIn === undefined) throw new Error('no built-in Conv2DBackpropFilter recorded');
    // 20 images of 9x9 → 5x5: 500 rows use the built-in shader; 100 images: 2500 rows, the composition.
    for (const batch of [20, 100]) {
      const x = tf.tensor4d(randomValues(batch * 9 * 9 * 3, 5), [batch, 9, 9, 3]);
      const dy = tf.tensor4d(randomValues(batch * 5 * 5 * 4, 6), [batch, 5, 5, 4]);
      const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 3, 4] } as unknown as tf.NamedAttrMap;
      const ours = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      const theirsInfo = builtIn({ inputs: { x, dy }, attrs, backend: tf.backend() }) as tf.TensorInfo;
      const theirs = tf.engine().makeTensorFromTensorInfo(theirsInfo);
      expect(relativeError(await ours.data(), await theirs.data())).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([x, dy, ours, theirs]);
    }
  });

  it('conv2dTranspose (Conv2DBackpropInput forward) and its gradients, strides 1 and 2', async () => {
    for (const stride of [1, 2]) {
      const xValues = randomValues(2 * 5 * 5 * 3, 3);
      const wValues = randomValues(3 * 3 * 4 * 3, 4);
      const { cpu, other: webgpu } = await onCpuAnd('webgpu', conv2dTransposeWithGradients(stride, xValues, wValues));
      for (let i = 0; i < 3; i++) expect(relativeError(webgpu[i], cpu[i])).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('UnsortedSegmentSum, and so the gradient of gather with repeated indices', async () => {
    const values = randomValues(6 * 4, 5);
    const { cpu, other: webgpu } = await onCpuAnd('webgpu', segmentSumComputation(values));
    expect(relativeError(webgpu[0], cpu[0])).toBeLessThanOrEqual(TOLERANCE);
    expect(relativeError(webgpu[1], cpu[1])).toBeLessThanOrEqual(TOLERANCE);
  });

  it('MaxPoolGrad over the gap-fill pooling grid, overlaps and ties included (first maximum, as cpu)', async () => {
    for (const c of GAP_FILL_POOL_CASES) {
      const { cpu, other: webgpu } = await onCpuAnd('webgpu', maxPoolGradient(c, maxPoolTieValues(c)));
      expect(relativeError(webgpu[0], cpu[0]), JSON.stringify(c)).toBe(0);
    }
  });

  it('Sum and Mean over leading axes and others', async () => {
    const values = randomValues(4 * 5 * 3 * 6, 10);
    const { cpu, other: webgpu } = await onCpuAnd('webgpu', () => {
      const x = tf.tensor4d(values, [4, 5, 3, 6]);
      return [tf.sum(x, [0, 1, 2]), tf.sum(x, 0, true), tf.mean(x, [1, 0]), tf.mean(x, [0, 1, 2], true), tf.sum(x, [1, 2]), tf.mean(x, -1), tf.sum(x)];
    });
    for (let i = 0; i < cpu.length; i++) expect(relativeError(webgpu[i], cpu[i])).toBeLessThanOrEqual(TOLERANCE);
  });

  it('this library’s batch-norm layer: output, batch statistics and its hand-written gradient (rank 2 and 4)', async () => {
    for (const shape of [[6, 5], [3, 4, 4, 6]]) {
      const channels = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      const xValues = randomValues(size, 11).map((v) => 3 * v + 1);
      const gammaValues = randomValues(channels, 12);
      const betaValues = randomValues(channels, 13);
      const weightValues = randomValues(size, 14);
      const { cpu, other: webgpu } = await onCpuAnd('webgpu', () => {
        const x = tf.tensor(xValues, shape);
        const gamma = tf.tensor1d(gammaValues);
        const beta = tf.tensor1d(betaValues);
        const weights = tf.tensor(weightValues, shape);
        const statistics: tf.Tensor[] = [];
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { output, mean, variance } = batchNormalizeTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
          statistics.push(tf.keep(mean), tf.keep(variance));
          return tf.sum(tf.mul(tf.square(output), weights));
        };
        const { value, grads } = tf.valueAndGrads(f)([x, gamma, beta]);
        return [value, ...grads, ...statistics];
      });
      for (let i = 0; i < cpu.length; i++) expect(relativeError(webgpu[i], cpu[i]), `shape [${shape}] output ${i}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

// cpu's own Transform (tfjs-backend-cpu 4.22) returns after the first image of a batch; initBackend
// replaces it with this library's corrected kernel (test/backend/cpu_kernels.test.ts checks it
// against wasm), so cpu is the reference for every kernel here, Transform included.

/** One training step (or a tiny fit) of each benchmark model and each of the six methods. */
async function trainingSteps(): Promise<void> {
  for (const name of BENCH_MODELS) {
    const model = buildBenchModel(name, 4);
    const loss = model.step();
    await loss.data();
    loss.dispose();
    model.dispose();
  }
  const images = blobImages(16, { side: 12, classes: 2, seed: 1 });
  const quiet = { epochs: 1, batchSize: 8, progress: 'none' as const };
  const autoencoder = new Autoencoder({ layers: [144, 16, 4], seed: 0 });
  await autoencoder.fit(images, quiet);
  autoencoder.dispose();
  const iic = new IIC({ backbone: [4, 'M', 8, 'M'], numClusters: 2, overclusterClusters: 4, subHeads: 1, views: { centerCrop: 10, outputSize: 10, randomCropSizes: [8, 10], maxRotationDegrees: 10 }, seed: 0 });
  await iic.fit(images, quiet);
  iic.dispose();
  const relational = new RelationalReasoning({ channels: [4, 8], headUnits: 8, views: 2, seed: 0 });
  await relational.fit(images, quiet);
  relational.dispose();
  const deepCluster = new DeepCluster({ numClusters: 2, backbone: [4, 'M', 8, 'M'], featureSize: 8, pcaComponents: 4, seed: 1 });
  await deepCluster.fit(images, quiet);
  deepCluster.dispose();
  const filters = new FilterDistinguisher({ channels: [1, 3, 3], hiddenChannels: 4, seed: 0 });
  await filters.fit(images, { samplesPerLevel: 16, batchSize: 8, progress: 'none' });
  filters.dispose();
  const mine = new MINE({ seed: 0, hiddenUnits: [8] });
  await mine.fit(bivariateGaussian(64, 0.5, 1), { epochs: 1, batchSize: 32, progress: 'none' });
  mine.dispose();
}

describe.skipIf(skip)('every kernel of a training step (benchmark models, six methods) on webgpu equals cpu', () => {
  it('is registered on webgpu and, replayed on the inputs recorded in real steps, agrees with cpu within 1e-4 (table printed)', async () => {
    await initBackend({ backend: 'wasm' });
    const { calls, names } = await recordKernelCalls('wasm', trainingSteps);
    await initBackend({ backend: 'webgpu' });
    const missing = [...names].filter((name) => tf.getKernel(name, 'webgpu') === undefined).sort();
    expect(missing).toEqual([]);
    // The reference: cpu's outputs on the same inputs.
    await initBackend({ backend: 'cpu' });
    expect(calls.some((call) => call.kernelName === 'Transform' && call.outputs[0].shape[0] > 1)).toBe(true);
    for (const call of calls) {
      const values = await replay(call);
      call.outputs = values.map((v, i) => ({ ...call.outputs[i], values: v }));
    }
    await initBackend({ backend: 'webgpu' });
    const worst = new Map<string, { error: number; calls: number }>();
    for (const call of calls) {
      const outputs = await replay(call);
      let error = 0;
      call.outputs.forEach((expected, i) => {
        const finite = (v: number) => (Number.isFinite(v) ? v : 0);
        const mismatchedNonFinite = Array.from(expected.values).some((v, j) => !Number.isFinite(v) && !Object.is(v, outputs[i][j]));
        error = Math.max(error, mismatchedNonFinite ? Number.POSITIVE_INFINITY : relativeError(Array.from(outputs[i], finite), Array.from(expected.values, finite)));
      });
      const entry = worst.get(call.kernelName) ?? { error: 0, calls: 0 };
      worst.set(call.kernelName, { error: Math.max(entry.error, error), calls: entry.calls + 1 });
    }
    const rows = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.log(
      ['| kernel | calls replayed | max relative error (webgpu vs cpu) |', '|---|---:|---:|', ...rows.map(([name, { error, calls: n }]) => `| ${name}${WEBGPU_REPLACED_KERNELS.includes(name) ? (name === 'Conv2DBackpropFilter' ? ' (ours from 2000 rows, else built-in)' : ' (ours)') : ''} | ${n} | ${error.toExponential(1)} |`)].join('\n'),
    );
    expect(rows.filter(([, { error }]) => !(error <= TOLERANCE)).map(([name, { error }]) => `${name}: ${error}`)).toEqual([]);
    expect(names.has('Conv2DBackpropFilter')).toBe(true);
  });
});
