/**
 * Multi-threaded wasm in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded XNNPACK build (`tfjs-backend-wasm-threaded-simd`)
 * but never uses it in Node: its feature flag `WASM_HAS_MULTITHREAD_SUPPORT` answers `false` there
 * (tensorflow/tfjs#3830), its pthread worker script is handed to Emscripten as a `blob:` URL that
 * Node's `worker_threads` cannot start, and its thread pool is capped at half the logical cores
 * (one thread on a 2-core machine). Node itself runs the threaded build fine, so this module
 * supplies the three missing pieces, only for the duration of `tf.setBackend('wasm')`:
 * - the flag is set to `true`;
 * - the worker script is written to a temporary file and `URL.createObjectURL` answers that file's
 *   path for it (the worker, in turn, loads the main Emscripten script from its path on disk);
 * - `os.cpus()` reports twice the requested thread count, so that the pool gets `threads` threads.
 * Everything is restored when the backend has started (or failed to).
 *
 * In a browser TF.js picks the threaded build by itself when the page (or worker) is cross-origin
 * isolated (COOP/COEP headers: SharedArrayBuffer), else the single-threaded one; but its pool is
 * capped the same way, at half of `navigator.hardwareConcurrency` (one thread on a 2-core
 * machine). So in a page `navigator.hardwareConcurrency` reads twice the requested count while
 * `tf.setBackend('wasm')` runs, and when the page cannot run threads, why is reported
 * ({@link WasmStart.threadsFallback}). Node's modules are reached only on the Node path (through
 * `process.getBuiltinModule`), so this file bundles for a browser.
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuInfo } from 'node:os';

import { environmentVariable, inNode, nodeBuiltin } from '../core/environment.js';

/** The environment variable that sets the wasm thread count (see {@link defaultWasmThreads}). */
export const THREADS_ENVIRONMENT_VARIABLE = 'TFJS_UNSUPERVISED_THREADS';

/** The most threads the wasm backend can use: it pre-creates 8 pthread workers. */
export const MAX_WASM_THREADS = 8;

/**
 * The thread count used when none is asked for: `TFJS_UNSUPERVISED_THREADS` if set, else the
 * number of CPUs Node may use (`os.availableParallelism()`; in a browser
 * `navigator.hardwareConcurrency`), at most {@link MAX_WASM_THREADS}.
 *
 * @throws when `TFJS_UNSUPERVISED_THREADS` is set but is not an integer from 1 to 8.
 */
export function defaultWasmThreads(): number {
  const fromEnvironment = environmentVariable(THREADS_ENVIRONMENT_VARIABLE);
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    return checkWasmThreads(Number(fromEnvironment.trim()), THREADS_ENVIRONMENT_VARIABLE, fromEnvironment.trim());
  }
  let cpus: number;
  if (inNode()) {
    const os = nodeBuiltin('node:os', 'defaultWasmThreads');
    cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else {
    cpus = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(1, Math.min(MAX_WASM_THREADS, cpus));
}

/**
 * Returns `threads` if it is an integer from 1 to {@link MAX_WASM_THREADS}, else throws naming
 * `source` and the value as the user wrote it (`shown`, for text that did not parse).
 */
export function checkWasmThreads(threads: number, source: string, shown: string = String(threads)): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`${source}: the wasm thread count must be an integer from 1 to ${MAX_WASM_THREADS}, got ${shown}.`);
  }
  return threads;
}

/** Emscripten's pthread bookkeeping, as the threaded wasm module exposes it. */
interface PthreadRegistry {
  unusedWorkers: Array<{ unref?: () => void }>;
  runningWorkers: Array<{ unref?: () => void }>;
}

/**
 * XNNPACK's pool threads live as long as the backend, and Emscripten keeps their Node workers
 * referenced while they run: without this, a script would never exit when it is done.
 */
function unrefWorkers(): void {
  const backend = tf.backend() as unknown as { wasm?: { PThread?: PthreadRegistry } };
  const registry = backend.wasm?.PThread;
  if (registry === undefined) return;
  for (const worker of [...registry.unusedWorkers, ...registry.runningWorkers]) worker.unref?.();
}

interface WasmPackage {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** What {@link startWasmBackend} did. */
export interface WasmStart {
  /** Whether `tf.setBackend('wasm')` succeeded. */
  started: boolean;
  /** Why the single-threaded build runs although more threads were asked for; absent otherwise. */
  threadsFallback?: string;
}

/**
 * Starts the (already registered) wasm backend with `threads` XNNPACK threads. With `threads = 1`,
 * or when the threaded build cannot run here, it starts the single-threaded SIMD build exactly as
 * TensorFlow.js does by default (`getThreadsCount()` then says 1) and says why in
 * {@link WasmStart.threadsFallback}.
 */
export async function startWasmBackend(wasm: WasmPackage, threads: number): Promise<WasmStart> {
  if (!inNode()) return startWasmBackendInPage(wasm, threads);
  let threadsFallback: string | undefined;
  if (threads > 1) {
    try {
      if (await startThreadedWasmBackend(wasm, threads)) return { started: true };
      threadsFallback = 'the threaded wasm build did not start in Node worker threads';
    } catch (error) {
      threadsFallback = `the threaded wasm build did not start in Node worker threads: ${(error as Error).message}`;
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  }
  const started = await tf.setBackend('wasm');
  return threadsFallback === undefined ? { started } : { started, threadsFallback };
}

/**
 * Why this page or worker cannot run the threaded wasm build, or undefined when it can: it must be
 * cross-origin isolated (SharedArrayBuffer), and TF.js must see threads and SIMD support.
 */
async function pageThreadsUnavailable(): Promise<string | undefined> {
  const scope = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (scope.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof scope.SharedArrayBuffer !== 'function') return 'this browser has no SharedArrayBuffer although the page is cross-origin isolated';
  if (!(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))) return 'this browser cannot run WebAssembly threads (TF.js\'s WASM_HAS_MULTITHREAD_SUPPORT is false)';
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return 'this browser has no WebAssembly SIMD, which the threaded build needs';
  return undefined;
}

/** The page's (or worker's) `navigator`, whose `hardwareConcurrency` Emscripten reads. */
interface ConcurrencyNavigator {
  hardwareConcurrency?: number;
}

/**
 * In a page or worker: the threaded build with `threads` threads when the page is cross-origin
 * isolated, else the single-threaded build and why. Emscripten caps the pool at half of
 * `navigator.hardwareConcurrency`, so while the backend starts (the pool is created then) that
 * reads at least `2 * threads` on this navigator; the browser's own value is back afterwards.
 */
async function startWasmBackendInPage(wasm: WasmPackage, threads: number): Promise<WasmStart> {
  const threadsFallback = threads > 1 ? await pageThreadsUnavailable() : undefined;
  if (threads === 1 || threadsFallback !== undefined) {
    wasm.setThreadsCount(1);
    const started = await tf.setBackend('wasm');
    return threadsFallback === undefined ? { started } : { started, threadsFallback };
  }
  wasm.setThreadsCount(threads);
  const navigator = (globalThis as { navigator?: ConcurrencyNavigator }).navigator;
  const own = navigator !== undefined && Object.prototype.hasOwnProperty.call(navigator, 'hardwareConcurrency');
  const cores = navigator?.hardwareConcurrency ?? 1;
  let raised = false;
  if (navigator !== undefined && !own && cores < 2 * threads) {
    try {
      Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
      raised = true;
    } catch {
      // A navigator that cannot take the property: the pool gets TF.js's own count (getThreadsCount says which).
    }
  }
  try {
    return { started: await tf.setBackend('wasm') };
  } finally {
    if (raised) delete navigator!.hardwareConcurrency;
  }
}

/** The threaded build in Node worker threads: see the module comment for the three pieces. */
async function startThreadedWasmBackend(wasm: WasmPackage, threads: number): Promise<boolean> {
  const purpose = 'the threaded wasm backend in Node';
  const { mkdtempSync, rmSync, writeFileSync } = nodeBuiltin('node:fs', purpose);
  const { dirname, join } = nodeBuiltin('node:path', purpose);
  const os = nodeBuiltin('node:os', purpose);
  const require = nodeBuiltin('node:module', purpose).createRequire(import.meta.url);
  const packageDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = join(packageDirectory, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(packageDirectory, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const directory = mkdtempSync(join(os.tmpdir(), 'tfjs-unsupervised-wasm-'));
  const workerScript = join(directory, 'pthread_worker.cjs');
  // The worker script's string literals hold `\n` escapes that the template literal it is
  // exported from has turned into newlines: put the escapes back (as TensorFlow.js does for its
  // Blob). In the worker, the main script arrives as a Blob: answer its path on disk instead.
  writeFileSync(
    workerScript,
    `URL.createObjectURL = function () { return ${JSON.stringify(mainScript)}; };\n` +
      'URL.revokeObjectURL = function () {};\n' +
      wasmWorkerContents.replace(/\n/g, '\\n'),
  );

  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  URL.createObjectURL = (blob: Blob): string => (blob.type === 'application/javascript' ? workerScript : createObjectURL(blob));
  // The thread pool is capped at emscripten_num_logical_cores() / 2, read from os.cpus() in Node.
  os.cpus = (): CpuInfo[] => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]);
  };
  try {
    const started = await tf.setBackend('wasm');
    if (started) unrefWorkers();
    return started;
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    // The workers have read their script once the backend is up (or has failed).
    rmSync(directory, { recursive: true, force: true });
  }
}
