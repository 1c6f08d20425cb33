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
 * In a browser none of this is needed: TF.js runs the threaded build by itself when the page is
 * cross-origin isolated (COOP/COEP headers), else the single-threaded one. Node's modules are
 * reached only on the Node path (through `process.getBuiltinModule`), so this file bundles for a
 * browser.
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

/**
 * Starts the (already registered) wasm backend with `threads` XNNPACK threads. With `threads = 1`,
 * or when the threaded build does not start, it starts the single-threaded SIMD build exactly as
 * TensorFlow.js does by default (`getThreadsCount()` then says 1).
 *
 * @returns whether `tf.setBackend('wasm')` succeeded.
 */
export async function startWasmBackend(wasm: WasmPackage, threads: number): Promise<boolean> {
  if (!inNode()) {
    wasm.setThreadsCount(threads);
    return tf.setBackend('wasm');
  }
  if (threads > 1) {
    let started = false;
    try {
      started = await startThreadedWasmBackend(wasm, threads);
    } catch {
      started = false;
    }
    if (started) return true;
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  }
  return tf.setBackend('wasm');
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
