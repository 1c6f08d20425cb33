/**
 * What a training checkpoint is on disk, shared by the writer (`checkpoint.ts`) and the reader
 * (`checkpoint_reader.ts`): the names, the manifest and state file formats, and how a file is
 * described in a manifest (size and SHA-256).
 *
 * Layout of a run directory's checkpoints:
 *
 * ```
 * <run>/checkpoints/epoch-000003/
 *   model/               the method's save(directory): method.json and one model per name, and in
 *                        the newest checkpoint the portable inference model (inference.json)
 *   optimizer.bin        every optimiser tensor, little-endian, concatenated
 *   state.json           counters, history, method state, optimiser tensor specs, caller's extra JSON
 *   checkpoint.json      the manifest, written last: every file with its size and SHA-256
 * ```
 *
 * A complete checkpoint is named `epoch-NNNNNN`; `epoch-NNNNNN.tmp-…` is a write in progress (or
 * an interrupted one) and `epoch-NNNNNN.old-…` one moved aside to be replaced.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { PackedOptimizerGroup } from './optimizer_file.js';
import type { JsonObject, TrainingState, UnsupervisedMethod } from './unsupervised_method.js';

/** A method that can be checkpointed: any method of the shared loop (the base class saves it). */
export type CheckpointableMethod = UnsupervisedMethod<{ size: number }>;

/** Name of a checkpoint's manifest (written last). */
export const CHECKPOINT_MANIFEST = 'checkpoint.json';
/** The `format` field of a checkpoint's manifest and of its `state.json`. */
export const CHECKPOINT_FORMAT = 'tfjs-unsupervised-checkpoint';
/** Name of a complete checkpoint directory; group 1 is the epoch. */
export const COMPLETE_CHECKPOINT = /^epoch-(\d+)$/;

/** One file of a checkpoint, as its manifest lists it. */
export interface CheckpointFile {
  /** Path relative to the checkpoint directory, with `/` separators. */
  path: string;
  bytes: number;
  sha256: string;
}

/** The manifest of a checkpoint (`checkpoint.json`). */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** Epochs completed when it was written. */
  epoch: number;
  globalStep: number;
  /** The method's `name` (e.g. `'Autoencoder'`). */
  method: string;
  /** When it was written (ISO 8601). */
  created: string;
  /** Every other file of the checkpoint. */
  files: CheckpointFile[];
}

/** A checkpoint found on disk. */
export interface CheckpointInfo {
  /** Its directory. */
  directory: string;
  /** Where the method's own `save` wrote the model: `<directory>/model`. */
  modelDirectory: string;
  manifest: CheckpointManifest;
}

/** A checkpoint's `state.json`: the training state, its optimiser tensors specified (their bytes are in `optimizer.bin`). */
export interface SavedCheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  epochsTrained: number;
  globalStep: number;
  history: TrainingState['history'];
  method: JsonObject;
  optimizers: PackedOptimizerGroup[];
  extra: JsonObject;
}

/** Size and SHA-256 of the file at `relative` (a `/`-separated path) inside `directory`, as a manifest lists it. */
export async function describeFile(directory: string, relative: string): Promise<CheckpointFile> {
  const bytes = await fs.readFile(path.join(directory, ...relative.split('/')));
  return { path: relative, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}
