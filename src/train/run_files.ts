/**
 * The names inside a run directory (what `tfjs-unsupervised train` writes and `eval`, `embed` and
 * `plot` read), in one place.
 */

/** The run's configuration (method, dataset, resolved options). */
export const RUN_FILE = 'run.json';
/** One JSON line of metrics per epoch. */
export const METRICS_FILE = 'metrics.jsonl';
/** Folder of the checkpoints, one `epoch-NNNNNN/` each. */
export const CHECKPOINTS_DIRECTORY = 'checkpoints';
/** What `eval` writes. */
export const EVAL_FILE = 'eval.json';

/**
 * run.json's `version` for runs written now. Version 2: `metrics.jsonl` numbers epochs from 1, as
 * the terminal, the plots and the checkpoints' names (`epoch-000001` and its manifest's `epoch`:
 * epochs trained) do. Version 1 (runs written before): from 0, as `EpochLogs.epoch` and TF.js
 * callbacks count; such a run keeps that numbering when resumed, and plots the same.
 */
export const RUN_FORMAT_VERSION = 2;

/**
 * The number `metrics.jsonl` gives a run's first epoch: 1 for run.json version 2 on, 0 before.
 *
 * @throws when `runVersion` is not a positive integer.
 */
export function metricsFirstEpoch(runVersion: number): 0 | 1 {
  if (!Number.isInteger(runVersion) || runVersion < 1) throw new Error(`run.json: version must be a positive integer, got ${JSON.stringify(runVersion)}.`);
  return runVersion >= 2 ? 1 : 0;
}
