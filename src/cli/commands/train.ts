/**
 * `tfjs-unsupervised train <method>`: train a method on a dataset into a run directory, with a
 * metrics line and an atomic checkpoint after every epoch; `--resume` continues from the last
 * complete checkpoint and ends with the same weights as an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { ImageDataset } from '../../data/dataset.js';
import { findLatestCheckpoint, loadCheckpoint, writeCheckpoint } from '../../train/checkpoint.js';
import type { CheckpointInfo } from '../../train/checkpoint.js';
import type { ProgressOptions } from '../../train/progress.js';
import type { EpochLogs, FitOptions, JsonObject } from '../../train/unsupervised_method.js';
import { formatHelp, parseCommandArgs } from '../args.js';
import type { CommandHelp, OptionSpec, OptionValue } from '../args.js';
import { DATASET_FORMS, describeDataset, loadDatasetSplit, parseDatasetSpec } from '../datasets.js';
import { CliUsageError, displayPath, plural, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { allMethodOptions, fitMethod, isTrainingComplete, METHOD_NAMES, METHODS, methodEntry, normalizeMethodOptions, resolveMethodOptions } from '../method_registry.js';
import type { MethodEntry, MethodName, TrainableMethod } from '../method_registry.js';
import { appendMetrics, lockRun, METRICS_FILE, prepareNewRun, readRunConfig, rewriteMetrics, writeRunConfig } from '../run_directory.js';
import type { RunConfig } from '../run_directory.js';
import { BACKEND_OPTION, startBackend } from './backend.js';

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
  /** Progress display. Default `'auto'`: a bar on a TTY, lines otherwise. */
  progress?: ProgressOptions['mode'];
  /** Where to write. Default: the process's streams. */
  io?: CliIo;
  /** Backend description for run.json. Default: the active tf.js backend's name. */
  backend?: string;
}

/** What {@link trainRun} did. */
export interface TrainRunResult {
  directory: string;
  config: RunConfig;
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

/** The flags of `train` shared by every method. */
export const TRAIN_OPTIONS: OptionSpec[] = [
  { name: 'dataset', kind: 'string', placeholder: 'SPEC', description: `training data: ${DATASET_FORMS}`, default: 'mnist' },
  { name: 'epochs', kind: 'integer', min: 1, description: "epochs in all (default: the method's; on --resume, the run's)" },
  { name: 'batch-size', kind: 'integer', min: 1, description: "mini-batch size (default: the method's)" },
  { name: 'limit', kind: 'integer', min: 1, description: 'use the first N training images (default: all)' },
  { name: 'seed', kind: 'integer', min: 0, description: 'seed of weights, shuffling and augmentations', default: 0 },
  { name: 'learning-rate', kind: 'number', min: 0, exclusiveMin: true, description: "Adam learning rate (default: the method's)" },
  { name: 'steps-per-epoch', kind: 'integer', min: 1, description: 'end each epoch after N steps (quick runs; default: the whole dataset)' },
  BACKEND_OPTION,
  { name: 'out', kind: 'string', placeholder: 'DIR', description: 'run directory', default: 'runs/<method>' },
  { name: 'resume', kind: 'boolean', description: 'continue the run in --out from its last complete checkpoint' },
  { name: 'overwrite', kind: 'boolean', description: "delete the run in --out (only the run's own files) and start over" },
  { name: 'progress', kind: 'string', choices: ['auto', 'bar', 'lines', 'none'], description: 'progress display (auto: a bar on a TTY, lines otherwise)', default: 'auto' },
];

/** `--help` of `train`, or of `train <method>` (only that method's options). */
export function trainHelp(method?: MethodEntry): CommandHelp {
  const entries = method ? [method] : Object.values(METHODS);
  return {
    usage: method ? `train ${method.name} [options]` : 'train <method> [options]',
    summary: method
      ? `Train ${method.name}: ${method.summary}. Defaults: --epochs ${method.defaults.epochs}, --batch-size ${method.defaults.batchSize}.`
      : `Train an unsupervised method into a run directory (metrics.jsonl, a checkpoint after every epoch).\nMethods: ${METHOD_NAMES.join(', ')}.`,
    options: TRAIN_OPTIONS,
    groups: entries.map((e) => ({ title: `${e.name} options`, options: e.options })),
    details: [
      'Every epoch appends a line to <out>/metrics.jsonl and writes <out>/checkpoints/epoch-N atomically',
      '(the previous checkpoint is removed only once the new one is complete). --resume continues from the',
      'newest complete checkpoint: with the same flags it ends with the same weights as an uninterrupted run.',
      method?.name === 'filter-distinguisher' ? 'filter-distinguisher trains its levels one after another; --epochs only sets --samples-per-level.' : '',
      '',
      'Examples:',
      '  tfjs-unsupervised train autoencoder --limit 20000 --epochs 4 --out runs/ae',
      '  tfjs-unsupervised train iic --backbone small --epochs 2 --out runs/iic',
      '  tfjs-unsupervised train autoencoder --out runs/ae --epochs 8 --resume',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  };
}

function describeBackend(): string {
  return tf.getBackend() ?? 'none';
}

/** On resume, flags that would change the run (and so break reproducibility) must match run.json. */
function checkResumeConsistency(config: RunConfig, options: TrainRunOptions, datasetText: string | undefined): void {
  const mismatches: string[] = [];
  const compare = (flag: string, given: unknown, saved: unknown) => {
    if (given !== undefined && given !== saved) mismatches.push(`${flag} ${String(given)} (the run used ${saved === null ? 'the default' : String(saved)})`);
  };
  compare('method', options.method, config.method);
  compare('--dataset', datasetText, config.dataset);
  compare('--limit', options.limit, config.limit);
  compare('--seed', options.seed, config.seed);
  compare('--batch-size', options.batchSize, config.batchSize);
  compare('--learning-rate', options.learningRate, config.learningRate);
  compare('--steps-per-epoch', options.stepsPerEpoch, config.stepsPerEpoch);
  for (const [name, value] of Object.entries(options.methodOptions ?? {})) compare(`--${name}`, value, config.methodOptions[name] ?? null);
  if (mismatches.length > 0) {
    throw new CliUsageError(`--resume continues the run as it was started; these flags differ from it: ${mismatches.join('; ')}. Leave them out, or start a new run.`, 'train');
  }
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

  let config: RunConfig;
  let entry: MethodEntry;
  let method: TrainableMethod | undefined;
  let train: ImageDataset;
  let resumedFrom: number | undefined;
  let checkpoint: CheckpointInfo | undefined;
  let release: (() => Promise<void>) | undefined;
  try {
    if (options.resume) {
      config = await readRunConfig(directory, 'train').catch((error: Error) => {
        throw new CliUsageError(`--resume: ${error.message}`, 'train');
      });
      entry = methodEntry(config.method);
      checkResumeConsistency(config, { ...options, methodOptions: normalizeMethodOptions(entry, options.methodOptions ?? {}) }, datasetSpec?.text);
      const { latest, skipped } = await findLatestCheckpoint(directory);
      for (const s of skipped) writeLine(io.stderr, `warning: skipping ${path.relative(directory, s.directory)}: ${s.reason}`);
      if (latest === undefined) {
        throw new CliUsageError(`--resume: ${directory} has no complete checkpoint to resume from (no epoch has finished yet); start over with --overwrite.`, 'train');
      }
      release = await lockRun(directory);
      // Leftovers of interrupted writes (their writer is gone: we hold the lock).
      for (const s of skipped) if (/\.(tmp|old)-[^/\\]*$/.test(s.directory)) await fs.rm(s.directory, { recursive: true, force: true });
      train = await loadDatasetSplit(parseDatasetSpec(config.dataset, 'train'), 'train', config.limit ?? undefined, 'train');
      if (train.size !== config.trainImages) {
        throw new CliUsageError(`--resume: the dataset ${config.dataset} now gives ${train.size} training images, the run used ${config.trainImages}.`, 'train');
      }
      ({ method } = await loadCheckpoint(latest, (dir) => entry.load(dir)));
      checkpoint = latest;
      resumedFrom = method.epochsTrained;
      if (options.epochs !== undefined && options.epochs !== config.epochs) {
        config = { ...config, epochs: options.epochs };
        await writeRunConfig(directory, config);
      }
      // The checkpoint's history is the truth: drop epochs logged after it (before a crash).
      await rewriteMetrics(directory, method.history);
      writeLine(io.stdout, `resuming ${displayPath(directory)} from ${path.relative(directory, latest.directory)} (${plural(resumedFrom, 'epoch')} done), target ${entry.epochBased ? plural(config.epochs, 'epoch') : 'all levels'}`);
    } else {
      entry = methodEntry(options.method!);
      const given = normalizeMethodOptions(entry, options.methodOptions ?? {});
      const spec = datasetSpec ?? parseDatasetSpec('mnist', 'train');
      await prepareNewRun(directory, options.overwrite === true);
      release = await lockRun(directory);
      train = await loadDatasetSplit(spec, 'train', options.limit, 'train');
      let methodOptions = resolveMethodOptions(entry, given);
      methodOptions = entry.resolve?.(methodOptions, { epochs: options.epochs, trainImages: train.size }) ?? methodOptions;
      const seed = options.seed ?? 0;
      try {
        method = entry.create({ seed, shape: train.shape, options: methodOptions });
      } catch (error) {
        throw new CliUsageError(`${entry.name}: ${(error as Error).message}`, 'train');
      }
      config = {
        format: 'tfjs-unsupervised-run',
        version: 1,
        method: entry.name,
        dataset: spec.text,
        limit: options.limit ?? null,
        seed,
        batchSize: options.batchSize ?? entry.defaults.batchSize,
        epochs: options.epochs ?? entry.defaults.epochs,
        learningRate: options.learningRate ?? null,
        stepsPerEpoch: options.stepsPerEpoch ?? null,
        methodOptions,
        trainImages: train.size,
        shape: [...train.shape],
        backend: options.backend ?? describeBackend(),
        created: new Date().toISOString(),
      };
      await writeRunConfig(directory, config);
      await rewriteMetrics(directory, []);
      writeLine(
        io.stdout,
        `training ${entry.name} on ${describeDataset(train)}: ${entry.epochBased ? plural(config.epochs, 'epoch') : `levels of ${String(methodOptions['samples-per-level'])} samples`}, batch ${config.batchSize}, seed ${seed} → ${displayPath(directory)}`,
      );
    }

    const extra: JsonObject = { run: config as unknown as JsonObject };
    let ran: EpochLogs[] = [];
    if (isTrainingComplete(entry, method, config.epochs)) {
      writeLine(io.stdout, `nothing to train: ${plural(method.epochsTrained, 'epoch')} done (target ${config.epochs}); raise --epochs to train more.`);
    } else {
      const fitOptions: FitOptions = {
        batchSize: config.batchSize,
        seed: config.seed,
        learningRate: config.learningRate ?? undefined,
        stepsPerEpoch: config.stepsPerEpoch ?? undefined,
        progress: { mode: options.progress ?? 'auto', stream: io.stderr, epochOffset: entry.epochBased ? method.epochsTrained : 0 },
        onEpochEnd: async (_epoch, logs) => {
          await appendMetrics(directory, logs);
          checkpoint = await writeCheckpoint(directory, method!, { extra });
        },
      };
      ran = await fitMethod(entry, method, train, fitOptions, config.epochs, config.methodOptions);
      // State that changes after the last epoch's callback (e.g. a finished level's record).
      if (ran.length > 0 || !entry.epochBased) checkpoint = await writeCheckpoint(directory, method, { extra });
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
  }
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
    dataset: values.dataset as string | undefined,
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
    progress: values.progress as ProgressOptions['mode'],
    backend: `${backend.name} (${backend.device})`,
    io,
  });
  return 0;
}
