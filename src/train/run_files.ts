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
