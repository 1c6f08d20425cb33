/**
 * A run directory: `run.json` (what was trained, how), `metrics.jsonl` (one JSON object per
 * epoch), `checkpoints/` (see `writeCheckpoint`), and what `eval` / `plot` add (`eval.json`,
 * `plots/`). This module creates, guards, reads and reopens them.
 */
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

import { EVAL_FILE, METRICS_FILE, RUN_FILE, RUN_FORMAT_VERSION } from '../train/run_files.js';
import { CHECKPOINTS_DIRECTORY, findLatestCheckpoint } from '../train/checkpoint.js';
import type { CheckpointInfo, CheckpointSearch, SkippedCheckpoint } from '../train/checkpoint.js';
import { FileWriteError, readJson, writeJsonAtomic } from '../train/model_io.js';
import type { JsonObject } from '../train/unsupervised_method.js';
import type { OptionValue } from './args.js';
import { CliUsageError, displayPath, plural } from './io.js';
import { methodEntry } from './method_registry.js';
import type { MethodEntry, MethodName, TrainableMethod } from './method_registry.js';

/** The run's description (`run.json`, written once when it starts) and its metrics file: see train/run_files.ts. */
export { METRICS_FILE, RUN_FILE, RUN_FORMAT_VERSION };
export { appendMetrics, rewriteMetrics, runMetricsFirstEpoch } from './run_metrics.js';

/** A process training into the run holds this file. */
export const LOCK_FILE = '.lock';
/** Checkpoints a run keeps unless `--keep-checkpoints` says otherwise. */
export const DEFAULT_KEEP_CHECKPOINTS = 2;
/** What `--overwrite` removes (nothing else in the folder is touched). */
const RUN_ENTRIES = [RUN_FILE, METRICS_FILE, CHECKPOINTS_DIRECTORY, EVAL_FILE, 'report.json', 'plots'];

/** `run.json`: everything needed to resume or evaluate the run. */
export interface RunConfig {
  format: 'tfjs-unsupervised-run';
  /**
   * 2 for runs written now; 1 for runs written before `metrics.jsonl` numbered epochs from 1
   * (see `RUN_FORMAT_VERSION`): the version the run began with, kept when it is resumed.
   */
  version: 1 | 2;
  method: MethodName;
  /** Dataset spec, folders resolved (e.g. `mnist`, `cifar10:/data/cifar-10-batches-bin`). */
  dataset: string;
  /** Training images used (null: the whole split). */
  limit: number | null;
  seed: number;
  batchSize: number;
  /**
   * Target epochs (a resume may raise it); `null` for a method that is not epoch-based and was
   * given no `--epochs` (FilterDistinguisher: its budget is `methodOptions['samples-per-level']`).
   */
  epochs: number | null;
  /** Learning rate, resolved (null in runs written before it was: the method's default). */
  learningRate: number | null;
  /** Steps per epoch (null: the whole dataset). */
  stepsPerEpoch: number | null;
  /** The method's flags as used, defaults included. */
  methodOptions: Record<string, OptionValue>;
  /**
   * The method's resolved configuration (`method.config`: every option with its value after
   * defaults, e.g. IIC's views for the images' side), the one its checkpoints' `method.json`
   * holds. `--resume` builds the method from the checkpoint and checks it against this, never
   * resolving the flags again. Absent in runs written before it existed (they resume the same way).
   */
  methodConfig?: JsonObject;
  /** Training images and their shape. */
  trainImages: number;
  shape: [number, number, number];
  /** Complete checkpoints kept (absent in runs written before it existed: {@link DEFAULT_KEEP_CHECKPOINTS}). */
  keepCheckpoints?: number;
  /** Backend of the first session, e.g. `wasm (cpu)`. */
  backend: string;
  created: string;
}

/** Reads `<run>/run.json`; a missing one is a usage error naming the folder. */
export async function readRunConfig(runDirectory: string, command?: string): Promise<RunConfig> {
  const file = path.join(runDirectory, RUN_FILE);
  if (!existsSync(runDirectory)) throw new CliUsageError(`Run directory ${runDirectory} does not exist.`, command);
  if (!existsSync(file)) throw new CliUsageError(`${runDirectory} is not a run directory (no ${RUN_FILE}); train into it first.`, command);
  let config: RunConfig;
  try {
    config = await readJson<RunConfig>(file);
  } catch (error) {
    throw new CliUsageError((error as Error).message, command);
  }
  if (config.format !== 'tfjs-unsupervised-run') throw new CliUsageError(`${file} is not a tfjs-unsupervised run description.`, command);
  return config;
}

/** Writes `run.json` atomically. */
export async function writeRunConfig(runDirectory: string, config: RunConfig): Promise<void> {
  await writeJsonAtomic(path.join(runDirectory, RUN_FILE), config);
}

/**
 * Creates `runDirectory` (and missing parents) for a new run, so that its lock can be taken
 * before anything in it is looked at or touched.
 *
 * @returns the topmost folder this call created (remove it when the run fails before it starts),
 *   or `undefined` when the folder existed.
 * @throws {@link CliUsageError} when `runDirectory` is a file.
 */
export async function createRunDirectory(runDirectory: string): Promise<string | undefined> {
  if (existsSync(runDirectory) && !(await fs.stat(runDirectory)).isDirectory()) {
    throw new CliUsageError(`--out ${runDirectory} is a file, not a folder.`, 'train');
  }
  try {
    return await fs.mkdir(runDirectory, { recursive: true });
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new CliUsageError(`--out ${runDirectory}: a part of this path is a file, not a folder.`, 'train');
    throw new FileWriteError(runDirectory, error);
  }
}

/**
 * Checks that `runDirectory` (which exists, and whose lock the caller holds) may take a new run:
 * an existing run there is refused unless `overwrite`; so is a non-empty folder that holds no run.
 * Nothing is removed here (see {@link clearRun}).
 *
 * @throws {@link CliUsageError} saying how to continue (`--resume`) or start over (`--overwrite`).
 */
export async function checkNewRun(runDirectory: string, overwrite: boolean): Promise<void> {
  // The lock and leftovers of lock attempts are not the run's.
  const entries = (await fs.readdir(runDirectory)).filter((e) => e !== LOCK_FILE && !e.startsWith(`${LOCK_FILE}.`));
  if (entries.length === 0 || overwrite) return;
  if (entries.includes(RUN_FILE)) {
    const { latest } = await findLatestCheckpoint(runDirectory);
    const done = latest === undefined ? 'no complete checkpoint yet' : `a checkpoint after epoch ${latest.manifest.epoch}`;
    throw new CliUsageError(`${runDirectory} already holds a run (${done}). Pass --resume to continue it, or --overwrite to delete it and start over.`, 'train');
  }
  throw new CliUsageError(`${runDirectory} is not empty and holds no run; choose another --out (or pass --overwrite to write the run beside its files).`, 'train');
}

/** Removes the run's own files from `runDirectory` (`--overwrite`; the caller holds the lock). */
export async function clearRun(runDirectory: string): Promise<void> {
  for (const entry of RUN_ENTRIES) await fs.rm(path.join(runDirectory, entry), { recursive: true, force: true });
  await removeInterruptedWrites(runDirectory);
}

/**
 * Makes `runDirectory` ready for a new run: creates it, then {@link checkNewRun} and, with
 * `overwrite`, {@link clearRun}. The caller must hold the run's lock ({@link lockRun}) when the
 * folder may already hold a run, or another process's run could be deleted under it.
 *
 * @throws {@link CliUsageError} saying how to continue (`--resume`) or start over (`--overwrite`).
 */
export async function prepareNewRun(runDirectory: string, overwrite: boolean): Promise<void> {
  await createRunDirectory(runDirectory);
  await checkNewRun(runDirectory, overwrite);
  if (overwrite) await clearRun(runDirectory);
}

/** A temporary file of an interrupted atomic write of one of the run's files (`writeFileAtomic`: `<name>.tmp-<pid>-<random>`). */
const INTERRUPTED_WRITE = /^(run\.json|metrics\.jsonl|eval\.json|report\.json)\.tmp-\d+-[0-9a-z]+$/;

/** Removes the temporary files that interrupted atomic writes of the run's files left in its folder. */
async function removeInterruptedWrites(runDirectory: string): Promise<void> {
  for (const entry of await fs.readdir(runDirectory, { withFileTypes: true })) {
    if (entry.isFile() && INTERRUPTED_WRITE.test(entry.name)) await fs.rm(path.join(runDirectory, entry.name), { force: true });
  }
}

/**
 * Tidies a run once its lock is held (the writers of its files are gone): removes the temporary
 * files of interrupted writes in the run folder (`run.json.tmp-*`, `metrics.jsonl.tmp-*`, …) and
 * the directories of interrupted checkpoint writes (`epoch-N.tmp-*`, `epoch-N.old-*`) other than
 * `latest`, and gives `latest` its final name when it is a complete temporary one (a crash
 * between the renames).
 *
 * @returns `latest`, renamed when it was.
 */
export async function tidyCheckpoints(runDirectory: string, latest: CheckpointInfo): Promise<CheckpointInfo> {
  await removeInterruptedWrites(runDirectory);
  const root = path.join(runDirectory, CHECKPOINTS_DIRECTORY);
  for (const name of await fs.readdir(root)) {
    const directory = path.join(root, name);
    if (/^epoch-\d+\.(tmp|old)-/.test(name) && directory !== latest.directory) await fs.rm(directory, { recursive: true, force: true });
  }
  const final = path.join(root, path.basename(latest.directory).replace(/\.(tmp|old)-.*$/, ''));
  if (final === latest.directory || existsSync(final)) return latest;
  await fs.rename(latest.directory, final);
  return { ...latest, directory: final, modelDirectory: path.join(final, 'model') };
}

/** Whether a process runs (a zombie, killed but not yet reaped, does not). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** Lock files this process holds (released on SIGINT / SIGTERM by the executable). */
const heldLocks = new Set<string>();

/**
 * Removes every run lock this process holds, synchronously: for a signal handler that is about
 * to end the process (the checkpoints need no cleanup: they are written atomically).
 *
 * @returns the run directories whose locks were released.
 */
export function releaseHeldLocksSync(): string[] {
  const released: string[] = [];
  for (const file of heldLocks) {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
      released.push(path.dirname(file));
    } catch {
      // Gone already.
    }
  }
  heldLocks.clear();
  return released;
}

/** Whether the lock file names a live holder: another running process, or this one when it holds that lock. */
function holderAlive(pid: number, file: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // A lock with this process's id that it does not hold is from an earlier process with the same id (e.g. a restarted container).
  return pid === process.pid ? heldLocks.has(file) : processAlive(pid);
}

async function readHolder(file: string): Promise<number> {
  return Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
}

/**
 * Creates `file` holding this process's id, atomically (a hard link to a complete temporary file,
 * so that no reader ever sees it empty).
 *
 * @returns false when it exists already.
 */
async function createLockFile(file: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  await fs.writeFile(temporary, `${process.pid}\n`);
  try {
    await fs.link(temporary, file);
    return true;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // A file system without hard links: exclusive create (its content follows at once).
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/**
 * Takes the run's lock (`<run>/.lock` with this process's id) so that two processes never train
 * into one run; a lock left by a process that is gone is taken over (by one process only, under
 * `<run>/.lock.takeover`). Take it before anything in the run is read for writing or removed.
 *
 * @returns a function that releases the lock.
 * @throws {@link CliUsageError} when a live process holds it.
 */
export async function lockRun(runDirectory: string): Promise<() => Promise<void>> {
  const file = path.join(runDirectory, LOCK_FILE);
  const takeover = `${file}.takeover`;
  const refuse = (pid: number) => new CliUsageError(`Another process (pid ${pid}) is training into ${runDirectory}; wait for it or stop it first.`, 'train');
  for (let attempt = 0; attempt < 5; attempt++) {
    let taken = await createLockFile(file);
    if (!taken) {
      const stale = await readHolder(file);
      if (holderAlive(stale, file)) throw refuse(stale);
      // A stale lock: one process at a time replaces it, and only if it is still that stale lock.
      if (!(await createLockFile(takeover))) {
        const other = await readHolder(takeover);
        if (holderAlive(other, takeover)) throw refuse(other);
        await fs.rm(takeover, { force: true });
        continue;
      }
      // Held like the lock itself, so that another taker in this process sees it taken (not stale).
      heldLocks.add(takeover);
      try {
        if (!Object.is(await readHolder(file), stale) && existsSync(file)) continue;
        await fs.rm(file, { force: true });
        taken = await createLockFile(file);
      } finally {
        heldLocks.delete(takeover);
        await fs.rm(takeover, { force: true });
      }
    }
    if (!taken) continue;
    heldLocks.add(file);
    // Leftovers of lock attempts by processes that are gone.
    for (const name of await fs.readdir(runDirectory)) {
      const owner = /^\.lock\.(\d+)-/.exec(name);
      if (owner !== null && Number(owner[1]) !== process.pid && !processAlive(Number(owner[1]))) await fs.rm(path.join(runDirectory, name), { force: true });
    }
    return async () => {
      heldLocks.delete(file);
      await fs.rm(file, { force: true });
    };
  }
  const holder = await readHolder(file);
  if (holderAlive(holder, file)) throw refuse(holder);
  throw new Error(`Cannot take the lock ${file}: it kept changing hands; try again.`);
}

/** A run opened for inference. */
export interface OpenedRun {
  directory: string;
  config: RunConfig;
  entry: MethodEntry;
  checkpoint: CheckpointInfo;
  /** The method with the checkpoint's weights (the caller disposes it). */
  method: TrainableMethod;
  /** Checkpoints passed over (interrupted or damaged). */
  skipped: CheckpointSearch['skipped'];
}

/**
 * What to tell the user about checkpoints passed over: one line per damaged checkpoint (the file
 * at fault with its size against the manifest's, or why it does not verify) and which checkpoint
 * is used instead. Leftovers of interrupted writes are normal after a kill: one short line each.
 *
 * @param using the checkpoint used instead, if any.
 */
export function describeSkippedCheckpoints(runDirectory: string, skipped: SkippedCheckpoint[], using: CheckpointInfo | undefined): string[] {
  const lines: string[] = [];
  const name = (directory: string) => path.relative(runDirectory, directory);
  for (const s of skipped) {
    if (s.kind === 'damaged') {
      let problem = s.reason.replace(/^damaged: /, '');
      if (s.file !== undefined && problem.startsWith(s.file)) problem = `${name(s.directory)}/${s.file}${problem.slice(s.file.length)}`;
      lines.push(`warning: ${name(s.directory)} is damaged (${problem}); passed over.`);
    } else {
      lines.push(`warning: skipping ${name(s.directory)}: ${s.reason}`);
    }
  }
  if (using !== undefined && skipped.some((s) => s.kind === 'damaged')) {
    lines.push(`warning: using ${name(using.directory)} instead (the newest checkpoint that verifies: ${plural(using.manifest.epoch, 'epoch')} trained).`);
  }
  return lines;
}

/** Why a run has no usable checkpoint, for an error message. */
export function noCheckpointReason(runDirectory: string, skipped: SkippedCheckpoint[]): string {
  const damaged = skipped.filter((s) => s.kind === 'damaged');
  if (damaged.length === 0) return `${displayPath(runDirectory)} has no complete checkpoint yet (no epoch has finished)`;
  const list = damaged.map((s) => `${path.relative(runDirectory, s.directory)}: ${s.reason.replace(/^damaged: /, '')}`).join('; ');
  return `none of the checkpoints of ${displayPath(runDirectory)} verifies (${list})`;
}

/**
 * Opens a run for `eval`, `embed` or `plot`: its description and the model of the newest
 * checkpoint that verifies (weights only, no optimiser state). Damaged checkpoints are passed
 * over, and said so on `warnings` (which file, its size against the manifest's, which checkpoint
 * is used instead).
 *
 * @param warnings where to write those lines (e.g. the command's stderr). Default: nowhere.
 * @throws {@link CliUsageError} when the folder holds no run or no checkpoint that verifies.
 */
export async function openRun(runDirectory: string, command: string, warnings?: (line: string) => void): Promise<OpenedRun> {
  const config = await readRunConfig(runDirectory, command);
  const entry = methodEntry(config.method, command);
  const { latest, skipped } = await findLatestCheckpoint(runDirectory);
  if (latest === undefined) {
    const damaged = skipped.some((s) => s.kind === 'damaged');
    throw new CliUsageError(
      `${noCheckpointReason(runDirectory, skipped)}; ${damaged ? 'train the run again (train --overwrite)' : `train it first (train --out ${displayPath(runDirectory)} --resume continues an interrupted run)`}.`,
      command,
    );
  }
  for (const line of describeSkippedCheckpoints(runDirectory, skipped.filter((s) => s.kind === 'damaged'), latest)) warnings?.(line);
  if (skipped.some((s) => s.kind === 'damaged')) {
    warnings?.(`warning: ${command} uses the weights after epoch ${latest.manifest.epoch}; to train the lost epochs again: train --out ${displayPath(runDirectory)} --resume.`);
  }
  const method = await entry.load(latest.modelDirectory);
  return { directory: runDirectory, config, entry, checkpoint: latest, method, skipped };
}
