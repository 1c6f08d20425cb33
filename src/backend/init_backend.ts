import * as tf from '@tensorflow/tfjs';

import { environmentVariable, inNode, isPackageInstalled } from '../core/environment.js';
import { registerCpuGapFillKernels } from './cpu_kernels/index.js';
import { registerWasmGapFillKernels } from './wasm_kernels/index.js';
import { describeMissingWasmFiles } from './wasm_location.js';
import { checkWasmThreads, defaultWasmThreads, startWasmBackend } from './wasm_threads.js';
import { probeWebGpu, startWebGpuBackend } from './webgpu.js';
import type { WebGpuAdapterDescription } from './webgpu.js';

/** A backend that {@link initBackend} can be asked for. `auto` picks the fastest that loads. `webgl` only in a browser, `tensorflow` only in Node. */
export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The backends, in the order `auto` tries them (`tensorflow` = a native package). */
export const BACKEND_NAMES: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** The backends a browser page can ask for, in the order `auto` tries them. */
const BROWSER_BACKEND_NAMES: readonly BackendRequest[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The name of a started backend (`webgl` only in a browser). */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Native packages, in the order `auto` and `tensorflow` try them. Only the first that loads is loaded. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** What {@link initBackend} started. */
export interface BackendInfo {
  /** The TensorFlow.js backend name now active: `tensorflow` (native), `webgpu`, `wasm` or `cpu`. */
  name: BackendName;
  /** Where the math runs: `gpu` for webgpu and webgl, and for tfjs-node-gpu with a CUDA device in use. */
  device: 'gpu' | 'cpu';
  /** True for libtensorflow (tfjs-node or tfjs-node-gpu). */
  native: boolean;
  /** The npm package that provides the backend. */
  package: string;
  /** XNNPACK threads of the wasm backend (1 = single-threaded); absent for the other backends. */
  threads?: number;
  /**
   * Why wasm runs one thread although more were asked for (in a page: not cross-origin isolated,
   * no SharedArrayBuffer; in Node: the threaded build did not start); absent otherwise.
   */
  threadsFallback?: string;
  /** The WebGPU adapter of the webgpu backend; absent for the other backends. */
  adapter?: WebGpuAdapterDescription;
  /** Why `auto` passed over faster backends (e.g. webgpu without a hardware adapter); absent when nothing was passed over that could have been expected to run. */
  fallback?: string;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Which backend to start. Default: the environment variable `TFJS_UNSUPERVISED_BACKEND`,
   * else `'auto'` (tfjs-node-gpu, then tfjs-node, then webgpu on a hardware adapter, then wasm, then cpu).
   */
  backend?: BackendRequest | string;
  /**
   * Threads of the wasm backend, 1 to 8 (ignored by the other backends). Default: the environment
   * variable `TFJS_UNSUPERVISED_THREADS`, else the CPUs Node may use (in a browser
   * `navigator.hardwareConcurrency`; at most 8). With more than one, the threaded XNNPACK build
   * runs in Node worker threads, or in a page's Web Workers when the page is cross-origin isolated
   * (COOP/COEP headers); if it cannot, the single-threaded build is used,
   * {@link BackendInfo.threads} says 1 and {@link BackendInfo.threadsFallback} why.
   */
  threads?: number;
}

/** The environment variable that overrides the default backend request. */
export const BACKEND_ENVIRONMENT_VARIABLE = 'TFJS_UNSUPERVISED_BACKEND';

/**
 * The backends that can be started here: `tensorflow` only when a native package is installed;
 * `webgpu` when `webgpu` and `@tensorflow/tfjs-backend-webgpu` are installed (whether an adapter
 * exists is known only when it starts); `wasm` when `@tensorflow/tfjs-backend-wasm` is installed (an optional peer dependency); `cpu` always (it ships with `@tensorflow/tfjs`).
 */
export function availableBackends(): BackendName[] {
  if (!inNode()) return browserBackends();
  const names: BackendName[] = [];
  if (NATIVE_PACKAGES.some(isPackageInstalled)) names.push('tensorflow');
  if (isPackageInstalled('webgpu') && isPackageInstalled('@tensorflow/tfjs-backend-webgpu')) names.push('webgpu');
  if (isPackageInstalled('@tensorflow/tfjs-backend-wasm')) names.push('wasm');
  names.push('cpu');
  return names;
}

/** In a browser: webgpu when the page has navigator.gpu, webgl when TF.js registered it, then wasm and cpu. */
function browserBackends(): BackendName[] {
  const names: BackendName[] = [];
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined) names.push('webgpu');
  if (tf.findBackendFactory('webgl') !== null) names.push('webgl');
  names.push('wasm', 'cpu');
  return names;
}

let nativePackageLoaded: string | undefined;
const nativeLoadErrors: string[] = [];

/**
 * Loads the first native package that works and registers its `tensorflow` backend. Never loads
 * a second native package once one has loaded (both register the same kernels).
 */
async function loadNativeBackend(): Promise<string | undefined> {
  if (nativePackageLoaded !== undefined) return nativePackageLoaded;
  nativeLoadErrors.length = 0;
  for (const packageName of NATIVE_PACKAGES) {
    if (!isPackageInstalled(packageName)) {
      nativeLoadErrors.push(`${packageName}: not installed`);
      continue;
    }
    try {
      await import(packageName);
    } catch (error) {
      nativeLoadErrors.push(`${packageName}: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      nativeLoadErrors.push(
        `${packageName}: loaded, but it registered its backend in another copy of @tensorflow/tfjs ` +
          `(install the same version as this library's @tensorflow/tfjs ${tf.version.tfjs})`,
      );
      continue;
    }
    nativePackageLoaded = packageName;
    return packageName;
  }
  return undefined;
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
let wasmPackage: WasmPackage | undefined;

async function loadWasmBackend(): Promise<WasmPackage> {
  if (wasmPackage === undefined) {
    wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
    registerWasmGapFillKernels();
  }
  return wasmPackage;
}

/**
 * Starts wasm with `threads` threads (or one, see {@link startWasmBackend}): its thread count and
 * why it is one when more were asked for, or undefined when wasm did not start.
 */
async function activateWasm(threads: number): Promise<{ threads: number; threadsFallback?: string } | undefined> {
  const wasm = await loadWasmBackend();
  let threadsFallback: string | undefined;
  if (tf.getBackend() !== 'wasm') {
    const start = await startWasmBackend(wasm, threads);
    await tf.ready();
    if (!start.started || tf.getBackend() !== 'wasm') return undefined;
    threadsFallback = start.threadsFallback;
  }
  return threadsFallback === undefined ? { threads: wasm.getThreadsCount() } : { threads: wasm.getThreadsCount(), threadsFallback };
}

async function activate(name: 'tensorflow' | 'webgl' | 'cpu'): Promise<boolean> {
  if (tf.getBackend() === name) return true;
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

function describeActive(packageName: string, details: { threads?: number; threadsFallback?: string; adapter?: WebGpuAdapterDescription; fallback?: string[] } = {}): BackendInfo {
  const name = tf.getBackend() as BackendInfo['name'];
  const native = name === 'tensorflow';
  const usingGpu = name === 'webgpu' || name === 'webgl' || (native && (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true);
  const info: BackendInfo = { name, device: usingGpu ? 'gpu' : 'cpu', native, package: packageName };
  if (details.threads !== undefined) info.threads = details.threads;
  if (details.threadsFallback !== undefined) info.threadsFallback = details.threadsFallback;
  if (details.adapter !== undefined) info.adapter = details.adapter;
  if (details.fallback !== undefined && details.fallback.length > 0) info.fallback = details.fallback.join('; ');
  return info;
}

/** Why `auto` passed over webgpu, as a {@link BackendInfo.fallback} part (undefined when webgpu is not installed: nothing to explain). */
function webGpuFallbackReason(reason: string): string | undefined {
  return !inNode() || isPackageInstalled('webgpu') ? `webgpu: ${reason}` : undefined;
}

/**
 * Chooses and starts a TensorFlow.js backend, and returns what it started.
 *
 * Order for `auto`: `@tensorflow/tfjs-node-gpu` (CUDA), `@tensorflow/tfjs-node` (native CPU),
 * `@tensorflow/tfjs-backend-webgpu` on a hardware WebGPU adapter (in Node through the optional
 * `webgpu` package, Dawn on Vulkan / Metal / D3D12; in a browser its own WebGPU),
 * `@tensorflow/tfjs-backend-wasm` (XNNPACK + SIMD, with this library's gap-fill kernels so that
 * conv nets train), then the pure-JS `cpu` backend. `auto` never takes a software WebGPU adapter
 * (SwiftShader: slower than wasm); `webgpu` asked for by name does, and on Linux tries Debian
 * chromium's SwiftShader Vulkan driver when no other adapter is found (see webgpu.ts). When
 * `auto` passes over webgpu, {@link BackendInfo.fallback} says why. The request comes from
 * `options.backend`, else from the environment variable `TFJS_UNSUPERVISED_BACKEND`, else `auto`.
 *
 * In a browser (page or worker) `auto` tries webgpu (the page's navigator.gpu, hardware adapters
 * only), then webgl, then wasm (one thread per logical core, at most 8, when the page is
 * cross-origin isolated, else one thread and {@link BackendInfo.threadsFallback} says why), then cpu;
 * `webgpu`, `webgl`, `wasm` or `cpu` asked for by name start that one or throw saying why.
 *
 * @throws when the requested backend is unknown or cannot be started; the message lists the
 *   backends that are available here and why the native packages (or webgpu) did not load, and
 *   what to install.
 *
 * @example
 * const info = await initBackend();            // { name: 'wasm', device: 'cpu', native: false, ... }
 * await initBackend({ backend: 'cpu' });
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const fromEnvironment = environmentVariable(BACKEND_ENVIRONMENT_VARIABLE);
  const names = inNode() ? BACKEND_NAMES : BROWSER_BACKEND_NAMES;
  const requested = (options.backend ?? (fromEnvironment === '' ? undefined : fromEnvironment) ?? 'auto')
    .toString()
    .trim()
    .toLowerCase();
  const source = options.backend !== undefined ? 'initBackend({ backend })' : fromEnvironment ? BACKEND_ENVIRONMENT_VARIABLE : 'default';
  if (!(names as readonly string[]).includes(requested)) {
    throw new Error(
      `Unknown backend '${requested}' (from ${source}). Choose one of: ${names.join(', ')}${inNode() ? '' : ' (in a browser)'}; ` +
        `available on this machine: ${availableBackends().join(', ')}.`,
    );
  }

  if (requested === 'tensorflow' || (requested === 'auto' && inNode())) {
    const packageName = await loadNativeBackend();
    if (packageName !== undefined && (await activate('tensorflow'))) return describeActive(packageName);
    if (requested === 'tensorflow') {
      throw new Error(
        `Backend 'tensorflow' (from ${source}) is not available: ${nativeLoadErrors.join('; ')}. ` +
          `Install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node, or choose one of: ` +
          `${availableBackends().join(', ')}.`,
      );
    }
  }
  const fallback: string[] = [];
  if (requested === 'webgpu' || requested === 'auto') {
    const byName = requested === 'webgpu';
    let failure: string;
    try {
      const probe = await probeWebGpu(byName);
      if (probe.ok && (byName || !probe.adapter.software)) {
        await startWebGpuBackend();
        return describeActive('@tensorflow/tfjs-backend-webgpu', { adapter: probe.adapter });
      }
      failure = probe.ok
        ? `only a software adapter (${[probe.adapter.vendor, probe.adapter.architecture, probe.adapter.description].filter((s) => s !== '').join(' ')}), slower than wasm; ask for webgpu by name to use it`
        : probe.reason;
    } catch (error) {
      failure = (error as Error).message;
    }
    if (byName) {
      throw new Error(`Backend 'webgpu' (from ${source}) is not available: ${failure}. Or choose one of: ${availableBackends().filter((b) => b !== 'webgpu').join(', ')}.`);
    }
    const reason = webGpuFallbackReason(failure);
    if (reason !== undefined) fallback.push(reason);
  }
  if (requested === 'webgl' || (requested === 'auto' && !inNode())) {
    let webGlError = 'setBackend("webgl") failed (no WebGL context in this page)';
    try {
      if (await activate('webgl')) return describeActive('@tensorflow/tfjs-backend-webgl', { fallback });
    } catch (error) {
      webGlError = (error as Error).message;
    }
    if (requested === 'webgl') throw new Error(`Backend 'webgl' (from ${source}) could not start: ${webGlError}. Or choose one of: ${availableBackends().filter((b) => b !== 'webgl').join(', ')}.`);
    fallback.push(`webgl: ${webGlError}`);
  }
  if (requested === 'wasm' || requested === 'auto') {
    const threads =
      options.threads !== undefined ? checkWasmThreads(options.threads, 'initBackend({ threads })') : defaultWasmThreads();
    let wasmError = '';
    try {
      const started = await activateWasm(threads);
      if (started !== undefined) return describeActive('@tensorflow/tfjs-backend-wasm', { ...started, fallback });
      wasmError = inNode() ? 'setBackend("wasm") failed' : `setBackend("wasm") failed: ${await describeMissingWasmFiles()}`;
    } catch (error) {
      wasmError = (error as Error).message;
    }
    if (requested === 'wasm') {
      throw new Error(`Backend 'wasm' (from ${source}) could not start: ${wasmError}. Try 'cpu'.`);
    }
    fallback.push(`wasm: ${wasmError}`);
  }
  if (!(await activate('cpu'))) throw new Error("Backend 'cpu' could not start.");
  registerCpuGapFillKernels();
  return describeActive('@tensorflow/tfjs-backend-cpu', { fallback });
}

/**
 * One line for logs: `backend wasm (cpu, 2 threads) via @tensorflow/tfjs-backend-wasm`,
 * `backend webgpu (gpu, nvidia hopper, hardware adapter) via @tensorflow/tfjs-backend-webgpu`; when
 * `auto` passed over a backend, why: `… via @tensorflow/tfjs-backend-wasm (fallback: webgpu: …)`.
 */
export function formatBackendInfo(info: BackendInfo): string {
  const threads = info.threads !== undefined ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : '';
  let adapter = '';
  if (info.adapter !== undefined) {
    const { vendor, architecture, description, software } = info.adapter;
    const named = [vendor, architecture, description].filter((part) => part !== '').join(' ');
    adapter = `, ${named === '' ? 'unnamed adapter' : named}, ${software ? 'software' : 'hardware'} adapter`;
  }
  const fallback = info.fallback !== undefined ? ` (fallback: ${info.fallback})` : '';
  const threadsFallback = info.threadsFallback !== undefined ? ` (one thread: ${info.threadsFallback})` : '';
  return `backend ${info.name} (${info.device}${info.native ? ', native' : ''}${threads}${adapter}) via ${info.package}${fallback}${threadsFallback}`;
}
