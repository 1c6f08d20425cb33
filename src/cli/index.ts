/**
 * The CLI's programmatic side: run it in-process ({@link main}), or call its commands as
 * functions (train into a run directory, evaluate, embed, plot), as `npm start` does.
 */
export { main, mainHelp } from './run_cli.js';
export { trainRun, TRAIN_OPTIONS } from './commands/train.js';
export type { TrainRunOptions, TrainRunResult } from './commands/train.js';
export { evaluateRun } from './commands/eval.js';
export type { EvaluateRunOptions, EvalReport } from './commands/eval.js';
export { embedRun } from './commands/embed.js';
export type { EmbedRunOptions, FeaturesHeader } from './commands/embed.js';
export { plotRun } from './commands/plot.js';
export type { PlotRunOptions } from './commands/plot.js';
export { METHODS, METHOD_NAMES, methodEntry, registerMethod } from './method_registry.js';
export type { MethodName, BuiltInMethodName, MethodEntry, MethodContext, TrainableMethod, MethodOptionValues } from './method_registry.js';
export { parseDatasetSpec, loadDatasetSplit } from './datasets.js';
export type { DatasetSpec, DatasetKind, DatasetSplit } from './datasets.js';
export { openRun, readRunConfig, RUN_FILE } from './run_directory.js';
export type { RunConfig, OpenedRun } from './run_directory.js';
export { CliUsageError } from './io.js';
export type { CliIo } from './io.js';
export type { OptionSpec, OptionKind, OptionValue } from './args.js';
