import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';

import { availableBackends, BACKEND_ENVIRONMENT_VARIABLE, formatBackendInfo, initBackend } from '../../src/backend/init_backend.js';

afterEach(() => {
  delete process.env[BACKEND_ENVIRONMENT_VARIABLE];
});

describe('initBackend', () => {
  it('starts wasm and cpu on request and describes them', async () => {
    // The test configuration runs wasm on one thread (vitest.config.ts); threads: test/backend/wasm_threads.test.ts.
    const wasm = await initBackend({ backend: 'wasm' });
    expect(wasm).toEqual({ name: 'wasm', device: 'cpu', native: false, package: '@tensorflow/tfjs-backend-wasm', threads: 1 });
    expect(formatBackendInfo(wasm)).toBe('backend wasm (cpu, 1 thread) via @tensorflow/tfjs-backend-wasm');
    expect(tf.getBackend()).toBe('wasm');
    const cpu = await initBackend({ backend: 'cpu' });
    expect(cpu.name).toBe('cpu');
    expect(formatBackendInfo(cpu)).toBe('backend cpu (cpu) via @tensorflow/tfjs-backend-cpu');
  });

  it('reads the environment variable, and the option wins over it', async () => {
    process.env[BACKEND_ENVIRONMENT_VARIABLE] = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    expect((await initBackend({ backend: 'wasm' })).name).toBe('wasm');
  });

  it('auto picks the first that loads: native when installed, else webgpu on a hardware adapter, else wasm (saying why not webgpu)', async () => {
    const info = await initBackend({ backend: 'auto' });
    if (availableBackends().includes('tensorflow')) expect(info.native).toBe(true);
    else if (info.name === 'webgpu') expect(info.adapter?.software).toBe(false);
    else {
      expect(info).toMatchObject({ name: 'wasm', native: false });
      if (availableBackends().includes('webgpu')) expect(info.fallback).toMatch(/^webgpu: /);
    }
  });

  it('rejects unknown and unavailable backends with a message listing what is available', async () => {
    await expect(initBackend({ backend: 'webgl' })).rejects.toThrow(/Unknown backend 'webgl'.*Choose one of: auto, tensorflow, webgpu, wasm, cpu; available on this machine: .*wasm, cpu/);
    process.env[BACKEND_ENVIRONMENT_VARIABLE] = 'gpu';
    await expect(initBackend()).rejects.toThrow(/Unknown backend 'gpu' \(from TFJS_UNSUPERVISED_BACKEND\)/);
    if (!availableBackends().includes('tensorflow')) {
      await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(/'tensorflow'.*not available: @tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed.*choose one of: .*wasm, cpu/);
    }
  });
});
