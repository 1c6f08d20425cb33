import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { blobImages } from '../helpers/synthetic.js';

/**
 * ensureBackendKernels, as `fit` calls it: wasm chosen the standard TF.js way (not through
 * initBackend) still trains conv nets, and the pure-JS cpu backend warns once. Each test loads the
 * library's modules afresh (vi.resetModules) so that its once-per-process state starts clean;
 * TF.js itself (a package) is shared, as in an app.
 */
async function freshLibrary() {
  vi.resetModules();
  const ensure = await import('../../src/backend/ensure_kernels.js');
  const { IIC, Autoencoder } = await import('../../src/methods/index.js');
  return { ...ensure, IIC, Autoencoder };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('ensureBackendKernels', () => {
  it("wasm chosen with import '@tensorflow/tfjs-backend-wasm'; tf.setBackend('wasm'): IIC.fit trains (Conv2DBackpropFilter registered at fit)", async () => {
    const { IIC } = await freshLibrary();
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
    // Nothing registered it yet: wasm 4.22 has no Conv2DBackpropFilter of its own.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const images = blobImages(8, { side: 28, classes: 2, seed: 3 });
    const iic = new IIC({ backbone: [4, 'M', 4, 'M'], subHeads: 1, overclusterClusters: 0, numClusters: 2, seed: 1 });
    const before = tf.memory().numTensors;
    const logs = await iic.fit(images, { epochs: 1, batchSize: 8, progress: { mode: 'none' } });
    expect(logs).toHaveLength(1);
    expect(Number.isFinite(logs[0]!.loss)).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const model = iic.backbone!;
    expect(model.layers.length).toBeGreaterThan(0);
    iic.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on wasm registers the gap-fills once (the replaced BatchMatMul, Sum and Mean stay wrapped, not wrapped twice)', async () => {
    const { ensureBackendKernels } = await freshLibrary();
    const { builtInWasmKernel } = await import('../../src/backend/wasm_kernels/index.js');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    ensureBackendKernels('test');
    const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    expect(builtInWasmKernel('BatchMatMul')).toBeDefined();
    expect(builtInWasmKernel('BatchMatMul')).not.toBe(matMul);
    ensureBackendKernels('test');
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(matMul);
    for (const name of ['Sum', 'Mean', 'Conv2DBackpropFilter', 'UnsortedSegmentSum']) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it("on cpu: fit warns once, naming the installed faster backends and how to choose one", async () => {
    vi.stubEnv('TFJS_UNSUPERVISED_BACKEND', '');
    const { Autoencoder } = await freshLibrary();
    await tf.setBackend('cpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const images = blobImages(8, { side: 4, seed: 2 });
    const autoencoder = new Autoencoder({ layers: [16, 2], seed: 1 });
    await autoencoder.fit(images, { epochs: 1, batchSize: 8, progress: { mode: 'none' } });
    await autoencoder.fit(images, { epochs: 1, batchSize: 8, progress: { mode: 'none' } });
    autoencoder.dispose();
    const ours = warn.mock.calls.filter(([message]) => String(message).includes("'cpu' backend"));
    expect(ours).toHaveLength(1);
    const message = String(ours[0]![0]);
    expect(message).toMatch(/^Autoencoder\.fit: training on TensorFlow\.js's pure-JavaScript 'cpu' backend/);
    // The wasm backend is installed here (a dev dependency) and says how to choose it.
    expect(message).toContain("@tensorflow/tfjs-backend-wasm (import '@tensorflow/tfjs-backend-wasm'; await tf.setBackend('wasm'), or initBackend({ backend: 'wasm' }))");
    expect(message).not.toContain('@tensorflow/tfjs-backend-webgl');
  });

  it('on cpu chosen on purpose (TFJS_UNSUPERVISED_BACKEND=cpu) stays silent; on other backends does nothing', async () => {
    vi.stubEnv('TFJS_UNSUPERVISED_BACKEND', 'cpu');
    const { ensureBackendKernels, cpuBackendWarning } = await freshLibrary();
    await tf.setBackend('cpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    ensureBackendKernels('test');
    expect(warn).not.toHaveBeenCalled();
    expect(cpuBackendWarning('X.fit')).toMatch(/^X\.fit: training on .*'cpu' backend.*@tensorflow\/tfjs-backend-wasm/);
  });
});
