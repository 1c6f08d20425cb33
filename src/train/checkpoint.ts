/**
 * Writing training checkpoints: a method's weights (its own `save`), its optimiser states and the
 * rest of its `TrainingState`, written so that killing the process at any moment never
 * leaves a corrupt checkpoint behind and never loses the last complete one.
 *
 * A checkpoint (layout in `checkpoint_files.ts`) is written into `epoch-000003.tmp-<pid>-<random>/`,
 * its manifest last, and only then renamed to `epoch-000003/`; only then are checkpoints beyond the
 * newest `keep` (default 2) removed. Readers (`checkpoint_reader.ts`) take the newest directory
 * whose manifest verifies, and skip temporary or damaged ones: with two kept, one damaged file
 * (a full disk, a bad sector) costs one epoch, not the run.
 *
 * The portable inference model (`model/inference.json` + `inference.weights.bin`, about the size
 * of the weights again) is kept in the newest checkpoint only (by default): once a new checkpoint
 * is in place, the older ones kept lose theirs (their manifest is rewritten first, then the two
 * files are removed), since only `save`'s own models are needed to resume.
 *
 * This module also re-exports the reading side and the shared types, so that importers of
 * checkpoints need only this one.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { CHECKPOINTS_DIRECTORY } from './run_files.js';
import { INFERENCE_MODEL } from './inference_model.js';
import { DirectoryModelStore } from './model_store.js';
import type { ModelStore } from './model_store.js';
import { readOptions } from '../data/options.js';
import { checkPathArgument, readJson, writeFileAtomic, writeJsonAtomic } from './model_io.js';
import { packOptimizerStates } from './optimizer_file.js';
import type { JsonObject } from './unsupervised_method.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_MANIFEST, COMPLETE_CHECKPOINT, describeFile } from './checkpoint_files.js';
import type { CheckpointableMethod, CheckpointInfo, CheckpointManifest, SavedCheckpointState } from './checkpoint_files.js';
import { verifyCheckpoint } from './checkpoint_reader.js';

export { CHECKPOINTS_DIRECTORY } from './run_files.js';
export { CHECKPOINT_MANIFEST } from './checkpoint_files.js';
export type { CheckpointableMethod, CheckpointFile, CheckpointInfo, CheckpointManifest } from './checkpoint_files.js';
export { findLatestCheckpoint, readCheckpointState, loadCheckpoint } from './checkpoint_reader.js';
export type { CheckpointSearch, SkippedCheckpoint } from './checkpoint_reader.js';

/** Files under `directory`, recursively, as `/`-separated relative paths, sorted. */
async function listFiles(directory: string, prefix = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(directory, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(directory, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

/** fsync a directory so that renames into it survive a crash (best effort: not every platform allows it). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await fs.open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; a rename there is as durable as the platform makes it.
  }
}

/** A method that {@link writeCheckpoint} can save: trained by the shared loop, with `save`. */
function checkCheckpointable(method: unknown, context: string): asserts method is CheckpointableMethod {
  const candidate = method as Partial<CheckpointableMethod> | null | undefined;
  if (typeof candidate?.exportTrainingState !== 'function' || typeof candidate.save !== 'function') {
    throw new Error(`${context}: method must be a method of this library (with exportTrainingState and save), e.g. an Autoencoder; got ${method === null ? 'null' : typeof method === 'object' ? 'an object without them' : `${typeof method} ${String(method)}`}.`);
  }
}

function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(6, '0')}`;
}

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions {
  /**
   * Complete checkpoints to keep, the new one included. Default 2: older ones (and any that no
   * longer verify) are removed once the new one is in place, so a damaged newest checkpoint
   * still leaves the one before it.
   */
  keep?: number;
  /** Caller's JSON stored with the state (e.g. the run's fit options). */
  extra?: JsonObject;
  /**
   * Which checkpoints hold the method's portable inference model (`model/inference.json`, what
   * plain `tf.loadLayersModel` serves; about the size of the weights again):
   * - `'newest'` (default): the checkpoint written; the older ones kept lose theirs once it is in
   *   place, so a run holds one (they still resume and load: the method's own models are all
   *   `load` reads);
   * - `'every'`: every checkpoint keeps its own;
   * - `'none'`: not written (checkpoints only to resume from; the method's `save` writes it).
   */
  inferenceModel?: CheckpointInferenceModels;
}

/** Which checkpoints hold the portable inference model: see {@link WriteCheckpointOptions.inferenceModel}. */
export type CheckpointInferenceModels = 'newest' | 'every' | 'none';

const INFERENCE_MODEL_CHOICES: readonly CheckpointInferenceModels[] = ['newest', 'every', 'none'];

/** The files of the inference model in a checkpoint, as its manifest lists them. */
const INFERENCE_FILES = [`model/${INFERENCE_MODEL}.json`, `model/${INFERENCE_MODEL}.weights.bin`];

/**
 * A folder store that writes everything but the inference model (what `inferenceModel: 'none'`
 * saves into): it says so ({@link ModelStore.skipsInferenceModel}), so that `save` does not build
 * one, and drops one written all the same (by a `save` that does not ask).
 */
class StoreWithoutInferenceModel implements ModelStore {
  private readonly inner: ModelStore;
  readonly location: string;
  readonly skipsInferenceModel = true;

  constructor(inner: ModelStore) {
    this.inner = inner;
    this.location = inner.location;
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return this.inner.writeJson(name, value);
  }

  readJson<T>(name: string): Promise<T | undefined> {
    return this.inner.readJson<T>(name);
  }

  async writeModel(name: string, model: tf.LayersModel): Promise<void> {
    if (name !== INFERENCE_MODEL) await this.inner.writeModel(name, model);
  }

  readModel(name: string): Promise<tf.LayersModel> {
    return this.inner.readModel(name);
  }

  modelNames(): Promise<string[]> {
    return this.inner.modelNames();
  }

  child(name: string): ModelStore {
    return new StoreWithoutInferenceModel(this.inner.child(name));
  }
}

/**
 * Writes a checkpoint of `method` into `<runDirectory>/checkpoints/epoch-NNNNNN/` atomically:
 * everything goes to a temporary directory first, with a manifest of every file's size and
 * SHA-256 written last; then the directory is renamed into place, and only then are older
 * checkpoints removed (all but the newest `keep` that verify). Killing the process at any moment
 * leaves the previous checkpoints intact.
 *
 * @returns the checkpoint written.
 * @throws whatever the method's `save` throws, or a `FileWriteError` naming the file that could
 *   not be written (e.g. `ENOSPC`); the temporary directory is removed, the previous checkpoints
 *   stay in place.
 */
export async function writeCheckpoint(runDirectory: string, method: CheckpointableMethod, options: WriteCheckpointOptions = {}): Promise<CheckpointInfo> {
  checkPathArgument(runDirectory, 'writeCheckpoint', 'runDirectory');
  checkCheckpointable(method, 'writeCheckpoint');
  options = readOptions(options, 'writeCheckpoint');
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`writeCheckpoint: keep must be a positive integer, got ${keep}.`);
  const inferenceModel = options.inferenceModel ?? 'newest';
  if (!INFERENCE_MODEL_CHOICES.includes(inferenceModel)) throw new Error(`writeCheckpoint: inferenceModel must be one of ${INFERENCE_MODEL_CHOICES.map((c) => `'${c}'`).join(', ')}, got ${typeof inferenceModel === 'string' ? `'${inferenceModel}'` : String(inferenceModel)}.`);
  const root = path.join(runDirectory, CHECKPOINTS_DIRECTORY);
  await fs.mkdir(root, { recursive: true });
  const name = checkpointName(method.epochsTrained);
  const temporary = path.join(root, `${name}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  await fs.mkdir(temporary);
  try {
    const state = await method.exportTrainingState();
    const modelDirectory = path.join(temporary, 'model');
    await method.save(inferenceModel === 'none' ? new StoreWithoutInferenceModel(new DirectoryModelStore(modelDirectory)) : modelDirectory);
    // Optimiser tensors: one binary file, specs in state.json.
    const { optimizers, binary } = packOptimizerStates(state.optimizers);
    await writeFileAtomic(path.join(temporary, 'optimizer.bin'), binary);
    const saved: SavedCheckpointState = {
      format: CHECKPOINT_FORMAT,
      version: 1,
      epochsTrained: state.epochsTrained,
      globalStep: state.globalStep,
      history: state.history,
      method: state.method,
      optimizers,
      extra: options.extra ?? {},
    };
    await writeJsonAtomic(path.join(temporary, 'state.json'), saved);
    const files = await Promise.all((await listFiles(temporary)).map((f) => describeFile(temporary, f)));
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      version: 1,
      epoch: state.epochsTrained,
      globalStep: state.globalStep,
      method: method.name,
      created: new Date().toISOString(),
      files,
    };
    await writeJsonAtomic(path.join(temporary, CHECKPOINT_MANIFEST), manifest);
    await syncDirectory(path.join(temporary, 'model'));
    await syncDirectory(temporary);
    const final = path.join(root, name);
    // A directory of this epoch can only be left over from an earlier attempt (e.g. resumed from
    // an older checkpoint): move it aside before taking its name, delete it afterwards.
    let stale: string | undefined;
    try {
      stale = `${final}.old-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
      await fs.rename(final, stale);
    } catch {
      stale = undefined;
    }
    await fs.rename(temporary, final);
    await syncDirectory(root);
    if (stale !== undefined) await fs.rm(stale, { recursive: true, force: true });
    const kept = await pruneCheckpoints(root, keep, final, state.epochsTrained);
    if (inferenceModel === 'newest') for (const older of kept) await removeInferenceModel(path.join(root, older));
    return { directory: final, modelDirectory: path.join(final, 'model'), manifest };
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Keeps `current` and the newest `keep − 1` complete checkpoints before it that verify; removes
 * the others: older ones, damaged ones, newer ones (left by a run that was resumed from an older
 * checkpoint), and leftovers of interrupted writes.
 *
 * @returns the names of the older checkpoints kept.
 */
async function pruneCheckpoints(root: string, keep: number, current: string, currentEpoch: number): Promise<string[]> {
  const entries = (await fs.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && /^epoch-\d+/.test(e.name));
  const older = entries
    .filter((e) => COMPLETE_CHECKPOINT.test(e.name) && Number(COMPLETE_CHECKPOINT.exec(e.name)![1]) < currentEpoch)
    .sort((a, b) => Number(COMPLETE_CHECKPOINT.exec(b.name)![1]) - Number(COMPLETE_CHECKPOINT.exec(a.name)![1]));
  const kept: string[] = [];
  for (const e of older) {
    if (kept.length >= keep - 1) break;
    if ((await verifyCheckpoint(path.join(root, e.name))).manifest !== undefined) kept.push(e.name);
  }
  for (const e of entries) {
    const target = path.join(root, e.name);
    if (target !== current && !kept.includes(e.name)) await fs.rm(target, { recursive: true, force: true });
  }
  return kept;
}

/**
 * Removes the inference model from a complete checkpoint that verifies: its manifest is rewritten
 * without the two files first (atomically), then they are deleted, so a kill in between leaves
 * two unlisted files in a checkpoint that still verifies. Checkpoints without one are left as they are.
 */
async function removeInferenceModel(directory: string): Promise<void> {
  const manifestFile = path.join(directory, CHECKPOINT_MANIFEST);
  const manifest = await readJson<CheckpointManifest>(manifestFile);
  const files = manifest.files.filter((file) => !INFERENCE_FILES.includes(file.path));
  if (files.length === manifest.files.length) return;
  await writeJsonAtomic(manifestFile, { ...manifest, files });
  await syncDirectory(directory);
  for (const file of INFERENCE_FILES) await fs.rm(path.join(directory, ...file.split('/')), { force: true });
}
