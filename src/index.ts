/**
 * tfjs-unsupervised: unsupervised representation learning for TensorFlow.js.
 *
 * The public API, re-exported by name from each layer (see DESIGN: backend → data → nn → losses →
 * cluster → metrics → probes → train → methods).
 */
export { initBackend, availableBackends, formatBackendInfo, BACKEND_NAMES, NATIVE_PACKAGES, BACKEND_ENVIRONMENT_VARIABLE, registerWasmGapFillKernels, builtInWasmKernel, WASM_GAP_FILL_KERNELS } from './backend/index.js';
export type { BackendInfo, BackendRequest, InitBackendOptions } from './backend/index.js';
export { validateDataset, subset, split, gatherRows, flattenedDimension, toTensor, datasetFromTensor, createRandom, loadIdx, parseIdx, loadMnist, mnistDirectory, clearMnistCache, batchIndices, gatherImages, iterateBatches, uniformClusterSampler, bivariateGaussian, gaussianMutualInformation, validatePairedSamples, addNoise, validateNoise, centerCrop, randomCrop, randomResizedCrop, rotate, randomRotation, randomHorizontalFlip, cropAndResizeBoxes, iicMnistAugment } from './data/index.js';
export type { ImageDataset, LabelledImageDataset, RowRange, RowSelection, SplitOptions, DatasetFromTensorOptions, Random, MutableArrayLike, IdxArray, IdxDataType, IdxValues, LoadIdxOptions, LoadMnistOptions, BatchOptions, IterateBatchesOptions, TensorBatch, PairedSamples, NoiseOptions, PixelBox, IicViewOptions, PairedViews } from './data/index.js';
export { mlp, validateWidths, vgg, VGG_CONFIGS, resolveVggConfig, conv4, seededKernelInitializer, seededHeInitializer, deriveSeed, stopGradient, sobelFilter, BatchNormalization, batchNormalization, batchNormalizeTraining } from './nn/index.js';
export type { MlpOptions, ActivationName, VggConfig, VggConfigInput, VggOptions, Conv4Options, Initializer, BatchNormalizationOptions, BatchNormalizeTrainingResult } from './nn/index.js';
export { iicLoss, iicJointDistribution, iicMutualInformation, mineLoss, mineLowerBound, mseLoss, perSampleSquaredError, binaryCrossEntropyLoss, perSampleBinaryCrossEntropy, filterDistinguisherLoss, filterDistinguisherPairLoss, featureMapCosines } from './losses/index.js';
export type { IicLossOptions, MineLossOptions, MineLossResult, ReconstructionLossOptions, BinaryCrossEntropyOptions, FilterDistinguisherLossOptions, FilterDistinguisherLossResult } from './losses/index.js';
export { kmeans, assignToCentroids, fitPcaWhiten, pcaWhiten, l2Normalize, toFloat64Matrix, toRows } from './cluster/index.js';
export type { KMeansOptions, KMeansResult, KMeansInitialization, EmptyClusterStrategy, CentroidAssignment, PcaWhitenOptions, PcaWhitenModel, PcaWhitenResult, L2NormalizeOptions, DenseMatrix, Float64Matrix, MatrixInput, ToFloat64MatrixOptions } from './cluster/index.js';
export { relabel, contingencyTable, confusionMatrix, linearSumAssignment, clusterAccuracy, majorityVoteAccuracy, nmi, mutualInformation, entropy, ari, ami, expectedMutualInformation, rocAuc } from './metrics/index.js';
export type { ClusterLabels, RelabeledLabels, Contingency, ConfusionMatrix, Assignment, LinearSumAssignmentOptions, ClusterAccuracyResult, NmiOptions, NmiAverage, AmiOptions } from './metrics/index.js';
export { linearProbe, knnProbe, precisionAtK } from './probes/index.js';
export type { LinearProbeOptions, LinearProbeResult, KnnMetric, KnnWeighting, KnnProbeOptions, KnnProbeResult, PrecisionAtKOptions, PrecisionAtKResult } from './probes/index.js';
export { UnsupervisedMethod, ProgressReporter, saveLayersModel, loadLayersModel, writeFileAtomic, writeJsonAtomic, readJson, readSavedMethod, trainableVariablesOf, argmaxRows } from './train/index.js';
export type { TrainingBatch, BatchLossResult, ParameterGroup, EpochLogs, FitOptions, MethodOptions, BatchFunction, FeatureMatrix, ProgressOptions, ProgressState } from './train/index.js';
export { Autoencoder, AutoencoderClassifier, FilterDistinguisher, IIC, MINE, MineEncoder, DeepCluster } from './methods/index.js';
export type { AutoencoderOptions, AutoencoderConfig, GreedyPretrainingOptions, AutoencoderClassifierOptions, AutoencoderClassifierScores, FilterDistinguisherOptions, FilterDistinguisherConfig, FilterDistinguisherFitOptions, FilterDistinguisherStage, IicOptions, IicConfig, MineOptions, MineEncoderOptions, MineEncoderConfig, DeepClusterOptions, DeepClusterConfig, DeepClusterEpoch } from './methods/index.js';
export { renderSvg, renderPng, pngSize, PNG_SIGNATURE, projectEmbeddings, embeddingScatterSpec, sampleRowIndices, parseMetricsJsonl, readMetricsJsonl, metricNames, trainingCurvesSpec, METRICS_FILE, matchedConfusionMatrix, confusionMatrixSpec, writeRunPlots } from './plot/index.js';
export type { VegaLiteSpec, RenderPngOptions, PngSize, EmbeddingDims, ProjectionMethod, ProjectEmbeddingsOptions, Projection2d, ScatterPoints, EmbeddingScatterOptions, EpochRecord, TrainingCurvesOptions, MatchedConfusion, ConfusionMatrixSpecOptions, PlotFormat, WriteRunPlotsOptions, WrittenPlot, RunPlotsResult } from './plot/index.js';
