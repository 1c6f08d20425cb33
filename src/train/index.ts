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
  JsonValue,
  JsonObject,
  OptimizerWeight,
  OptimizerGroupState,
  TrainingState,
} from './unsupervised_method.js';
export { ProgressReporter } from './progress.js';
export type { ProgressOptions, ProgressState, ProgressStream } from './progress.js';
export { writeCheckpoint, findLatestCheckpoint, loadCheckpoint, readCheckpointState, CHECKPOINTS_DIRECTORY, CHECKPOINT_MANIFEST } from './checkpoint.js';
export type { CheckpointableMethod, CheckpointFile, CheckpointManifest, CheckpointInfo, CheckpointSearch, WriteCheckpointOptions } from './checkpoint.js';
export { saveLayersModel, loadLayersModel, writeFileAtomic, writeJsonAtomic, readJson, readSavedMethod } from './model_io.js';
export { trainableVariablesOf, argmaxRows } from './model_utils.js';
export { cosineLearningRate } from './learning_rate_schedule.js';
export type { LearningRateSchedule, CosineLearningRateOptions } from './learning_rate_schedule.js';
