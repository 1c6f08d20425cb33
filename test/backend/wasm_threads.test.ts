import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { defaultWasmThreads, MAX_WASM_THREADS, THREADS_ENVIRONMENT_VARIABLE } from '../../src/backend/wasm_threads.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

interface ChildResult {
  threads: number;
  loss: number;
  kernelGradient: number[];
  denseGradient: number[];
  productSum: number;
  productFirst: number[];
}

/** Runs the child with `threads` threads; it must exit 0 by itself within the timeout. */
function runChild(threads: number): ChildResult {
  const child = spawnSync(tsx, ['test/helpers/wasm_threads_child.ts', String(threads)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(child.signal, `child with ${threads} threads was killed (it did not exit by itself): ${child.stderr}`).toBeNull();
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildResult;
}

afterEach(() => {
  delete process.env[THREADS_ENVIRONMENT_VARIABLE];
});

describe('multi-threaded wasm in Node', () => {
  it('runs 2 threads, gives the single-threaded results, and lets the process exit', () => {
    const one = runChild(1);
    const two = runChild(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(Number.isFinite(two.loss) && two.loss > 0).toBe(true);
    expect(two.loss).toBeCloseTo(one.loss, 5);
    expect(two.productSum).toBeCloseTo(one.productSum, 1);
    for (const [key, tolerance] of [['kernelGradient', 1e-5], ['denseGradient', 1e-5], ['productFirst', 1e-4]] as const) {
      const a = one[key];
      const b = two[key];
      expect(b.length).toBe(a.length);
      const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(v))));
      expect(worst, key).toBeLessThan(tolerance);
    }
  }, 180_000);

  it('defaults to the environment variable, else the CPUs (at most 8), and rejects bad counts', async () => {
    process.env[THREADS_ENVIRONMENT_VARIABLE] = '3';
    expect(defaultWasmThreads()).toBe(3);
    delete process.env[THREADS_ENVIRONMENT_VARIABLE];
    expect(defaultWasmThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultWasmThreads()).toBeLessThanOrEqual(MAX_WASM_THREADS);
    process.env[THREADS_ENVIRONMENT_VARIABLE] = '0';
    await expect(initBackend({ backend: 'wasm' })).rejects.toThrow(/TFJS_UNSUPERVISED_THREADS: the wasm thread count must be an integer from 1 to 8, got 0/);
    process.env[THREADS_ENVIRONMENT_VARIABLE] = 'two';
    await expect(initBackend({ backend: 'wasm' })).rejects.toThrow(/TFJS_UNSUPERVISED_THREADS: the wasm thread count must be an integer from 1 to 8, got two\./);
    await expect(initBackend({ backend: 'wasm', threads: 9 })).rejects.toThrow(/initBackend\(\{ threads \}\): the wasm thread count must be an integer from 1 to 8, got 9/);
    await expect(initBackend({ backend: 'wasm', threads: 1.5 })).rejects.toThrow(/got 1.5/);
  });
});
