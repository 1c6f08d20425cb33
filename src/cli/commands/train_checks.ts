/**
 * What `train --resume` checks before it continues a run: the flags given match run.json, and the
 * method loaded from the checkpoint has the configuration run.json stored when the run began.
 */
import * as path from 'node:path';

import type { CheckpointInfo } from '../../train/checkpoint.js';
import { savedMethodConfig } from '../../train/method_core.js';
import type { JsonObject, MethodClass } from '../../train/unsupervised_method.js';
import { CliUsageError } from '../io.js';
import type { TrainableMethod } from '../method_registry.js';
import type { RunConfig } from '../run_directory.js';
import type { TrainRunConfig, TrainRunOptions } from './train.js';

/** On resume, flags that would change the run (and so break reproducibility) must match run.json. */
export function checkResumeConsistency(config: RunConfig, options: TrainRunOptions, datasetText: string | undefined): void {
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
  if (options.paper === true && (config as TrainRunConfig).recipe?.name !== 'paper') mismatches.push(`--paper (the run used ${(config as TrainRunConfig).recipe?.name ?? 'the class'}'s defaults)`);
  for (const [name, value] of Object.entries(options.methodOptions ?? {})) compare(`--${name}`, value, config.methodOptions[name] ?? null);
  if (mismatches.length > 0) {
    throw new CliUsageError(`--resume continues the run as it was started; these flags differ from it: ${mismatches.join('; ')}. Leave them out, or start a new run.`, 'train');
  }
}

/** A method's resolved configuration as JSON (what its `method.json` saves). */
export function resolvedConfig(method: TrainableMethod): JsonObject {
  return JSON.parse(JSON.stringify(method.config)) as JsonObject;
}

/**
 * On resume, the method loaded from the checkpoint must have the configuration run.json stored
 * when the run began (a run from before run.json kept it has nothing to compare).
 *
 * @throws {@link CliUsageError} naming the options that differ.
 */
export function checkStoredConfig(config: RunConfig, method: TrainableMethod, checkpoint: CheckpointInfo): void {
  if (config.methodConfig === undefined) return;
  const loaded = resolvedConfig(method);
  // Options added since the run began count with the values its checkpoints load with.
  const stored = savedMethodConfig(method.constructor as MethodClass<TrainableMethod>, config.methodConfig);
  const differing = [...new Set([...Object.keys(stored), ...Object.keys(loaded)])].filter((key) => JSON.stringify(stored[key]) !== JSON.stringify(loaded[key]));
  if (differing.length > 0) {
    throw new CliUsageError(
      `--resume: run.json's methodConfig and ${path.basename(checkpoint.directory)}'s configuration differ in ${differing.join(', ')}; the run directory was changed after it began. Restore run.json, or start over with --overwrite.`,
      'train',
    );
  }
}
