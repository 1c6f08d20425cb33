/**
 * The worker thread of {@link fitBestOfRestartsInWorkers} (`parallel_restarts.ts`): trains one
 * restart candidate for its trial epochs on its own backend (wasm with a share of the threads, or
 * cpu) and writes a checkpoint (weights, optimiser state, counters) that the main thread loads to
 * report the epoch or to train the kept candidate on. Messages it posts: {@link WorkerMessage}.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { initBackend } from '../backend/init_backend.js';
import type { ImageDataset } from '../data/dataset.js';
import { RESTARTABLE_METHODS } from '../methods/restartable_methods.js';
import { writeCheckpoint } from './checkpoint.js';
import type { CheckpointInfo } from './checkpoint.js';
import type { EpochLogs, JsonObject } from './unsupervised_method.js';

/** What the main thread gives a candidate's worker (its `workerData`). */
export interface CandidateTask {
  /** The method's `methodName`, one of {@link RESTARTABLE_METHODS}. */
  methodName: string;
  /** Its constructor options, the candidate's seed included. */
  options: JsonObject;
  data: ImageDataset;
  epochs: number;
  seed: number;
  /** The caller's numeric fit options (those given). */
  fitNumbers: { batchSize?: number; learningRate?: number; stepsPerEpoch?: number };
  backend: 'wasm' | 'cpu';
  threads: number;
  /** Run directory its checkpoints go to (`<runDirectory>/checkpoints/epoch-NNNNNN`). */
  runDirectory: string;
  /** Write a checkpoint after every epoch (the caller reports each epoch), not only after the last. */
  everyEpoch: boolean;
}

/** What a candidate's worker posts: an epoch done (with its checkpoint when asked for), the trial done, or a failure. */
export type WorkerMessage =
  | { type: 'epoch'; epoch: number; logs: EpochLogs; checkpoint?: CheckpointInfo }
  | { type: 'done'; logs: EpochLogs[]; checkpoint: CheckpointInfo }
  | { type: 'error'; message: string };

async function trainCandidate(task: CandidateTask): Promise<void> {
  await initBackend({ backend: task.backend, threads: task.threads });
  const methodClass = RESTARTABLE_METHODS[task.methodName];
  if (methodClass === undefined) throw new Error(`unknown method '${task.methodName}'`);
  const method = new methodClass(task.options as never);
  try {
    let checkpoint: CheckpointInfo | undefined;
    const logs = await method.fit(task.data, {
      epochs: task.epochs,
      seed: task.seed,
      ...task.fitNumbers,
      progress: 'none',
      onEpochEnd: async (epoch, epochLogs) => {
        if (task.everyEpoch) checkpoint = await writeCheckpoint(task.runDirectory, method, { keep: task.epochs, inferenceModel: 'none' });
        post({ type: 'epoch', epoch, logs: epochLogs, ...(task.everyEpoch ? { checkpoint } : {}) });
      },
    });
    checkpoint ??= await writeCheckpoint(task.runDirectory, method, { keep: 1, inferenceModel: 'none' });
    post({ type: 'done', logs, checkpoint });
  } finally {
    method.dispose();
  }
}

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

if (parentPort !== null) {
  trainCandidate(workerData as CandidateTask).catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
}
