/**
 * Random restarts whose trial epochs run side by side in Node worker threads: the candidates of
 * {@link fitBestOfRestarts} train their trial epochs at the same time, each on its own share of
 * the CPU, and the kept one trains on in the calling thread. Node only (`tfjs-unsupervised/node`).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

import { defaultWasmThreads } from '../backend/wasm_threads.js';
import { checkNumber, describeArgument } from '../data/checks.js';
import { validateDataset } from '../data/dataset.js';
import type { ImageDataset } from '../data/dataset.js';
import { readOptions } from '../data/options.js';
import { RESTARTABLE_METHODS } from '../methods/restartable_methods.js';
import { loadCheckpoint } from './checkpoint.js';
import type { CheckpointInfo } from './checkpoint.js';
import type { MethodClass } from './method_core.js';
import type { CandidateTask, WorkerMessage } from './restart_worker.js';
import { resolveRestartOptions, restartSeed, trialLoss } from './restarts.js';
import type { RestartOptions, RestartResult } from './restarts.js';
import type { EpochLogs, JsonObject, UnsupervisedMethod } from './unsupervised_method.js';

/** Options of {@link fitBestOfRestartsInWorkers}: those of `fitBestOfRestarts` (no function-valued fit options: they cannot reach a worker) and the workers' threads. */
export interface ParallelRestartOptions<TMethod> extends Omit<RestartOptions<TMethod>, 'learningRateSchedule' | 'onBatchEnd' | 'callbacks'> {
  /**
   * wasm threads of each candidate's worker (on the cpu backend workers have one). Default:
   * {@link defaultWasmThreads} (`TFJS_UNSUPERVISED_THREADS`, else the CPUs, at most 8) divided
   * among the candidates, at least 1. As many workers run at once as those
   * threads allow (at least one); the others wait for a free one.
   */
  threadsPerWorker?: number;
}

/** A method class the workers can rebuild: constructed from JSON options, loaded from a folder (its static `load`). */
export type RestartableMethodClass<TMethod> = MethodClass<TMethod> & { load(source: string): Promise<TMethod> };

/**
 * How to start the worker: its module `restart_worker.js` beside this file in the built package;
 * from the TypeScript sources (tests, examples under tsx) a bootstrap that registers tsx's loader
 * in the worker first (tsx's command line loader stays in the main thread).
 */
function workerSource(): { source: string | URL; eval: boolean } {
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const module = pathToFileURL(path.join(path.dirname(here), `restart_worker${extension}`));
  if (extension !== '.ts') return { source: module, eval: false };
  // Resolved from the working directory: the sources run from the repository, whose devDependencies hold tsx.
  return { source: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`, eval: true };
}

type EpochMessage = Extract<WorkerMessage, { type: 'epoch' }>;

/** A promise with its resolve and reject at hand. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits (the run failed elsewhere first) is not an unhandled one.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Trains one candidate in a worker: `onEpoch` sees each epoch's message as it arrives; resolves
 * with the trial's logs and final checkpoint. `workers` holds the running ones, for a failure to stop them all.
 */
function runWorker(task: CandidateTask, onEpoch: (message: EpochMessage) => void, workers: Set<Worker>, fail: (error: Error) => void, context: string, index: number): Promise<{ logs: EpochLogs[]; checkpoint: CheckpointInfo }> {
  const { source, eval: evaluate } = workerSource();
  return new Promise((resolve, reject) => {
    let settled = false;
    const stop = (message: string) => {
      if (settled) return;
      settled = true;
      const error = new Error(`${context}: candidate ${index} (seed ${task.seed}): ${message}`);
      reject(error);
      fail(error);
    };
    let worker: Worker;
    try {
      worker = new Worker(source, { workerData: task, eval: evaluate });
    } catch (error) {
      stop(`its worker did not start: ${(error as Error).message}`);
      return;
    }
    workers.add(worker);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'epoch') {
        onEpoch(message);
      } else if (message.type === 'error') {
        stop(message.message);
      } else if (!settled) {
        settled = true;
        resolve({ logs: message.logs, checkpoint: message.checkpoint });
      }
    });
    worker.on('error', (error) => stop(error.message));
    worker.on('exit', (code) => {
      workers.delete(worker);
      stop(`its worker exited (code ${code}) before the trial ended`);
    });
  });
}

/**
 * {@link fitBestOfRestarts} with the candidates' trial epochs trained side by side in Node worker
 * threads: `candidates` methods `new methodClass({ ...options, seed })` (candidate 0 with `seed`,
 * the others {@link restartSeed}) train `trialEpochs` each, at the same time, each on its own
 * backend (the calling thread's, wasm or cpu, with {@link ParallelRestartOptions.threadsPerWorker}
 * threads); the one whose last trial epoch had the lowest training loss is loaded from its
 * checkpoint (weights and optimiser state) and trains on in the calling thread to `epochs` in
 * all. It trains as `fitBestOfRestarts` would, value for value (the wasm kernels give the same
 * floats on any number of threads), in less time where the CPUs outnumber one run's threads or
 * one run leaves them idle: IIC's example on 2 cores trained its two 1-thread candidates at about
 * 265 images/s each (trial epochs of 202–211 s on 55k images) against 352 for one 2-thread run. `onEpochEnd` is called in the calling thread, candidate by
 * candidate in order, with the candidate loaded from the checkpoint of that epoch (then disposed).
 *
 * @param methodClass one of the library's image methods (`IIC`, `DeepCluster`, `Autoencoder`, …).
 * @param options its constructor options, as JSON (a worker rebuilds it from them); `seed` is set per candidate.
 * @param data the training images (copied to each worker).
 * @throws when an option is not valid, the backend is not wasm or cpu (a GPU is not shared out
 *   this way: use `fitBestOfRestarts`), a worker fails (naming the candidate), or a trial loss is
 *   not finite.
 */
export async function fitBestOfRestartsInWorkers<TMethod extends UnsupervisedMethod<ImageDataset>>(
  methodClass: RestartableMethodClass<TMethod>,
  options: Record<string, unknown>,
  data: ImageDataset,
  restartOptions: ParallelRestartOptions<TMethod>,
): Promise<RestartResult<TMethod>> {
  const context = 'fitBestOfRestartsInWorkers';
  const methodName = (methodClass as { methodName?: unknown } | undefined)?.methodName;
  if (typeof methodName !== 'string' || RESTARTABLE_METHODS[methodName] !== (methodClass as unknown)) {
    throw new Error(`${context}: methodClass must be one of the library's image methods (${Object.keys(RESTARTABLE_METHODS).join(', ')}), got ${describeArgument(methodClass)}.`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${context}: options must be the method's options as an object, got ${describeArgument(options)}.`);
  for (const [name, value] of Object.entries(options)) {
    if (!isJson(value)) throw new Error(`${context}: options.${name} is not JSON (${describeArgument(value)}); a worker rebuilds the method from JSON options — use fitBestOfRestarts.`);
  }
  // The data is checked here, before any worker starts (a worker would only fail on it later).
  validateDataset(data, `${context} (data)`);
  restartOptions = readOptions(restartOptions, context, { candidates: 'number', trialEpochs: 'number', seed: 'number', onEpochEnd: 'function', threadsPerWorker: 'number' });
  for (const name of ['learningRateSchedule', 'onBatchEnd', 'callbacks'] as const) {
    if ((restartOptions as unknown as Record<string, unknown>)[name] !== undefined) throw new Error(`${context}: ${name} cannot be passed to a worker thread; use fitBestOfRestarts.`);
  }
  const { epochs, candidates, trialEpochs, seed } = resolveRestartOptions(restartOptions, context);
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`${context}: the candidates share out CPU cores, so the backend must be wasm or cpu, got ${backend}; use fitBestOfRestarts.`);
  const threads = restartOptions.threadsPerWorker ?? Math.max(1, Math.floor(defaultWasmThreads() / candidates));
  checkNumber(threads, 'threadsPerWorker', context, { integer: true, min: 1 });
  const concurrent = backend === 'cpu' ? Math.min(candidates, defaultWasmThreads()) : Math.max(1, Math.min(candidates, Math.floor(defaultWasmThreads() / threads)));
  const { onEpochEnd, batchSize, learningRate, stepsPerEpoch, progress } = restartOptions;
  // The fit options a worker receives (numbers only), and the continuation too.
  const fitNumbers = {
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(learningRate === undefined ? {} : { learningRate }),
    ...(stepsPerEpoch === undefined ? {} : { stepsPerEpoch }),
  };
  const seeds = Array.from({ length: candidates }, (_, i) => restartSeed(seed, i));
  const create = (index: number) => ({ ...options, seed: seeds[index] }) as JsonObject;
  // A bad option fails here, with the method's own message, before any worker starts.
  new methodClass(create(0) as never).dispose();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tfjs-unsupervised-restarts-'));
  const workers = new Set<Worker>();
  try {
    const trials = seeds.map(() => deferred<{ logs: EpochLogs[]; checkpoint: CheckpointInfo }>());
    // Resolved with undefined for an epoch the method never reported (its trial ended without it).
    const epochMessages = seeds.map(() => Array.from({ length: trialEpochs }, () => deferred<EpochMessage | undefined>()));
    // The first failure stops every worker and fails whatever still waits.
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      for (const worker of workers) void worker.terminate();
      for (const waiting of [...trials, ...epochMessages.flat()]) waiting.reject(failure);
    };
    const task = (index: number): CandidateTask => ({
      methodName,
      options: create(index),
      data,
      epochs: trialEpochs,
      seed: seeds[index],
      fitNumbers,
      backend,
      threads,
      runDirectory: path.join(root, `candidate-${index}`),
      everyEpoch: onEpochEnd !== undefined,
    });
    let next = 0;
    const runFromQueue = async (): Promise<void> => {
      while (next < candidates && failure === undefined) {
        const index = next++;
        try {
          trials[index].resolve(await runWorker(task(index), (message) => epochMessages[index][message.epoch]?.resolve(message), workers, fail, context, index));
          for (const unreported of epochMessages[index]) unreported.resolve(undefined);
        } catch {
          return;
        }
      }
    };
    const pool = Promise.all(Array.from({ length: concurrent }, runFromQueue));
    // The epochs reported candidate after candidate, as fitBestOfRestarts reports them.
    if (onEpochEnd !== undefined) {
      for (let i = 0; i < candidates; i++) {
        for (let e = 0; e < trialEpochs; e++) {
          const message = await epochMessages[i][e].promise;
          if (message === undefined) continue;
          const { method } = await loadCheckpoint<TMethod>(message.checkpoint!, (directory) => methodClass.load(directory));
          try {
            await onEpochEnd(message.epoch, message.logs, { index: i, method });
          } catch (error) {
            fail(error as Error);
            throw error;
          } finally {
            method.dispose();
          }
        }
      }
    }
    const finished = await Promise.all(trials.map((trial) => trial.promise));
    await pool;
    const trialLosses = finished.map((trial, i) => trialLoss(trial.logs, i, seeds[i], context));
    const chosen = trialLosses.reduce((best, loss, i) => (loss < trialLosses[best] ? i : best), 0);
    const { method } = await loadCheckpoint<TMethod>(finished[chosen].checkpoint, (directory) => methodClass.load(directory));
    try {
      if (epochs > trialEpochs) {
        await method.fit(data, {
          epochs: epochs - trialEpochs,
          seed: seeds[chosen],
          ...fitNumbers,
          ...(progress === undefined ? {} : { progress }),
          onEpochEnd: onEpochEnd === undefined ? undefined : (epoch, logs) => onEpochEnd(epoch, logs, { index: chosen, method }),
        });
      }
    } catch (error) {
      method.dispose();
      throw error;
    }
    return { method, chosen, seeds, trialLosses };
  } finally {
    for (const worker of workers) await worker.terminate();
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** Whether `value` is JSON: null, a finite number, a string, a boolean, or arrays and plain objects of those (undefined members allowed: JSON leaves them out). */
function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((member) => member === undefined || isJson(member));
}
