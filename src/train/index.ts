export { UnsupervisedMethod } from './unsupervised_method.js';
export { MethodCore } from './method_core.js';
export type { MethodClass } from './method_core.js';
export { ImageMethod } from './image_method.js';
export { DirectoryModelStore } from './model_store.js';
export type { ModelStore } from './model_store.js';
export { METHOD_FILE, METHOD_FORMAT, METHOD_FORMAT_VERSION } from './saved_method.js';
export type { SavedMethodFile, SavedModels } from './saved_method.js';
export type {
  TrainingBatch,
  BatchLossResult,
  BatchMetric,
  EpochMetricLists,
  PlannedBatch,
  ParameterGroup,
  EpochLogs,
  FitOptions,
  FitCallbacks,
  BatchEndLogs,
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
export { fitBestOfRestarts, restartSeed } from './restarts.js';
export type { RestartableMethod, RestartOptions, RestartResult } from './restarts.js';
export type { LearningRateSchedule, CosineLearningRateOptions } from './learning_rate_schedule.js';
