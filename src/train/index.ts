export { UnsupervisedMethod } from './unsupervised_method.js';
export type {
  TrainingBatch,
  BatchLossResult,
  ParameterGroup,
  EpochLogs,
  FitOptions,
  MethodOptions,
  BatchFunction,
  FeatureMatrix,
} from './unsupervised_method.js';
export { ProgressReporter } from './progress.js';
export type { ProgressOptions, ProgressState } from './progress.js';
export { saveLayersModel, loadLayersModel, writeFileAtomic, writeJsonAtomic, readJson, readSavedMethod } from './model_io.js';
export { trainableVariablesOf, argmaxRows } from './model_utils.js';
