/**
 * The webgpu backend as initBackend starts it: what it reports, that `auto` never takes a software
 * adapter, the errors without an adapter or without the `webgpu` package (and the CLI's exit
 * code 2), and that probing leaves the process free to exit (child processes). The probe's cost
 * is printed, not asserted (timing belongs to `npm run bench`).
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { BACKEND_ENVIRONMENT_VARIABLE, formatBackendInfo, initBackend } from '../../src/backend/init_backend.js';
import type { BackendInfo } from '../../src/backend/init_backend.js';
import { skipWebGpuTests, webGpuAvailability } from './webgpu_helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/start_backend.ts', import.meta.url));
const hideWebGpu = fileURLToPath(new URL('./fixtures/hide_webgpu.mjs', import.meta.url));

const availability = await webGpuAvailability();
const skip = skipWebGpuTests(availability, 'test/backend/webgpu.test.ts');

afterEach(() => {
  delete process.env[BACKEND_ENVIRONMENT_VARIABLE];
});

interface ChildResult {
  info?: BackendInfo;
  line?: string;
  ms?: number;
  error?: string;
}

/** Runs the child with a backend request; it must exit by itself (within 60 s) with code 0. */
function startInChild(request: string, environment: Record<string, string | undefined> = {}, nodeOptions = ''): ChildResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...environment, NODE_OPTIONS: nodeOptions };
  for (const [key, value] of Object.entries(environment)) if (value === undefined) delete env[key];
  const result = spawnSync(tsx, [child, request], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw new Error(`child for '${request}' did not exit by itself: ${result.error.message}`);
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as ChildResult;
}

/** A Vulkan driver list that names no driver: Dawn finds no adapter, and SwiftShader is not tried (the variable is set). */
const NO_DRIVER = { VK_ICD_FILENAMES: '/nonexistent/no_driver.json', VK_DRIVER_FILES: undefined };

describe.skipIf(skip)('the webgpu backend', () => {
  it('reports the adapter and runs on the GPU device; the environment variable selects it', async () => {
    const info = await initBackend({ backend: 'webgpu' });
    expect(info).toMatchObject({ name: 'webgpu', device: 'gpu', native: false, package: '@tensorflow/tfjs-backend-webgpu' });
    expect(typeof info.adapter?.vendor).toBe('string');
    expect(typeof info.adapter?.architecture).toBe('string');
    expect(typeof info.adapter?.description).toBe('string');
    expect(typeof info.adapter?.software).toBe('boolean');
    expect(formatBackendInfo(info)).toMatch(/^backend webgpu \(gpu, .+, (software|hardware) adapter\) via @tensorflow\/tfjs-backend-webgpu$/);
    expect(tf.getBackend()).toBe('webgpu');
    await initBackend({ backend: 'wasm' });
    process.env[BACKEND_ENVIRONMENT_VARIABLE] = 'webgpu';
    expect((await initBackend()).name).toBe('webgpu');
    const sum = tf.sum(tf.tensor1d([1, 2, 3]));
    expect(await sum.data()).toEqual(new Float32Array([6]));
    sum.dispose();
  });

  it('auto does not take a software adapter: it falls through to wasm and says why', async () => {
    const asked = await initBackend({ backend: 'webgpu' });
    const auto = await initBackend({ backend: 'auto' });
    if (asked.adapter?.software === true) {
      expect(auto).toMatchObject({ name: 'wasm', device: 'cpu' });
      expect(auto.fallback).toMatch(/^webgpu: only a software adapter \(.+\), slower than wasm; ask for webgpu by name to use it$/);
      expect(formatBackendInfo(auto)).toMatch(/via @tensorflow\/tfjs-backend-wasm \(fallback: webgpu: only a software adapter/);
    } else {
      expect(auto.name).toBe('webgpu');
    }
  });
});

describe('webgpu start-up in child processes (each must exit by itself)', () => {
  it('auto with no Vulkan driver: wasm, the reason in fallback; the probe costs little (printed)', () => {
    const auto = startInChild('auto', NO_DRIVER);
    const wasm = startInChild('wasm', NO_DRIVER);
    expect(auto.info).toMatchObject({ name: 'wasm' });
    expect(auto.info?.fallback).toMatch(/webgpu: Dawn found no WebGPU adapter: on Linux WebGPU needs a Vulkan loader and a Vulkan driver: `apt-get install libvulkan1`/);
    console.log(`initBackend with no GPU: auto (webgpu probe, then wasm) ${auto.ms?.toFixed(0)} ms, wasm alone ${wasm.ms?.toFixed(0)} ms`);
  });

  it('webgpu by name with no Vulkan driver: an error naming what to install', () => {
    const result = startInChild('webgpu', NO_DRIVER);
    expect(result.error).toMatch(/^Backend 'webgpu' \(from initBackend\(\{ backend \}\)\) is not available: Dawn found no WebGPU adapter: .*apt-get install libvulkan1.*Or choose one of: .*wasm, cpu\.$/);
  });

  it('without the webgpu package: webgpu by name names the package to install; auto falls through to wasm', () => {
    const byName = startInChild('webgpu', {}, `--import=${hideWebGpu}`);
    expect(byName.error).toMatch(/the npm package 'webgpu' \(Dawn for Node\) is not installed: npm install webgpu @tensorflow\/tfjs-backend-webgpu/);
    const auto = startInChild('auto', {}, `--import=${hideWebGpu}`);
    expect(auto.info?.name).toBe('wasm');
  });

  it.skipIf(skip)('webgpu by name in a fresh process: starts (SwiftShader enabled in-process when needed) and the process exits', () => {
    const result = startInChild('webgpu', { VK_ICD_FILENAMES: undefined, VK_DRIVER_FILES: undefined });
    expect(result.info).toMatchObject({ name: 'webgpu', device: 'gpu' });
    console.log(`fresh process: ${result.line} in ${result.ms?.toFixed(0)} ms`);
  });

  it.skipIf(skip)('a lost GPU device: every later webgpu operation throws one clear error; wasm still starts in that process', () => {
    const lose = fileURLToPath(new URL('./fixtures/lose_webgpu_device.ts', import.meta.url));
    const result = spawnSync(tsx, [lose], { cwd: root, env: process.env, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split('\n').pop() as string) as Record<string, string | number>;
    expect(outcome.before).toBe(16);
    expect(outcome.operation).toMatch(/^webgpu: the GPU device was lost \(destroyed.*\); the tensors on it are gone.*--resume --backend wasm/);
    expect(outcome.loss).toBe(outcome.operation);
    expect(outcome.restart).toMatch(/Backend 'webgpu'.*not available: webgpu: the GPU device was lost/);
    expect(outcome).toMatchObject({ wasm: 'wasm', after: 16 });
    expect(result.stderr).toMatch(/webgpu: the GPU device was lost/);
  });

  it('the CLI: --backend webgpu without an adapter exits with code 2 and the message', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: NO_DRIVER.VK_ICD_FILENAMES };
    delete env.VK_DRIVER_FILES;
    const result = spawnSync(tsx, ['src/cli/main.ts', 'backend', '--backend', 'webgpu'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Backend 'webgpu'.*not available: Dawn found no WebGPU adapter.*apt-get install libvulkan1/);
  });
});
