import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

import { registerWasmGapFillKernels } from './wasm_kernels/index.js';
import { checkWasmThreads, defaultWasmThreads, startWasmBackend } from './wasm_threads.js';

/** A backend that {@link initBackend} can be asked for. `auto` picks the fastest that loads. */
export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The backends, in the order `auto` tries them (`tensorflow` = a native package). */
export const BACKEND_NAMES: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Native packages, in the order `auto` and `tensorflow` try them. Only the first that loads is loaded. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** What {@link initBackend} started. */
export interface BackendInfo {
  /** The TensorFlow.js backend name now active: `tensorflow` (native), `wasm` or `cpu`. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Where the math runs: `gpu` only for tfjs-node-gpu with a CUDA device in use. */
  device: 'gpu' | 'cpu';
  /** True for libtensorflow (tfjs-node or tfjs-node-gpu). */
  native: boolean;
  /** The npm package that provides the backend. */
  package: string;
  /** XNNPACK threads of the wasm backend (1 = single-threaded); absent for the other backends. */
  threads?: number;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Which backend to start. Default: the environment variable `TFJS_UNSUPERVISED_BACKEND`,
   * else `'auto'` (tfjs-node-gpu, then tfjs-node, then wasm, then cpu).
   */
  backend?: BackendRequest | string;
  /**
   * Threads of the wasm backend, 1 to 8 (ignored by the other backends). Default: the environment
   * variable `TFJS_UNSUPERVISED_THREADS`, else the CPUs Node may use (at most 8). With more than
   * one, the threaded XNNPACK build runs in Node worker threads; if it cannot start, the
   * single-threaded build is used and {@link BackendInfo.threads} says 1.
   */
  threads?: number;
}

/** The environment variable that overrides the default backend request. */
export const BACKEND_ENVIRONMENT_VARIABLE = 'TFJS_UNSUPERVISED_BACKEND';

const require = createRequire(import.meta.url);

/** Whether an npm package can be resolved from this library (without loading it). */
function isInstalled(packageName: string): boolean {
  try {
    require.resolve(`${packageName}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The backends that can be started here: `tensorflow` only when a native package is installed;
 * `wasm` and `cpu` always (they ship with this library).
 */
export function availableBackends(): Array<'tensorflow' | 'wasm' | 'cpu'> {
  const names: Array<'tensorflow' | 'wasm' | 'cpu'> = [];
  if (NATIVE_PACKAGES.some(isInstalled)) names.push('tensorflow');
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
    if (!isInstalled(packageName)) {
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

/** Starts wasm with `threads` threads (or one, see {@link startWasmBackend}); its thread count, or undefined. */
async function activateWasm(threads: number): Promise<number | undefined> {
  const wasm = await loadWasmBackend();
  if (tf.getBackend() !== 'wasm') {
    const started = await startWasmBackend(wasm, threads);
    await tf.ready();
    if (!started || tf.getBackend() !== 'wasm') return undefined;
  }
  return wasm.getThreadsCount();
}

async function activate(name: 'tensorflow' | 'wasm' | 'cpu'): Promise<boolean> {
  if (tf.getBackend() === name) return true;
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

function describeActive(packageName: string, threads?: number): BackendInfo {
  const name = tf.getBackend() as BackendInfo['name'];
  const native = name === 'tensorflow';
  const usingGpu = native && (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  const info: BackendInfo = { name, device: usingGpu ? 'gpu' : 'cpu', native, package: packageName };
  if (threads !== undefined) info.threads = threads;
  return info;
}

/**
 * Chooses and starts a TensorFlow.js backend, and returns what it started.
 *
 * Order for `auto`: `@tensorflow/tfjs-node-gpu` (CUDA), `@tensorflow/tfjs-node` (native CPU),
 * `@tensorflow/tfjs-backend-wasm` (XNNPACK + SIMD, with this library's gap-fill kernels so that
 * conv nets train), then the pure-JS `cpu` backend. The request comes from `options.backend`,
 * else from the environment variable `TFJS_UNSUPERVISED_BACKEND`, else `auto`.
 *
 * @throws when the requested backend is unknown or cannot be started; the message lists the
 *   backends that are available here and why the native packages did not load.
 *
 * @example
 * const info = await initBackend();            // { name: 'wasm', device: 'cpu', native: false, ... }
 * await initBackend({ backend: 'cpu' });
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const fromEnvironment = process.env[BACKEND_ENVIRONMENT_VARIABLE];
  const requested = (options.backend ?? (fromEnvironment === '' ? undefined : fromEnvironment) ?? 'auto')
    .toString()
    .trim()
    .toLowerCase();
  const source = options.backend !== undefined ? 'initBackend({ backend })' : fromEnvironment ? BACKEND_ENVIRONMENT_VARIABLE : 'default';
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new Error(
      `Unknown backend '${requested}' (from ${source}). Choose one of: ${BACKEND_NAMES.join(', ')}; ` +
        `available on this machine: ${availableBackends().join(', ')}.`,
    );
  }

  if (requested === 'tensorflow' || requested === 'auto') {
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
  if (requested === 'wasm' || requested === 'auto') {
    const threads =
      options.threads !== undefined ? checkWasmThreads(options.threads, 'initBackend({ threads })') : defaultWasmThreads();
    let wasmError = '';
    try {
      const started = await activateWasm(threads);
      if (started !== undefined) return describeActive('@tensorflow/tfjs-backend-wasm', started);
      wasmError = 'setBackend("wasm") failed';
    } catch (error) {
      wasmError = (error as Error).message;
    }
    if (requested === 'wasm') {
      throw new Error(`Backend 'wasm' (from ${source}) could not start: ${wasmError}. Try 'cpu'.`);
    }
  }
  if (!(await activate('cpu'))) throw new Error("Backend 'cpu' could not start.");
  return describeActive('@tensorflow/tfjs-backend-cpu');
}

/** One line for logs: `backend wasm (cpu, 2 threads) via @tensorflow/tfjs-backend-wasm`. */
export function formatBackendInfo(info: BackendInfo): string {
  const threads = info.threads !== undefined ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : '';
  return `backend ${info.name} (${info.device}${info.native ? ', native' : ''}${threads}) via ${info.package}`;
}
