/**
 * `tfjs-unsupervised train <method>`: train a method on a dataset into a run directory, with a
 * metrics line and an atomic checkpoint after every epoch; `--resume` continues from the last
 * complete checkpoint and ends with the same weights as an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { webGpuDeviceLoss } from '../../backend/webgpu.js';
import type { ImageDataset } from '../../data/dataset.js';
import { findLatestCheckpoint, loadCheckpoint, writeCheckpoint } from '../../train/checkpoint.js';
import type { CheckpointInfo } from '../../train/checkpoint.js';
import type { ProgressOptions } from '../../train/progress.js';
import type { EpochLogs, FitOptions, JsonObject } from '../../train/unsupervised_method.js';
import { formatHelp, parseCommandArgs } from '../args.js';
import type { OptionValue } from '../args.js';
import { describeDataset, loadDatasetSplit, parseDatasetSpec, withFolderFlags } from '../datasets.js';
import { CliUsageError, displayPath, plural, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { allMethodOptions, chooseRecipe, fitMethod, isTrainingComplete, METHOD_NAMES, methodEntry, normalizeMethodOptions, resolveMethodOptions } from '../method_registry.js';
import type { MethodEntry, MethodName, RecipeName, TrainableMethod } from '../method_registry.js';
import {
  appendMetrics,
  checkNewRun,
  clearRun,
  createRunDirectory,
  DEFAULT_KEEP_CHECKPOINTS,
  describeSkippedCheckpoints,
  lockRun,
  METRICS_FILE,
  noCheckpointReason,
  readRunConfig,
  rewriteMetrics,
  RUN_FORMAT_VERSION,
  runMetricsFirstEpoch,
  tidyCheckpoints,
  writeRunConfig,
} from '../run_directory.js';
import type { RunConfig } from '../run_directory.js';
import type { BackendInfo } from '../../backend/init_backend.js';
import { startBackend } from './backend.js';
import { describeSettings, TRAIN_OPTIONS, trainHelp, wrapText } from './train_help.js';
import { checkResumeConsistency, checkStoredConfig, resolvedConfig } from './train_checks.js';

export { TRAIN_OPTIONS, trainHelp, recipeFlags } from './train_help.js';

/** Options of {@link trainRun} (the `train` command's flags, typed). */
export interface TrainRunOptions {
  /** Method name (see `METHOD_NAMES`). Required for a new run; on resume, checked against the run's. */
  method?: string;
  /** Dataset spec: `mnist` | `idx:<dir>` | `cifar10:<dir>` | `stl10:<dir>`. Default `mnist`. */
  dataset?: string;
  /** Target epochs in all (a resume may raise it). Default: the method's. */
  epochs?: number;
  batchSize?: number;
  /** Training images (from the first). Default: the whole split. */
  limit?: number;
  seed?: number;
  learningRate?: number;
  /** Stop each epoch after this many steps (quick runs). */
  stepsPerEpoch?: number;
  /** Method-specific flags by name (e.g. `{ layers: '64,10' }`). */
  methodOptions?: Record<string, OptionValue>;
  /** Run directory. Default `runs/<method>`. */
  out?: string;
  /** Continue the run in `out` from its last complete checkpoint. */
  resume?: boolean;
  /** Delete the run in `out` (its own files only) and start over. */
  overwrite?: boolean;
  /** Complete checkpoints to keep (the newest ones). Default 2; on resume, the run's. */
  keepCheckpoints?: number;
  /** Progress display. Default `'auto'`: a bar on a TTY, lines otherwise. */
  progress?: ProgressOptions['mode'];
  /** Where to write. Default: the process's streams. */
  io?: CliIo;
  /** Backend description for run.json. Default: the active tf.js backend's name. */
  backend?: string;
  /**
   * Where the backend computes: picks the method's `'cpu'` or `'gpu'` recipe for a new run (see
   * `RecipeName`). Default `'cpu'`.
   */
  device?: 'cpu' | 'gpu';
  /** Train a new run with the method's `'paper'` recipe (the paper's exact setting) instead. */
  paper?: boolean;
}

/**
 * Which recipe a backend gets: `'gpu'` on a GPU backend with real hardware (tfjs-node-gpu, webgpu
 * or webgl on a hardware adapter), `'cpu'` otherwise — a software WebGPU adapter (SwiftShader)
 * runs on the CPU, slower than wasm, so it gets the CPU budget.
 */
export function recipeDevice(backend: Pick<BackendInfo, 'device' | 'adapter'>): 'cpu' | 'gpu' {
  return backend.device === 'gpu' && backend.adapter?.software !== true ? 'gpu' : 'cpu';
}

/** The recipe a run was started with, as stored in run.json (`recipe`). */
export interface RunRecipe {
  name: RecipeName;
  note: string;
}

/** run.json as `train` writes it: the run's configuration and the recipe its defaults came from. */
export type TrainRunConfig = RunConfig & {
  /** The recipe of the method's defaults (absent: the class's own defaults, or a run from before recipes). */
  recipe?: RunRecipe;
};

/** What {@link trainRun} did. */
export interface TrainRunResult {
  directory: string;
  config: TrainRunConfig;
  /** Logs of the epochs this call trained. */
  epochsRun: EpochLogs[];
  /** Epochs the method has trained in all. */
  epochsTrained: number;
  /** The last checkpoint written (or resumed from, when nothing was left to train). */
  checkpoint: CheckpointInfo;
  /** The epoch the run resumed after (undefined for a new run). */
  resumedFrom: number | undefined;
  /** The training images. */
  train: ImageDataset;
  seconds: number;
}

function describeBackend(): string {
  return tf.getBackend() ?? 'none';
}

/**
 * Trains a method into a run directory (the `train` command without argument parsing and
 * backend start). A new run refuses an existing run directory unless `overwrite`; `resume`
 * continues from the newest complete checkpoint. Every epoch appends to `metrics.jsonl` and
 * writes a checkpoint atomically.
 *
 * @throws {@link CliUsageError} for bad options, a missing dataset, or a run directory that would
 *   be overwritten or has nothing to resume; other errors from training itself.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const started = performance.now();
  const io = options.io ?? processIo();
  if (options.resume && options.overwrite) throw new CliUsageError('--resume and --overwrite exclude each other: continue the run, or start it over.', 'train');
  if (options.method === undefined && !options.resume) throw new CliUsageError(`train needs a method: one of ${METHOD_NAMES.join(', ')}.`, 'train');
  if (options.method !== undefined) methodEntry(options.method);
  if (options.out === undefined && options.method === undefined) throw new CliUsageError('--resume needs the run directory: --out DIR.', 'train');
  const directory = path.resolve(options.out ?? path.join('runs', options.method!));
  const datasetSpec = options.dataset === undefined ? undefined : parseDatasetSpec(options.dataset, 'train');

  if (options.keepCheckpoints !== undefined && (!Number.isSafeInteger(options.keepCheckpoints) || options.keepCheckpoints < 1)) {
    throw new CliUsageError(`--keep-checkpoints must be a positive integer; got ${String(options.keepCheckpoints)}.`, 'train');
  }

  let config: TrainRunConfig;
  let entry: MethodEntry;
  let method: TrainableMethod | undefined;
  let train: ImageDataset;
  let resumedFrom: number | undefined;
  let checkpoint: CheckpointInfo | undefined;
  let release: (() => Promise<void>) | undefined;
  /** Topmost folder a new run created: removed again if the run fails before run.json is written. */
  let createdFolder: string | undefined;
  let runBegun = false;
  /** A resume whose target is reached already. */
  let nothingToTrain = false;
  try {
    if (options.resume) {
      config = await readRunConfig(directory, 'train').catch((error: Error) => {
        throw new CliUsageError(`--resume: ${error.message}`, 'train');
      });
      entry = methodEntry(config.method);
      checkResumeConsistency(config, { ...options, methodOptions: normalizeMethodOptions(entry, options.methodOptions ?? {}) }, datasetSpec?.text);
      if (!entry.epochBased && options.epochs !== undefined && options.epochs !== config.epochs) {
        // Its --epochs only set the level budget, which the run fixed when it began.
        const budget = config.methodOptions['samples-per-level'];
        throw new CliUsageError(`--resume: ${entry.name} trains in levels, not epochs; its --epochs set the level budget${budget === undefined ? '' : ` (--samples-per-level ${String(budget)})`} when the run began. Leave --epochs out.`, 'train');
      }
      // The lock first: nothing of the run is read for resuming or removed while another process trains it.
      release = await lockRun(directory);
      runBegun = true;
      const search = await findLatestCheckpoint(directory);
      for (const line of describeSkippedCheckpoints(directory, search.skipped, search.latest)) writeLine(io.stderr, line);
      if (search.latest === undefined) {
        throw new CliUsageError(`--resume: ${noCheckpointReason(directory, search.skipped)}; nothing to resume from, start over with --overwrite.`, 'train');
      }
      // Leftovers of interrupted writes go (their writer is gone: we hold the lock).
      const latest = await tidyCheckpoints(directory, search.latest);
      train = await loadDatasetSplit(parseDatasetSpec(config.dataset, 'train'), 'train', config.limit ?? undefined, 'train');
      if (train.size !== config.trainImages) {
        throw new CliUsageError(`--resume: the dataset ${config.dataset} now gives ${train.size} training images, the run used ${config.trainImages}.`, 'train');
      }
      // The method as it was built: its checkpoint's configuration, never the flags resolved again.
      ({ method } = await loadCheckpoint(latest, (dir) => entry.load(dir)));
      checkStoredConfig(config, method, latest);
      checkpoint = latest;
      resumedFrom = method.epochsTrained;
      const target = options.epochs ?? config.epochs;
      const keepCheckpoints = options.keepCheckpoints ?? config.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
      // The checkpoint's history is the truth: drop epochs logged after it (before a crash).
      await rewriteMetrics(directory, method.history, runMetricsFirstEpoch(config));
      writeLine(io.stdout, `resuming ${displayPath(directory)} from ${path.relative(directory, latest.directory)} (${plural(resumedFrom, 'epoch')} done), target ${entry.epochBased && target !== null ? plural(target, 'epoch') : 'all levels'}`);
      nothingToTrain = isTrainingComplete(entry, method, target);
      if (nothingToTrain) {
        // run.json changes only when this session trains: "nothing to train" leaves the run as it was.
        const why = options.epochs !== undefined && options.epochs !== config.epochs ? `; run.json keeps its target of ${config.epochs === null ? 'all levels' : plural(config.epochs, 'epoch')}` : '';
        writeLine(io.stdout, `nothing to train: ${plural(method.epochsTrained, 'epoch')} done (target ${target ?? 'all levels'})${why}; raise --epochs to train more.`);
      } else if (target !== config.epochs || keepCheckpoints !== (config.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS) || config.methodConfig === undefined) {
        // A run from before run.json kept the resolved configuration gets its checkpoint's.
        config = { ...config, epochs: target, keepCheckpoints, methodConfig: config.methodConfig ?? resolvedConfig(method) };
        await writeRunConfig(directory, config);
      }
    } else {
      entry = methodEntry(options.method!);
      const given = normalizeMethodOptions(entry, options.methodOptions ?? {});
      const spec = datasetSpec ?? parseDatasetSpec('mnist', 'train');
      // The lock before anything in the folder is looked at or removed: a second process (with or
      // without --overwrite) is refused while one trains, and its run is left as it is.
      createdFolder = await createRunDirectory(directory);
      release = await lockRun(directory);
      await checkNewRun(directory, options.overwrite === true);
      // Everything that can fail on bad input before the old run (--overwrite) is deleted.
      train = await loadDatasetSplit(spec, 'train', options.limit, 'train');
      const chosen = chooseRecipe(entry, options.device ?? 'cpu', options.paper === true);
      if (options.paper === true && chosen === undefined) throw new CliUsageError(`--paper: ${entry.name} has no paper recipe; its defaults are its class's.`, 'train');
      const recipe = chosen?.recipe;
      let methodOptions = resolveMethodOptions(entry, given, recipe);
      methodOptions = entry.resolve?.(methodOptions, { epochs: options.epochs, trainImages: train.size }) ?? methodOptions;
      const seed = options.seed ?? 0;
      try {
        method = entry.create({ seed, shape: train.shape, options: methodOptions });
        // The networks are built before run.json is written: a backbone too deep for the images
        // (or any other option the build refuses) is a usage error that leaves no run behind.
        method.initialize(train);
      } catch (error) {
        throw new CliUsageError(`${entry.name}: ${(error as Error).message}`, 'train');
      }
      config = {
        format: 'tfjs-unsupervised-run',
        version: RUN_FORMAT_VERSION,
        method: entry.name,
        dataset: spec.text,
        limit: options.limit ?? null,
        seed,
        batchSize: options.batchSize ?? recipe?.batchSize ?? entry.defaults.batchSize,
        epochs: options.epochs ?? recipe?.epochs ?? entry.defaults.epochs ?? null,
        learningRate: options.learningRate ?? recipe?.learningRate ?? method.fitDefaults.learningRate,
        stepsPerEpoch: options.stepsPerEpoch ?? null,
        methodOptions,
        methodConfig: resolvedConfig(method),
        trainImages: train.size,
        shape: [...train.shape],
        keepCheckpoints: options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS,
        backend: options.backend ?? describeBackend(),
        created: new Date().toISOString(),
        ...(chosen === undefined ? {} : { recipe: { name: chosen.name, note: chosen.recipe.note } }),
      };
      if (options.overwrite === true) await clearRun(directory);
      await writeRunConfig(directory, config);
      runBegun = true;
      await rewriteMetrics(directory, [], runMetricsFirstEpoch(config));
      if (chosen !== undefined) {
        const why = chosen.name === 'paper' ? '--paper' : `${chosen.name.toUpperCase()} backend${chosen.name === 'cpu' ? '; --paper: the paper\'s' : ''}`;
        writeLine(io.stdout, `defaults: ${entry.name}'s ${chosen.name} recipe (${why}); your flags win`);
        for (const line of wrapText(chosen.recipe.note, 78)) writeLine(io.stdout, `  ${line}`);
      }
      for (const line of wrapText(describeSettings(config), 78)) writeLine(io.stdout, `  ${line}`);
      writeLine(
        io.stdout,
        `training ${entry.name} on ${describeDataset(train)}: ${entry.epochBased && config.epochs !== null ? plural(config.epochs, 'epoch') : `levels of ${String(methodOptions['samples-per-level'])} samples`}, batch ${config.batchSize}, seed ${seed} → ${displayPath(directory)}`,
      );
    }

    const extra: JsonObject = { run: config as unknown as JsonObject };
    const keep = config.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
    /** A failed write of the run's files: what failed, what is intact, what to do. */
    const writeFailure = (what: string, error: unknown): Error => {
      const cause = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
      const next =
        checkpoint === undefined
          ? `The run has no checkpoint yet; fix the cause (e.g. free disk space), then start over with --overwrite.`
          : `${path.relative(directory, checkpoint.directory)} (${plural(checkpoint.manifest.epoch, 'epoch')}) is intact; fix the cause (e.g. free disk space), then continue with train --out ${displayPath(directory)} --resume.`;
      return new Error(`${what} could not be written: ${cause}. ${next}`, { cause: error });
    };
    const saveCheckpoint = async (trained: TrainableMethod): Promise<CheckpointInfo> => {
      try {
        return await writeCheckpoint(directory, trained, { extra, keep });
      } catch (error) {
        throw writeFailure(`the checkpoint after epoch ${trained.epochsTrained}`, error);
      }
    };
    let ran: EpochLogs[] = [];
    if (!nothingToTrain && !isTrainingComplete(entry, method, config.epochs)) {
      const fitOptions: FitOptions = {
        batchSize: config.batchSize,
        seed: config.seed,
        learningRate: config.learningRate ?? undefined,
        stepsPerEpoch: config.stepsPerEpoch ?? undefined,
        progress: { mode: options.progress ?? 'auto', stream: io.stderr, epochOffset: entry.epochBased ? method.epochsTrained : 0 },
        onEpochEnd: async (_epoch, logs) => {
          await appendMetrics(directory, logs, runMetricsFirstEpoch(config)).catch((error: unknown) => {
            throw writeFailure(`the metrics line of epoch ${logs.epoch + 1}`, error);
          });
          checkpoint = await saveCheckpoint(method!);
        },
      };
      try {
        ran = await fitMethod(entry, method, train, fitOptions, config.epochs, config.methodOptions);
        // State that changes after the last epoch's callback (e.g. a finished level's record).
        if (ran.length > 0 || !entry.epochBased) checkpoint = await saveCheckpoint(method);
      } catch (error) {
        throw deviceLossFailure(error, directory, entry, method.epochsTrained, checkpoint);
      }
    }
    if (checkpoint === undefined) throw new Error(`${entry.name}: training ended without a checkpoint.`);
    const seconds = (performance.now() - started) / 1000;
    writeLine(
      io.stdout,
      `trained ${plural(ran.length, 'epoch')} in ${seconds.toFixed(1)} s (${method.epochsTrained} in all); checkpoint ${displayPath(checkpoint.directory)}, metrics ${displayPath(path.join(directory, METRICS_FILE))}`,
    );
    return { directory, config, epochsRun: ran, epochsTrained: method.epochsTrained, checkpoint, resumedFrom, train, seconds };
  } finally {
    method?.dispose();
    await release?.();
    // A new run that failed before it began (bad --dataset, bad method options) leaves nothing behind.
    if (!runBegun && createdFolder !== undefined) await fs.rm(createdFolder, { recursive: true, force: true });
  }
}

/**
 * A failure of training on a webgpu device that was lost (a driver reset, the GPU removed): one
 * error saying what is intact and the command that continues the run on another backend (the same
 * weights; from there that backend's own numerics). Any other failure is returned as it is.
 */
function deviceLossFailure(error: unknown, directory: string, entry: MethodEntry, epochsTrained: number, checkpoint: CheckpointInfo | undefined): unknown {
  const loss = webGpuDeviceLoss();
  if (loss === undefined || tf.getBackend() !== 'webgpu') return error;
  // The backend's message up to its generic advice, which the run-specific one below replaces.
  const advice = loss.indexOf('. Checkpoints already written');
  const what = advice < 0 ? loss.replace(/\.$/, '') : loss.slice(0, advice);
  const next =
    checkpoint === undefined
      ? `The run has no checkpoint yet: start it over on another backend, train ${entry.name} --out ${displayPath(directory)} --overwrite --backend wasm (and the same flags).`
      : `${path.relative(directory, checkpoint.directory)} (${plural(checkpoint.manifest.epoch, 'epoch')}) is intact: continue on another backend with train --out ${displayPath(directory)} --resume --backend wasm (the same weights; from there that backend's own numerics).`;
  return new Error(`${what} (during epoch ${epochsTrained + 1}). ${next}`, { cause: error });
}

/** Runs `train` with its arguments; returns the exit code. */
export async function trainCommand(argv: string[], io: CliIo): Promise<number> {
  const methodOptions = allMethodOptions();
  const { positionals, values } = parseCommandArgs('train', argv, [...TRAIN_OPTIONS, ...methodOptions]);
  const named = positionals[0] !== undefined ? methodEntry(positionals[0]) : undefined;
  if (values.help === true) {
    io.stdout.write(formatHelp(trainHelp(named)));
    return 0;
  }
  if (positionals.length > 1) throw new CliUsageError(`train takes one method; got '${positionals.join(' ')}'.`, 'train');
  const given: Record<string, OptionValue> = {};
  const methodNames = new Set(methodOptions.map((o) => o.name));
  for (const [name, value] of Object.entries(values)) if (methodNames.has(name)) given[name] = value;
  // Method flags are text until the method is known; check them before starting anything.
  if (named !== undefined) normalizeMethodOptions(named, given);
  const backend = await startBackend(values.backend as string | undefined, io, 'train');
  await trainRun({
    method: named?.name as MethodName | undefined,
    dataset: withFolderFlags(values.dataset as string | undefined, values['image-size'] as string | undefined, values.strict === true, 'train'),
    epochs: values.epochs as number | undefined,
    batchSize: values['batch-size'] as number | undefined,
    limit: values.limit as number | undefined,
    seed: values.seed as number | undefined,
    learningRate: values['learning-rate'] as number | undefined,
    stepsPerEpoch: values['steps-per-epoch'] as number | undefined,
    methodOptions: given,
    out: values.out as string | undefined,
    resume: values.resume === true,
    overwrite: values.overwrite === true,
    keepCheckpoints: values['keep-checkpoints'] as number | undefined,
    progress: values.progress as ProgressOptions['mode'],
    backend: `${backend.name} (${backend.device})`,
    device: recipeDevice(backend),
    paper: values.paper === true,
    io,
  });
  return 0;
}
