/**
 * A run directory: `run.json` (what was trained, how), `metrics.jsonl` (one JSON object per
 * epoch), `checkpoints/` (see `writeCheckpoint`), and what `eval` / `plot` add (`eval.json`,
 * `plots/`). This module creates, guards, reads and reopens them.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { METRICS_FILE } from '../plot/training_curves.js';
import { findLatestCheckpoint } from '../train/checkpoint.js';
import type { CheckpointInfo, CheckpointSearch } from '../train/checkpoint.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../train/model_io.js';
import type { EpochLogs } from '../train/unsupervised_method.js';
import type { OptionValue } from './args.js';
import { CliUsageError } from './io.js';
import { methodEntry } from './method_registry.js';
import type { MethodEntry, MethodName, TrainableMethod } from './method_registry.js';

export { METRICS_FILE };

/** The run's description, written once when it starts. */
export const RUN_FILE = 'run.json';
/** A process training into the run holds this file. */
export const LOCK_FILE = '.lock';
/** What `--overwrite` removes (nothing else in the folder is touched). */
const RUN_ENTRIES = [RUN_FILE, METRICS_FILE, 'checkpoints', 'eval.json', 'report.json', 'plots'];

/** `run.json`: everything needed to resume or evaluate the run. */
export interface RunConfig {
  format: 'tfjs-unsupervised-run';
  version: 1;
  method: MethodName;
  /** Dataset spec, folders resolved (e.g. `mnist`, `cifar10:/data/cifar-10-batches-bin`). */
  dataset: string;
  /** Training images used (null: the whole split). */
  limit: number | null;
  seed: number;
  batchSize: number;
  /** Target epochs (a resume may raise it). */
  epochs: number;
  /** Learning rate (null: the method's default). */
  learningRate: number | null;
  /** Steps per epoch (null: the whole dataset). */
  stepsPerEpoch: number | null;
  /** The method's options as used, defaults included. */
  methodOptions: Record<string, OptionValue>;
  /** Training images and their shape. */
  trainImages: number;
  shape: [number, number, number];
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
 * Makes `runDirectory` ready for a new run. An existing run there is refused unless `overwrite`
 * (then only the run's own files are removed); so is a non-empty folder that holds no run.
 *
 * @throws {@link CliUsageError} saying how to continue (`--resume`) or start over (`--overwrite`).
 */
export async function prepareNewRun(runDirectory: string, overwrite: boolean): Promise<void> {
  if (existsSync(runDirectory)) {
    const stat = await fs.stat(runDirectory);
    if (!stat.isDirectory()) throw new CliUsageError(`--out ${runDirectory} is a file, not a folder.`, 'train');
    const entries = (await fs.readdir(runDirectory)).filter((e) => e !== LOCK_FILE);
    if (entries.length > 0 && !overwrite) {
      if (entries.includes(RUN_FILE)) {
        const { latest } = await findLatestCheckpoint(runDirectory);
        const done = latest === undefined ? 'no complete checkpoint yet' : `a checkpoint after epoch ${latest.manifest.epoch}`;
        throw new CliUsageError(
          `${runDirectory} already holds a run (${done}). Pass --resume to continue it, or --overwrite to delete it and start over.`,
          'train',
        );
      }
      throw new CliUsageError(`${runDirectory} is not empty and holds no run; choose another --out (or pass --overwrite to write the run beside its files).`, 'train');
    }
    if (overwrite) for (const entry of RUN_ENTRIES) await fs.rm(path.join(runDirectory, entry), { recursive: true, force: true });
  }
  await fs.mkdir(runDirectory, { recursive: true });
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

/**
 * Takes the run's lock (`<run>/.lock` with this process's id) so that two processes never train
 * into one run; a lock left by a process that is gone is taken over.
 *
 * @returns a function that releases the lock.
 * @throws {@link CliUsageError} when a live process holds it.
 */
export async function lockRun(runDirectory: string): Promise<() => Promise<void>> {
  const file = path.join(runDirectory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new CliUsageError(`Another process (pid ${pid}) is training into ${runDirectory}; wait for it or stop it first.`, 'train');
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new Error(`Cannot take the lock ${file}.`);
}

/** One metrics line: the epoch's logs (non-finite numbers are written as null). */
function metricsLine(logs: EpochLogs): string {
  return `${JSON.stringify(logs, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value))}\n`;
}

/** Appends one epoch's metrics to `<run>/metrics.jsonl`. */
export async function appendMetrics(runDirectory: string, logs: EpochLogs): Promise<void> {
  await fs.appendFile(path.join(runDirectory, METRICS_FILE), metricsLine(logs));
}

/**
 * Rewrites `<run>/metrics.jsonl` (atomically) to hold exactly these epochs: on resume, the
 * checkpoint's history, so epochs after the checkpoint (written before a crash) are not duplicated.
 */
export async function rewriteMetrics(runDirectory: string, history: EpochLogs[]): Promise<void> {
  await writeFileAtomic(path.join(runDirectory, METRICS_FILE), history.map(metricsLine).join(''));
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
 * Opens a run for `eval`, `embed` or `plot`: its description and the newest complete checkpoint's
 * model (weights only, no optimiser state).
 *
 * @throws {@link CliUsageError} when the folder holds no run or no complete checkpoint.
 */
export async function openRun(runDirectory: string, command: string): Promise<OpenedRun> {
  const config = await readRunConfig(runDirectory, command);
  const entry = methodEntry(config.method, command);
  const { latest, skipped } = await findLatestCheckpoint(runDirectory);
  if (latest === undefined) {
    const why = skipped.length > 0 ? ` (skipped: ${skipped.map((s) => `${path.basename(s.directory)}: ${s.reason}`).join('; ')})` : '';
    throw new CliUsageError(`${runDirectory} has no complete checkpoint yet${why}; train it first.`, command);
  }
  const method = await entry.load(latest.modelDirectory);
  return { directory: runDirectory, config, entry, checkpoint: latest, method, skipped };
}
