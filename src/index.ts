/**
 * tfjs-unsupervised: unsupervised representation learning for TensorFlow.js.
 *
 * The public API, re-exported by name from each layer (see docs/ARCHITECTURE.md: core → backend → data → nn → losses →
 * cluster → metrics → probes → train → methods).
 *
 * This is the core entry (`tfjs-unsupervised`): methods, losses, networks, metrics, clustering,
 * probes, data held in memory and augmentations. Reading files, checkpoints, wasm threads and
 * plots written to files are in `tfjs-unsupervised/node` (src/node.ts, which also re-exports
 * everything here); the command line's functions in `tfjs-unsupervised/cli` (src/cli/index.ts).
 */
export type { Matrix } from './core/index.js';
// Each name comes from the file that defines it, never through a folder's index.ts: those also
// re-export Node-only modules (file readers, checkpoints), and this entry must bundle for a browser
// (test/browser/core_bundle.test.ts).
export { initBackend, availableBackends, formatBackendInfo, BACKEND_NAMES, NATIVE_PACKAGES, BACKEND_ENVIRONMENT_VARIABLE } from './backend/init_backend.js';
export { registerWasmGapFillKernels, builtInWasmKernel, WASM_GAP_FILL_KERNELS } from './backend/wasm_kernels/index.js';
export type { BackendInfo, BackendName, BackendRequest, InitBackendOptions } from './backend/init_backend.js';
export type { WebGpuAdapterDescription } from './backend/webgpu.js';
export { validateDataset, subset, split, gatherRows, flattenedDimension, toTensor, datasetFromTensor } from './data/dataset.js';
export { createRandom } from './core/random.js';
export { decodeImageFiles } from './data/image_decode_browser.js';
export { batchIndices, gatherImages, iterateBatches } from './data/batching.js';
export { uniformClusterSampler } from './data/cluster_sampler.js';
export { bivariateGaussian, gaussianMutualInformation, validatePairedSamples } from './data/paired_samples.js';
export { addNoise, validateNoise } from './data/augment/noise.js';
export { centerCrop, randomCrop, randomResizedCrop, rotate, randomRotation, randomHorizontalFlip, cropAndResizeBoxes } from './data/augment/geometric.js';
export { iicMnistAugment, IIC_DEFAULT_COLOR_JITTER } from './data/augment/iic_views.js';
export { colorJitter, randomGrayscale, rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, validateColorJitter, LUMA_WEIGHTS } from './data/augment/color.js';
export { relationalAugment, resolveRelationalAugment } from './data/augment/relational_views.js';
export { parseIdx, decodeIdx, idxDataset } from './data/idx.js';
export type { ImageDataset, ByteImageDataset, AnyImageDataset, LabelledImageDataset, RowRange, RowSelection, SplitOptions, DatasetFromTensorOptions } from './data/dataset.js';
export type { Random, MutableArrayLike } from './core/random.js';
export type { IdxArray, IdxDataType, IdxValues, IdxSource, LoadIdxOptions } from './data/idx.js';
export type { ImageChannels } from './data/image_folder.js';
export type { DecodeImageFilesOptions, DecodedImages } from './data/image_decode_browser.js';
export type { BatchOptions, IterateBatchesOptions, TensorBatch } from './data/batching.js';
export type { PairedSamples } from './data/paired_samples.js';
export type { NoiseOptions } from './data/augment/noise.js';
export type { PixelBox } from './data/augment/geometric.js';
export type { IicViewOptions, PairedViews } from './data/augment/iic_views.js';
export type { ColorJitterOptions } from './data/augment/color.js';
export type { RelationalAugmentOptions, RelationalAugmentPreset, ResolvedRelationalAugment, ViewFunction } from './data/augment/relational_views.js';
export { mlp, validateWidths, vgg, VGG_CONFIGS, resolveVggConfig, conv4, seededKernelInitializer, seededHeInitializer, deriveSeed, stopGradient, softmaxFlushingGradient, denseSoftmaxFlushingGradient, SOFTMAX_GRADIENT_FLUSH_BELOW, sobelFilter, BatchNormalization, batchNormalization, batchNormalizeTraining, resnet } from './nn/index.js';
export type { MlpOptions, ActivationName, VggConfig, VggConfigInput, VggOptions, Conv4Options, Initializer, BatchNormalizationOptions, BatchNormalizeTrainingResult, ResNetOptions } from './nn/index.js';
export type { UserBackbone, BackboneBuilder } from './nn/user_backbone.js';
export { iicLoss, iicJointDistribution, iicMutualInformation, mineLoss, mineLowerBound, mseLoss, perSampleSquaredError, binaryCrossEntropyLoss, perSampleBinaryCrossEntropy, filterDistinguisherLoss, filterDistinguisherPairLoss, featureMapCosines, focalLoss } from './losses/index.js';
export type { IicLossOptions, MineLossOptions, MineLossResult, ReconstructionLossOptions, BinaryCrossEntropyOptions, FilterDistinguisherLossOptions, FilterDistinguisherLossResult, FocalLossOptions } from './losses/index.js';
export { kmeans, assignToCentroids, fitPcaWhiten, pcaWhiten, l2Normalize, toFloat64Matrix, toRows } from './cluster/index.js';
export type { KMeansOptions, KMeansResult, KMeansInitialization, EmptyClusterStrategy, CentroidAssignment, PcaWhitenOptions, PcaWhitenModel, PcaWhitenResult, L2NormalizeOptions, DenseMatrix, Float64Matrix, MatrixInput, ToFloat64MatrixOptions } from './cluster/index.js';
export { relabel, contingencyTable, confusionMatrix, linearSumAssignment, clusterAccuracy, majorityVoteAccuracy, nmi, mutualInformation, entropy, ari, ami, expectedMutualInformation, rocAuc } from './metrics/index.js';
export type { ClusterLabels, RelabeledLabels, Contingency, ConfusionMatrix, Assignment, LinearSumAssignmentOptions, ClusterAccuracyResult, NmiOptions, NmiAverage, AmiOptions } from './metrics/index.js';
export { linearProbe, knnProbe, precisionAtK } from './probes/index.js';
export type { LinearProbeOptions, LinearProbeResult, KnnMetric, KnnWeighting, KnnProbeOptions, KnnProbeResult, PrecisionAtKOptions, PrecisionAtKResult } from './probes/index.js';
export { UnsupervisedMethod } from './train/unsupervised_method.js';
export { MethodCore } from './train/method_core.js';
export { ImageMethod } from './train/image_method.js';
export { DirectoryModelStore } from './train/model_store.js';
export { UrlModelStore } from './train/url_model_store.js';
export { BrowserModelStore } from './train/browser_model_store.js';
export { METHOD_FILE, METHOD_FORMAT, METHOD_FORMAT_VERSION } from './train/saved_method.js';
export { ProgressReporter } from './train/progress.js';
export { trainableVariablesOf, argmaxRows } from './train/model_utils.js';
export { cosineLearningRate } from './train/learning_rate_schedule.js';
export { fitBestOfRestarts, restartSeed } from './train/restarts.js';
export type { RestartableMethod, RestartOptions, RestartResult } from './train/restarts.js';
export type { MethodClass } from './train/method_core.js';
export type { ModelStore } from './train/model_store.js';
export type { FetchFunction } from './train/url_model_store.js';
export type { BrowserStoreScheme } from './train/browser_model_store.js';
export type { SavedMethodFile, SavedModels } from './train/saved_method.js';
export type { TrainingBatch, BatchLossResult, BatchMetric, EpochMetricLists, PlannedBatch, ParameterGroup, EpochLogs, FitOptions, FitDefaults, RecipeName, TrainingRecipe, FitCallbacks, BatchEndLogs, MethodOptions, BatchFunction, FeatureMatrix, JsonValue, JsonObject, OptimizerWeight, OptimizerGroupState, TrainingState } from './train/unsupervised_method.js';
export type { ProgressOptions, ProgressState, ProgressStream } from './train/progress.js';
export type { LearningRateSchedule, CosineLearningRateOptions } from './train/learning_rate_schedule.js';
export { Autoencoder, AutoencoderClassifier, FilterDistinguisher, IIC, MINE, MineEncoder, DeepCluster, RelationalReasoning, relationPairs, aggregatePairs } from './methods/index.js';
export type { AutoencoderOptions, AutoencoderConfig, GreedyPretrainingOptions, AutoencoderClassifierOptions, AutoencoderClassifierScores, FilterDistinguisherOptions, FilterDistinguisherConfig, FilterDistinguisherFitOptions, FilterDistinguisherStage, IicOptions, IicConfig, MineOptions, MineEncoderOptions, MineEncoderConfig, DeepClusterOptions, DeepClusterConfig, DeepClusterEpoch, RelationalReasoningOptions, RelationalReasoningConfig, RelationPairs, RelationAggregation } from './methods/index.js';
export type { AutoencoderClassifierFitOptions, ImageLabels } from './methods/autoencoder_classifier.js';
export { renderSvg, pngSize, PNG_SIGNATURE } from './plot/render.js';
export { projectEmbeddings, embeddingScatterSpec, sampleRowIndices } from './plot/embedding_scatter.js';
export { parseMetricsJsonl, metricNames, trainingCurvesSpec, METRICS_FILE } from './plot/training_curves.js';
export { matchedConfusionMatrix, confusionMatrixSpec } from './plot/confusion_matrix_plot.js';
export type { VegaLiteSpec, PngSize } from './plot/render.js';
export type { EmbeddingDims, ProjectionMethod, ProjectEmbeddingsOptions, Projection2d, ScatterPoints, EmbeddingScatterOptions } from './plot/embedding_scatter.js';
export type { EpochRecord, TrainingCurvesOptions } from './plot/training_curves.js';
export type { MatchedConfusion, ConfusionMatrixSpecOptions } from './plot/confusion_matrix_plot.js';
