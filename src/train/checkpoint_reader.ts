/**
 * Reading training checkpoints: finding the newest one of a run that verifies against its manifest
 * (skipping, and reporting, damaged ones and leftovers of interrupted writes), and loading a
 * method and its training state from it so that `fit` continues where the checkpoint was taken.
 * The writing side is `checkpoint.ts`; the on-disk format is in `checkpoint_files.ts`.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

import { CHECKPOINTS_DIRECTORY } from './run_files.js';
import { checkPathArgument, readJson } from './model_io.js';
import { unpackOptimizerStates } from './optimizer_file.js';
import type { JsonObject, TrainingState } from './unsupervised_method.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_MANIFEST, COMPLETE_CHECKPOINT, describeFile } from './checkpoint_files.js';
import type { CheckpointableMethod, CheckpointFile, CheckpointInfo, CheckpointManifest, SavedCheckpointState } from './checkpoint_files.js';

/** What {@link findLatestCheckpoint} found. */
export interface CheckpointSearch {
  /** The newest complete checkpoint that verifies, if any. */
  latest: CheckpointInfo | undefined;
  /** Directories passed over, newest first, with the reason (temporary, damaged...). */
  skipped: SkippedCheckpoint[];
}

/** A checkpoint directory that {@link findLatestCheckpoint} passed over. */
export interface SkippedCheckpoint {
  directory: string;
  /** Why, e.g. `damaged: model/encoder.weights.bin has 100 bytes, the manifest says 4000`. */
  reason: string;
  /**
   * `'damaged'`: a complete checkpoint that no longer matches its manifest; `'incomplete'`: a
   * temporary directory of an interrupted write; `'foreign'`: not a checkpoint directory.
   */
  kind: 'damaged' | 'incomplete' | 'foreign';
  /** The file at fault (its path inside the checkpoint), when one is. */
  file?: string;
}

/** A checkpoint as {@link findLatestCheckpoint} returns it. */
function checkCheckpointInfo(checkpoint: unknown, context: string): asserts checkpoint is CheckpointInfo {
  const candidate = checkpoint as Partial<CheckpointInfo> | null | undefined;
  if (typeof candidate?.directory !== 'string' || typeof candidate.modelDirectory !== 'string' || typeof candidate.manifest !== 'object' || candidate.manifest === null) {
    throw new Error(`${context}: checkpoint must be a checkpoint found by findLatestCheckpoint (its latest); got ${checkpoint === null ? 'null' : typeof checkpoint === 'object' ? 'an object without directory, modelDirectory and manifest' : `${typeof checkpoint} ${String(checkpoint)}`}.`);
  }
}

/**
 * Checks a checkpoint directory against its manifest (every file listed present, with its size
 * and SHA-256). Never throws for a damaged checkpoint.
 *
 * @returns `{ manifest }` when it verifies; otherwise the problem and, when one is at fault, the file.
 */
export async function verifyCheckpoint(directory: string): Promise<{ manifest?: CheckpointManifest; problem?: string; file?: string }> {
  let manifest: CheckpointManifest;
  try {
    manifest = await readJson<CheckpointManifest>(path.join(directory, CHECKPOINT_MANIFEST));
  } catch (error) {
    return { problem: `no valid ${CHECKPOINT_MANIFEST} (${(error as Error).message})`, file: CHECKPOINT_MANIFEST };
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== CHECKPOINT_FORMAT || !Array.isArray(manifest.files)) {
    return { problem: `${CHECKPOINT_MANIFEST} is not a ${CHECKPOINT_FORMAT} manifest`, file: CHECKPOINT_MANIFEST };
  }
  for (const file of manifest.files) {
    let actual: CheckpointFile;
    try {
      actual = await describeFile(directory, file.path);
    } catch {
      return { problem: `${file.path} is missing`, file: file.path };
    }
    if (actual.bytes !== file.bytes) return { problem: `${file.path} has ${actual.bytes} bytes, the manifest says ${file.bytes}`, file: file.path };
    if (actual.sha256 !== file.sha256) return { problem: `${file.path} does not match its SHA-256 in the manifest`, file: file.path };
  }
  return { manifest };
}

/**
 * The newest complete checkpoint of a run that verifies against its manifest (every file present
 * with its size and SHA-256). Damaged checkpoints and directories of interrupted writes are
 * skipped and reported. A temporary directory whose manifest verifies is complete (the manifest
 * is written last), so a crash between the renames of {@link writeCheckpoint} loses nothing:
 * for one epoch, the final name is preferred, then a complete temporary one, then one moved aside.
 */
export async function findLatestCheckpoint(runDirectory: string): Promise<CheckpointSearch> {
  checkPathArgument(runDirectory, 'findLatestCheckpoint', 'runDirectory');
  if (!existsSync(runDirectory)) throw new Error(`findLatestCheckpoint: the run directory ${runDirectory} does not exist.`);
  const root = path.join(runDirectory, CHECKPOINTS_DIRECTORY);
  const skipped: CheckpointSearch['skipped'] = [];
  let names: string[];
  try {
    names = (await fs.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return { latest: undefined, skipped };
  }
  const candidates = names
    .map((name) => {
      const match = /^epoch-(\d+)(?:\.(tmp|old)-.*)?$/.exec(name);
      return { name, epoch: match ? Number(match[1]) : -1, rank: match === null ? 3 : match[2] === undefined ? 0 : match[2] === 'tmp' ? 1 : 2 };
    })
    .sort((a, b) => b.epoch - a.epoch || a.rank - b.rank || a.name.localeCompare(b.name));
  for (const { name, epoch } of candidates) {
    const directory = path.join(root, name);
    if (epoch < 0) {
      skipped.push({ directory, reason: 'not a checkpoint directory', kind: 'foreign' });
      continue;
    }
    const { manifest, problem, file } = await verifyCheckpoint(directory);
    if (manifest === undefined) {
      const damaged = COMPLETE_CHECKPOINT.test(name);
      skipped.push({
        directory,
        reason: damaged ? `damaged: ${problem}` : `incomplete (an interrupted write): ${problem}`,
        kind: damaged ? 'damaged' : 'incomplete',
        ...(file === undefined ? {} : { file }),
      });
      continue;
    }
    return { latest: { directory, modelDirectory: path.join(directory, 'model'), manifest }, skipped };
  }
  return { latest: undefined, skipped };
}

/** The training state and caller's extra JSON of a checkpoint. */
export async function readCheckpointState(checkpoint: CheckpointInfo): Promise<{ state: TrainingState; extra: JsonObject }> {
  checkCheckpointInfo(checkpoint, 'readCheckpointState');
  const saved = await readJson<SavedCheckpointState>(path.join(checkpoint.directory, 'state.json'));
  if (saved.format !== CHECKPOINT_FORMAT) throw new Error(`${checkpoint.directory}/state.json is not a ${CHECKPOINT_FORMAT} state file.`);
  const file = path.join(checkpoint.directory, 'optimizer.bin');
  const bytes = new Uint8Array(await fs.readFile(file));
  const optimizers = unpackOptimizerStates(saved.optimizers, bytes, file);
  return {
    state: { epochsTrained: saved.epochsTrained, globalStep: saved.globalStep, history: saved.history, method: saved.method, optimizers },
    extra: saved.extra ?? {},
  };
}

/**
 * Loads a checkpoint: the method through its `load(modelDirectory)`, then its training state, so
 * that `fit` continues exactly where the checkpoint was taken. Works on any backend.
 *
 * @param load the method's static `load` (e.g. `(dir) => Autoencoder.load(dir)`).
 */
export async function loadCheckpoint<M extends CheckpointableMethod>(checkpoint: CheckpointInfo, load: (directory: string) => Promise<M>): Promise<{ method: M; extra: JsonObject }> {
  checkCheckpointInfo(checkpoint, 'loadCheckpoint');
  if (typeof load !== 'function') throw new Error(`loadCheckpoint: load must be the method's load function, e.g. (dir) => Autoencoder.load(dir); got ${load === null ? 'null' : typeof load}.`);
  const method = await load(checkpoint.modelDirectory);
  try {
    const { state, extra } = await readCheckpointState(checkpoint);
    await method.importTrainingState(state);
    return { method, extra };
  } catch (error) {
    method.dispose();
    throw error;
  }
}
