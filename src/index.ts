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
export { initBackend, availableBackends, formatBackendInfo, BACKEND_NAMES, NATIVE_PACKAGES, BACKEND_ENVIRONMENT_VARIABLE, registerWasmGapFillKernels, builtInWasmKernel, WASM_GAP_FILL_KERNELS } from './backend/index.js';
export type { BackendInfo, BackendName, BackendRequest, InitBackendOptions, WebGpuAdapterDescription } from './backend/index.js';
export { validateDataset, subset, split, gatherRows, flattenedDimension, toTensor, datasetFromTensor, createRandom, decodeImageFiles, batchIndices, gatherImages, iterateBatches, uniformClusterSampler, bivariateGaussian, gaussianMutualInformation, validatePairedSamples, addNoise, validateNoise, centerCrop, randomCrop, randomResizedCrop, rotate, randomRotation, randomHorizontalFlip, cropAndResizeBoxes, iicMnistAugment, IIC_DEFAULT_COLOR_JITTER, colorJitter, randomGrayscale, rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, validateColorJitter, LUMA_WEIGHTS, relationalAugment, resolveRelationalAugment } from './data/index.js';
export type { ImageDataset, ByteImageDataset, AnyImageDataset, LabelledImageDataset, RowRange, RowSelection, SplitOptions, DatasetFromTensorOptions, Random, MutableArrayLike, IdxArray, IdxDataType, IdxValues, ImageChannels, DecodeImageFilesOptions, DecodedImages, BatchOptions, IterateBatchesOptions, TensorBatch, PairedSamples, NoiseOptions, PixelBox, IicViewOptions, PairedViews, ColorJitterOptions, RelationalAugmentOptions, RelationalAugmentPreset, ResolvedRelationalAugment, ViewFunction } from './data/index.js';
export { mlp, validateWidths, vgg, VGG_CONFIGS, resolveVggConfig, conv4, seededKernelInitializer, seededHeInitializer, deriveSeed, stopGradient, sobelFilter, BatchNormalization, batchNormalization, batchNormalizeTraining, resnet } from './nn/index.js';
export type { MlpOptions, ActivationName, VggConfig, VggConfigInput, VggOptions, Conv4Options, Initializer, BatchNormalizationOptions, BatchNormalizeTrainingResult, ResNetOptions } from './nn/index.js';
export { iicLoss, iicJointDistribution, iicMutualInformation, mineLoss, mineLowerBound, mseLoss, perSampleSquaredError, binaryCrossEntropyLoss, perSampleBinaryCrossEntropy, filterDistinguisherLoss, filterDistinguisherPairLoss, featureMapCosines, focalLoss } from './losses/index.js';
export type { IicLossOptions, MineLossOptions, MineLossResult, ReconstructionLossOptions, BinaryCrossEntropyOptions, FilterDistinguisherLossOptions, FilterDistinguisherLossResult, FocalLossOptions } from './losses/index.js';
export { kmeans, assignToCentroids, fitPcaWhiten, pcaWhiten, l2Normalize, toFloat64Matrix, toRows } from './cluster/index.js';
export type { KMeansOptions, KMeansResult, KMeansInitialization, EmptyClusterStrategy, CentroidAssignment, PcaWhitenOptions, PcaWhitenModel, PcaWhitenResult, L2NormalizeOptions, DenseMatrix, Float64Matrix, MatrixInput, ToFloat64MatrixOptions } from './cluster/index.js';
export { relabel, contingencyTable, confusionMatrix, linearSumAssignment, clusterAccuracy, majorityVoteAccuracy, nmi, mutualInformation, entropy, ari, ami, expectedMutualInformation, rocAuc } from './metrics/index.js';
export type { ClusterLabels, RelabeledLabels, Contingency, ConfusionMatrix, Assignment, LinearSumAssignmentOptions, ClusterAccuracyResult, NmiOptions, NmiAverage, AmiOptions } from './metrics/index.js';
export { linearProbe, knnProbe, precisionAtK } from './probes/index.js';
export type { LinearProbeOptions, LinearProbeResult, KnnMetric, KnnWeighting, KnnProbeOptions, KnnProbeResult, PrecisionAtKOptions, PrecisionAtKResult } from './probes/index.js';
export { UnsupervisedMethod, MethodCore, ImageMethod, DirectoryModelStore, METHOD_FILE, METHOD_FORMAT, METHOD_FORMAT_VERSION, ProgressReporter, trainableVariablesOf, argmaxRows, cosineLearningRate } from './train/index.js';
export type { TrainingBatch, BatchLossResult, BatchMetric, EpochMetricLists, PlannedBatch, MethodClass, ModelStore, SavedMethodFile, SavedModels, ParameterGroup, EpochLogs, FitOptions, FitCallbacks, BatchEndLogs, MethodOptions, BatchFunction, FeatureMatrix, ProgressOptions, ProgressState, ProgressStream, LearningRateSchedule, CosineLearningRateOptions, JsonValue, JsonObject, OptimizerWeight, OptimizerGroupState, TrainingState } from './train/index.js';
export { Autoencoder, AutoencoderClassifier, FilterDistinguisher, IIC, MINE, MineEncoder, DeepCluster, RelationalReasoning, relationPairs, aggregatePairs } from './methods/index.js';
export type { AutoencoderOptions, AutoencoderConfig, GreedyPretrainingOptions, AutoencoderClassifierOptions, AutoencoderClassifierScores, FilterDistinguisherOptions, FilterDistinguisherConfig, FilterDistinguisherFitOptions, FilterDistinguisherStage, IicOptions, IicConfig, MineOptions, MineEncoderOptions, MineEncoderConfig, DeepClusterOptions, DeepClusterConfig, DeepClusterEpoch, RelationalReasoningOptions, RelationalReasoningConfig, RelationPairs, RelationAggregation } from './methods/index.js';
export { renderSvg, pngSize, PNG_SIGNATURE, projectEmbeddings, embeddingScatterSpec, sampleRowIndices, parseMetricsJsonl, metricNames, trainingCurvesSpec, METRICS_FILE, matchedConfusionMatrix, confusionMatrixSpec } from './plot/index.js';
export type { VegaLiteSpec, PngSize, EmbeddingDims, ProjectionMethod, ProjectEmbeddingsOptions, Projection2d, ScatterPoints, EmbeddingScatterOptions, EpochRecord, TrainingCurvesOptions, MatchedConfusion, ConfusionMatrixSpecOptions } from './plot/index.js';
