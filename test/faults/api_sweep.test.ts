import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as backendLayer from '../../src/backend/index.js';
import { initBackend } from '../../src/backend/init_backend.js';
import * as cliLayer from '../../src/cli/index.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import * as coreApi from '../../src/index.js';
import * as api from '../../src/node.js';
import { blobImages } from '../helpers/synthetic.js';

/**
 * The API sweep of issue 18: every export of src/index.ts and src/node.ts (the core and the Node entry; src/node.ts re-exports the core), enumerated at run time (so new API is
 * covered, or the sweep fails until it is), is called with `null`, `undefined`, NaN, wrong types
 * and wrong shapes in each argument position, one position at a time with valid values elsewhere;
 * classes are constructed so and their main methods called so. Each call must end in a named
 * error ("context: message", a plain Error), never a raw TypeError / RangeError from the runtime,
 * never a TF.js internal message, never a silent result, and leave no tensor behind.
 */

/** Exports not swept here, each with its reason. */
const NOT_SWEPT: Record<string, string> = {
  UnsupervisedMethod: 'the abstract base class; swept through every concrete method below',
  MethodCore: 'the abstract base of UnsupervisedMethod; swept through every concrete method below',
  ImageMethod: 'the abstract base of the image methods; swept through every concrete method below',
  BatchNormalization: 'a tf.layers.Layer class; swept through its factory batchNormalization(options)',
  BrowserModelStore: 'browser storage (IndexedDB, localStorage, downloads): tested in Chromium by test/browser/browser_model_store.test.ts',
  UrlModelStore: 'reads over HTTP (fetch): its bad input and errors are tested in test/train/url_model_store.test.ts against a local server',
  decodeImageFiles: 'browser only (createImageBitmap, OffscreenCanvas): in Node even a valid call ends in its named environment error; its checks are tested in test/data/image_decode_browser.test.ts',
};

/** Argument positions that accept any value, each with its reason. */
const ANY_VALUE: Record<string, { positions: number[]; reason: string }> = {
  validateDataset: { positions: [1], reason: 'context is a free label for error messages' },
  validateColorJitter: { positions: [1], reason: 'context is a free label for error messages' },
  validateNoise: { positions: [1], reason: 'context is a free label for error messages' },
  validatePairedSamples: { positions: [1], reason: 'context is a free label for error messages' },
  validateWidths: { positions: [1], reason: 'context is a free label for error messages' },
  resolveVggConfig: { positions: [1], reason: 'context is a free label for error messages' },
  toFloat64Matrix: { positions: [1], reason: 'name is a free label for error messages' },
  gatherRows: { positions: [2], reason: 'context is a free label for error messages' },
  parseIdx: { positions: [1], reason: 'file only names the bytes in error messages' },
  decodeIdx: { positions: [1], reason: 'name only names the bytes in error messages (optional)' },
  parseMetricsJsonl: { positions: [1], reason: 'source only names the text in error messages' },
  writeJsonAtomic: { positions: [1], reason: 'any JSON-serialisable value is written' },
  'DirectoryModelStore.writeJson': { positions: [1], reason: 'any JSON-serialisable value is written' },
  seededHeInitializer: { positions: [0], reason: 'an undefined seed is documented (unseeded initialiser)' },
  seededKernelInitializer: { positions: [0], reason: 'an undefined seed is documented (unseeded initialiser)' },
  toTensor: { positions: [1], reason: 'rows is optional (all rows)' },
  loadIdx: { positions: [1], reason: 'labelsPath is optional (images only)' },
  saveLayersModel: { positions: [2], reason: 'name is optional' },
  loadLayersModel: { positions: [1], reason: 'name is optional' },
  readSavedMethod: { positions: [2], reason: 'the expected method name is only compared with the file and named in the message' },
};

/** Positions where any string is valid (a path that is created), each with its reason; other bad values still apply. */
const ANY_STRING: Record<string, { positions: number[]; reason: string }> = Object.fromEntries(
  ['writeFileAtomic', 'writeJsonAtomic', 'writeCheckpoint', 'writeRunPlots', 'saveLayersModel', ...['Autoencoder', 'AutoencoderClassifier', 'DeepCluster', 'FilterDistinguisher', 'IIC', 'MineEncoder', 'RelationalReasoning'].map((c) => `${c}.save`)].map((name) => [
    name,
    { positions: name === 'saveLayersModel' ? [1] : [0], reason: 'a path to write to: any string names a file or folder to create' },
  ]),
);
ANY_STRING.saveLayersModel.positions = [1, 2];
ANY_STRING['ProgressReporter.message'] = { positions: [0], reason: 'message prints any text' };
ANY_STRING['new DirectoryModelStore'] = { positions: [0], reason: 'a folder to write to: any string names a folder to create' };
ANY_STRING['DirectoryModelStore.writeJson'] = { positions: [0], reason: 'a file name to write: any plain name is created' };
ANY_STRING['DirectoryModelStore.readJson'] = { positions: [0], reason: 'a file name: a missing one reads as undefined' };
ANY_STRING['DirectoryModelStore.child'] = { positions: [0], reason: 'a folder name: any plain name names a folder to create' };
ANY_STRING.writeFileAtomic = { positions: [0, 1], reason: 'a path to write to, and data that may be any text' };
ANY_STRING.parseMetricsJsonl = { positions: [0], reason: 'any text is parsed (a bad one gets a named error, checked in test/plot)' };

/** Bad values that are in fact valid at a position, each with its reason. */
const VALID_THERE: Record<string, { labels: string[]; reason: string }> = {
  'datasetFromTensor: argument 1': { labels: ['undefined', 'an object'], reason: 'labels are optional, and an object is the options form { labels, name, pixelRange }' },
  'idxDataset: argument 1': { labels: ['undefined'], reason: 'labels are optional' },
  'flattenedDimension: argument 0': { labels: ['a dataset whose images do not fill its shape'], reason: 'it reads only the shape' },
};

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-sweep-'));
const images8: ImageDataset = blobImages(8, { side: 8, classes: 2, seed: 1 });
const images28: ImageDataset = blobImages(6, { side: 28, classes: 2, seed: 2 });
const matrix = [
  [0, 1],
  [1, 0],
  [2, 2],
  [3, 1],
];
const yTrue = [0, 1, 0, 1];
const yPred = [1, 0, 1, 1];
const samples = { x: new Float32Array([0, 1, 2, 3]), y: new Float32Array([1, 0, 1, 0]), xDim: 1, yDim: 1, size: 4 };
const records = [
  { epoch: 0, loss: 1 },
  { epoch: 1, loss: 0.5 },
];
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';
let png: Uint8Array;
const files = {
  json: path.join(directory, 'value.json'),
  saved: path.join(directory, 'saved'),
  model: path.join(directory, 'model'),
  run: path.join(directory, 'run'),
  cifar: path.join(directory, 'cifar'),
  stl: path.join(directory, 'stl'),
  idxImages: path.join(directory, 'images.idx'),
  idxLabels: path.join(directory, 'labels.idx'),
  folder: path.join(directory, 'folder'),
};

const images4 = () => tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const rgb4 = () => tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
const probabilities = () => tf.tidy(() => tf.softmax(tf.randomNormal([4, 3], 0, 1, 'float32', 3))) as tf.Tensor2D;
const unit2 = (seed: number) => tf.randomUniform([4, 3], 0.1, 0.9, 'float32', seed) as tf.Tensor2D;
/** A built softmax Dense layer on 3 features (denseSoftmaxFlushingGradient's layer), built before the sweep and freed after it: the sweep frees tensors and models, not layers. */
let softmaxDenseLayer: tf.layers.Layer;
const idxBytes = (dims: number[], values: number[]) => {
  const header = [0, 0, 0x08, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...values]);
};

/** How a function is called validly: its arguments (made fresh for each call) and which is the options object. */
interface FunctionFixture {
  args: () => unknown[];
  /** Position of the trailing options object (accepts `{}` and `undefined`). */
  options?: number;
  /** Tensor positions that take any rank (elementwise functions), so a tensor of another rank is valid there. */
  anyRank?: number[];
}

const FUNCTIONS: Record<string, FunctionFixture> = {
  addNoise: { args: () => [images4(), { gaussian: 0.1 }, 1], anyRank: [0] },
  adjustBrightness: { args: () => [rgb4(), [1, 1.1]] },
  adjustContrast: { args: () => [rgb4(), [1, 1.1]] },
  adjustHue: { args: () => [rgb4(), [0, 0.1]] },
  adjustSaturation: { args: () => [rgb4(), [1, 1.1]] },
  aggregatePairs: { args: () => [unit2(1), unit2(2), 'cat'] },
  ami: { args: () => [yTrue, yPred, { average: 'arithmetic' }], options: 2 },
  ari: { args: () => [yTrue, yPred] },
  argmaxRows: { args: () => [{ data: new Float32Array([0, 1, 2, 2, 1, 0]), rows: 2, cols: 3 }] },
  assignToCentroids: { args: () => [matrix, [[0, 0], [2, 2]]] },
  batchIndices: { args: () => [10, 3, { shuffle: true, seed: 1, dropRemainder: false }], options: 2 },
  batchNormalization: { args: () => [{}], options: 0 },
  batchNormalizeTraining: { args: () => [unit2(1), tf.ones([3]), tf.zeros([3]), 1e-3], anyRank: [0] },
  binaryCrossEntropyLoss: { args: () => [unit2(1), unit2(2), { fromLogits: false, epsilon: 1e-7, cutoff: 0.1 }], options: 2 },
  bivariateGaussian: { args: () => [10, 0.5, 0] },
  centerCrop: { args: () => [images4(), 4] },
  clearMnistCache: { args: () => [] },
  clusterAccuracy: { args: () => [yTrue, yPred] },
  colorJitter: { args: () => [rgb4(), { brightness: 0.1 }, 1] },
  confusionMatrix: { args: () => [yTrue, yPred] },
  confusionMatrixSpec: { args: () => [yTrue, yPred, { title: 'confusion', cellSize: 20, showCounts: true }], options: 2 },
  contingencyTable: { args: () => [yTrue, yPred] },
  conv4: { args: () => [{ inputShape: [8, 8, 1], channels: [2, 2], globalPool: true, seed: 1 }], options: 0 },
  cosineLearningRate: { args: () => [10, { warmupEpochs: 1, finalFactor: 0.1 }], options: 1 },
  createRandom: { args: () => [1] },
  cropAndResizeBoxes: { args: () => [images4(), [{ top: 0, left: 0, height: 4, width: 4 }, { top: 2, left: 2, height: 6, width: 6 }], [4, 4]] },
  datasetFromTensor: { args: () => [images4(), [0, 1]] },
  deriveSeed: { args: () => [1, 2] },
  embeddingScatterSpec: { args: () => [{ x: [0, 1, 2], y: [1, 0, 1] }, { title: 't', xTitle: 'x', yTitle: 'y', width: 100, height: 100, pointSize: 4, opacity: 0.5 }], options: 1 },
  entropy: { args: () => [yTrue] },
  expectedMutualInformation: { args: () => [[2, 2], [2, 2], 4] },
  featureMapCosines: { args: () => [tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 4), { epsilon: 1e-6 }], options: 1 },
  filterDistinguisherLoss: { args: () => [tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 4), {}], options: 1 },
  filterDistinguisherPairLoss: { args: () => [tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 4), {}], options: 1 },
  fitBestOfRestarts: { args: () => [(seed: number) => new api.Autoencoder({ layers: [64, 4], seed }), images8, { epochs: 1, candidates: 2, trialEpochs: 1, batchSize: 4, stepsPerEpoch: 2, seed: 1, progress: 'none' }] },
  fitBestOfRestartsInWorkers: { args: () => [api.Autoencoder, { layers: [64, 4] }, images8, { epochs: 1, candidates: 2, trialEpochs: 1, batchSize: 4, stepsPerEpoch: 2, seed: 1, progress: 'none' }] },
  findLatestCheckpoint: { args: () => [files.run] },
  fitPcaWhiten: { args: () => [matrix, { nComponents: 1, whiten: true, epsilon: 1e-5, method: 'auto' }], options: 1 },
  flattenedDimension: { args: () => [images8] },
  focalLoss: { args: () => [tf.tensor2d([[1], [0]]), tf.tensor2d([[0.5], [-0.5]]), { gamma: 2, alpha: 0.5 }], options: 2 },
  gatherImages: { args: () => [images8, [0, 1]] },
  gatherRows: { args: () => [images8, [0, 1], 'ctx'] },
  gaussianMutualInformation: { args: () => [0.5] },
  iicJointDistribution: { args: () => [probabilities(), probabilities()] },
  iicLoss: { args: () => [probabilities(), probabilities(), { lambda: 1, epsilon: 1e-7 }], options: 2 },
  iicMnistAugment: { args: () => [{ centerCrop: 20, outputSize: 24, randomCropSizes: [16, 20], maxRotationDegrees: 25 }], options: 0 },
  iicMutualInformation: { args: () => [tf.fill([3, 3], 1 / 9), {}], options: 1 },
  iterateBatches: { args: () => [images8, { batchSize: 4, shuffle: true, seed: 1 }], options: 1 },
  kmeans: { args: () => [matrix, 2, { nInit: 1, seed: 1, maxIterations: 10, tolerance: 1e-4, initialization: 'kmeans++', emptyClusterStrategy: 'split' }], options: 2 },
  knnProbe: { args: () => [matrix, yTrue, matrix, yTrue, { k: 1, metric: 'cosine', weighting: 'uniform', temperature: 0.07, numClasses: 2 }], options: 4 },
  l2Normalize: { args: () => [matrix, { epsilon: 1e-12 }], options: 1 },
  linearProbe: { args: () => [matrix, yTrue, matrix, yTrue, { epochs: 1, learningRate: 0.01, batchSize: 2, seed: 1, standardize: true, numClasses: 2 }], options: 4 },
  linearSumAssignment: { args: () => [[[1, 2], [2, 1]], { maximize: false }], options: 1 },
  loadCifar10: { args: () => [{ directory: files.cifar, split: 'test' }], options: 0 },
  loadIdx: { args: () => [files.idxImages, files.idxLabels, {}], options: 2 },
  loadImageFolder: { args: () => [files.folder, { size: [8, 8], channels: 1, labels: 'subfolders', strict: true, limit: 2, concurrency: 1, pixels: 'float32' }], options: 1 },
  loadLayersModel: { args: () => [files.model, 'model'] },
  loadMnist: { args: () => [{ split: 'test', limit: 2 }], options: 0 },
  loadStl10: { args: () => [{ directory: files.stl, split: 'test' }], options: 0 },
  majorityVoteAccuracy: { args: () => [yTrue, yPred] },
  matchedConfusionMatrix: { args: () => [yTrue, yPred] },
  metricNames: { args: () => [records] },
  mineLoss: { args: () => [tf.tensor2d([[1], [2]]), tf.tensor2d([[0], [1]]), 1, { gradient: 'moving-average', alpha: 0.01 }], options: 3 },
  mineLowerBound: { args: () => [tf.tensor2d([[1], [2]]), tf.tensor2d([[0], [1]])] },
  mlp: { args: () => [[3, 2], { activation: 'relu', outputActivation: 'linear', seed: 1 }], options: 1 },
  mnistDirectory: { args: () => [] },
  mseLoss: { args: () => [unit2(1), unit2(2), { cutoff: 0.1 }], options: 2 },
  mutualInformation: { args: () => [yTrue, yPred] },
  nmi: { args: () => [yTrue, yPred, { average: 'arithmetic' }], options: 2 },
  parseIdx: { args: () => [idxBytes([2], [1, 2]), 'bytes.idx'] },
  decodeIdx: { args: () => [idxBytes([2], [1, 2]), 'bytes.idx'] },
  idxDataset: { args: () => [idxBytes([2, 2, 2], [0, 255, 255, 0, 10, 20, 30, 40]), idxBytes([2], [1, 0]), { limit: 2, offset: 0, name: 'bytes' }], options: 2 },
  parseMetricsJsonl: { args: () => ['{"epoch":0,"loss":1}\n', 'metrics.jsonl'] },
  pcaWhiten: { args: () => [matrix, { nComponents: 1, whiten: true, epsilon: 1e-5, method: 'covariance' }], options: 1 },
  perSampleBinaryCrossEntropy: { args: () => [unit2(1), unit2(2), { fromLogits: false, epsilon: 1e-7 }], options: 2 },
  perSampleSquaredError: { args: () => [unit2(1), unit2(2)] },
  pngSize: { args: () => [png] },
  precisionAtK: { args: () => [matrix, yTrue, { k: 1, metric: 'cosine', seed: 1 }], options: 2 },
  projectEmbeddings: { args: () => [new Float32Array([0, 1, 1, 0, 2, 2, 3, 1]), [4, 2], { method: 'pca', seed: 1, nNeighbors: 2 }], options: 2 },
  randomCrop: { args: () => [images4(), [4, 6], 4, 1] },
  randomGrayscale: { args: () => [rgb4(), 0.5, 1] },
  randomHorizontalFlip: { args: () => [images4(), 1] },
  randomResizedCrop: { args: () => [images4(), { outputSize: [4, 4], scale: [0.2, 1], ratio: [0.75, 1.33], seed: 1 }], options: 1 },
  randomRotation: { args: () => [images4(), 10, 1] },
  readCheckpointState: { args: () => [checkpoint!] },
  restartSeed: { args: () => [1, 2] },
  loadCheckpoint: { args: () => [checkpoint!, (modelDirectory: string) => api.Autoencoder.load(modelDirectory)] },
  readJson: { args: () => [files.json] },
  readMetricsJsonl: { args: () => [files.run] },
  readSavedMethod: { args: () => [files.saved, 'method.json', 'Autoencoder'] },
  relabel: { args: () => [yTrue] },
  relationalAugment: { args: () => ['mnist'] },
  relationPairs: { args: () => [4, 2] },
  renderPng: { args: () => [svg, { width: 8, scale: 1, background: 'white' }], options: 1 },
  renderSvg: { args: () => [api.trainingCurvesSpec(records)] },
  resnet: { args: () => [{ inputShape: [8, 8, 1], channels: [2, 2], blocks: [1, 1], downsample: 'avgpool', seed: 1 }], options: 0 },
  resolveRelationalAugment: { args: () => ['mnist', {}], options: 1 },
  resolveVggConfig: { args: () => ['small', 'ctx'] },
  rgbToGrayscale: { args: () => [rgb4()] },
  rocAuc: { args: () => [[0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]] },
  rotate: { args: () => [images4(), [10, 20]] },
  sampleRowIndices: { args: () => [10, 3, 0] },
  saveLayersModel: { args: () => [api.mlp([2, 1], { seed: 1 }), path.join(directory, 'saved_models'), 'm'] },
  seededHeInitializer: { args: () => [1, 0] },
  seededKernelInitializer: { args: () => [1, 0] },
  sobelFilter: { args: () => [images4()] },
  softmaxFlushingGradient: { args: () => [unit2(1)] },
  denseSoftmaxFlushingGradient: { args: () => [softmaxDenseLayer, unit2(1)] },
  split: { args: () => [images8, 0.5, { shuffle: true, seed: 1 }], options: 2 },
  stopGradient: { args: () => [unit2(1)], anyRank: [0] },
  subset: { args: () => [images8, [0, 1]] },
  toFloat64Matrix: { args: () => [matrix, 'x', {}], options: 2 },
  toRows: { args: () => [{ data: new Float64Array([1, 2, 3, 4]), rows: 2, cols: 2 }] },
  toTensor: { args: () => [images8, [0, 1]] },
  trainableVariablesOf: { args: () => [api.mlp([2, 1], { seed: 1 })] },
  trainingCurvesSpec: { args: () => [records, { metrics: ['loss'], columns: 1, title: 't', width: 100, height: 80 }], options: 1 },
  uniformClusterSampler: { args: () => [[0, 1, 0, 1], 2, 4, 0] },
  validateColorJitter: { args: () => [{ brightness: 0.1 }, 'ctx'] },
  validateDataset: { args: () => [images8, 'ctx'] },
  validateNoise: { args: () => [{ gaussian: 0.1 }, 'ctx'] },
  validatePairedSamples: { args: () => [samples, 'ctx'] },
  validateWidths: { args: () => [[3, 2], 'ctx'] },
  vgg: { args: () => [[2, 'M', 2], { inputShape: [8, 8, 1], batchNorm: true, flatten: true, seed: 1 }], options: 1 },
  writeCheckpoint: { args: () => [path.join(directory, 'checkpoint_run'), checkpointable!, { keep: 1 }], options: 2 },
  writeFileAtomic: { args: () => [path.join(directory, 'written.txt'), 'text'] },
  writeJsonAtomic: { args: () => [path.join(directory, 'written.json'), { a: 1 }] },
  writeRunPlots: { args: () => [files.run, { formats: ['svg'] }], options: 1 },
};

/** How a class is constructed validly, and its main methods called on an instance made ready by `prepare`. */
interface ClassFixture {
  construct: () => unknown[];
  options?: number;
  prepare?: (instance: never) => Promise<void>;
  methods: Record<string, FunctionFixture>;
  statics?: Record<string, FunctionFixture>;
}

const fit1 = { epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 1, stepsPerEpoch: 2, progress: 'none' };
const CLASSES: Record<string, ClassFixture> = {
  Autoencoder: {
    construct: () => [{ architecture: 'dense', layers: [64, 4], codeActivation: 'linear', loss: 'mse', outputActivation: 'linear', denoise: { gaussian: 0.1 }, cutoff: 0.01, seed: 1 }],
    options: 0,
    prepare: async (method: api.Autoencoder) => void method.initialize(images8),
    methods: {
      fit: { args: () => [images8, fit1], options: 1 },
      encode: { args: () => [images8, {}], options: 1 },
      'encode (a tensor)': { args: () => [tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5), {}], options: 1 },
      embed: { args: () => [images8, {}], options: 1 },
      reconstruct: { args: () => [images8, {}], options: 1 },
      reconstructionErrors: { args: () => [images8, {}], options: 1 },
      pretrainGreedy: { args: () => [images8, { epochsPerLayer: 1, batchSize: 4, progress: 'none' }], options: 1 },
      initialize: { args: () => [images8] },
      save: { args: () => [path.join(directory, 'autoencoder')] },
    },
    statics: { load: { args: () => [files.saved] } },
  },
  AutoencoderClassifier: {
    construct: () => [{ temperature: 1, autoencoder: { layers: [64, 4] } }],
    options: 0,
    prepare: async (method: api.AutoencoderClassifier) => void (await method.fit(images8, fit1 as never)),
    methods: {
      fit: { args: () => [images8, fit1], options: 1 },
      fitClass: { args: () => [0, images8, fit1], options: 2 },
      score: { args: () => [images8] },
      predict: { args: () => [images8] },
      anomalyScore: { args: () => [images8] },
      autoencoderOf: { args: () => [0] },
      save: { args: () => [path.join(directory, 'classifier')] },
    },
    statics: { load: { args: () => [path.join(directory, 'classifier')] } },
  },
  DeepCluster: {
    construct: () => [{ backbone: [2, 'M', 2], numClusters: 2, featureSize: 4, pcaComponents: 2, kmeansIterations: 5, balance: 'uniform', sobel: false, seed: 1 }],
    options: 0,
    prepare: async (method: api.DeepCluster) => void (await method.fit(images8, fit1 as never)),
    methods: {
      fit: { args: () => [images8, fit1], options: 1 },
      encode: { args: () => [images8, {}], options: 1 },
      predict: { args: () => [images8] },
      initialize: { args: () => [images8] },
      save: { args: () => [path.join(directory, 'deep_cluster')] },
    },
    statics: { load: { args: () => [path.join(directory, 'deep_cluster')] } },
  },
  FilterDistinguisher: {
    construct: () => [{ channels: [1, 2], hiddenChannels: 2, kernelSize: 3, threshold: 0.4, window: 2, freezeEarlierLevels: true, seed: 1 }],
    options: 0,
    prepare: async (method: api.FilterDistinguisher) => void method.initialize(images8),
    methods: {
      fit: { args: () => [images8, { samplesPerLevel: 4, batchSize: 4, progress: 'none' }], options: 1 },
      encode: { args: () => [images8, {}], options: 1 },
      signal: { args: () => [images8, 0, 4] },
      save: { args: () => [path.join(directory, 'filter')] },
    },
    statics: { load: { args: () => [path.join(directory, 'filter')] } },
  },
  IIC: {
    construct: () => [{ backbone: [2, 'M', 2], subHeads: 1, overclusterClusters: 0, numClusters: 2, lambda: 1, repeats: 1, views: {}, headSchedule: 'alternate', seed: 1 }],
    options: 0,
    prepare: async (method: api.IIC) => void method.initialize(images28),
    methods: {
      fit: { args: () => [images28, fit1], options: 1 },
      encode: { args: () => [images28, {}], options: 1 },
      'encode (a tensor)': { args: () => [tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5), {}], options: 1 },
      embed: { args: () => [images28, {}], options: 1 },
      'embed (a tensor)': { args: () => [tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5), {}], options: 1 },
      predict: { args: () => [images28, {}], options: 1 },
      predictProbabilities: { args: () => [images28, {}], options: 1 },
      save: { args: () => [path.join(directory, 'iic')] },
    },
    statics: { load: { args: () => [path.join(directory, 'iic')] } },
  },
  MINE: {
    construct: () => [{ hiddenUnits: [4], activation: 'elu', gradient: 'moving-average', alpha: 0.01, seed: 1 }],
    options: 0,
    prepare: async (method: api.MINE) => void (await method.fit(samples, fit1 as never)),
    methods: {
      fit: { args: () => [samples, fit1], options: 1 },
      evaluate: { args: () => [samples, 0] },
      estimate: { args: () => [10] },
    },
  },
  MineEncoder: {
    construct: () => [{ backbone: [2, 'M', 2], statisticsUnits: 4, latentSize: 2, views: {}, gradient: 'moving-average', alpha: 0.01, seed: 1 }],
    options: 0,
    prepare: async (method: api.MineEncoder) => void method.initialize(images28),
    methods: {
      fit: { args: () => [images28, fit1], options: 1 },
      encode: { args: () => [images28, {}], options: 1 },
      save: { args: () => [path.join(directory, 'mine_encoder')] },
    },
    statics: { load: { args: () => [path.join(directory, 'mine_encoder')] } },
  },
  RelationalReasoning: {
    construct: () => [{ backbone: 'conv4', channels: [2, 2], headUnits: 4, views: 2, aggregation: 'cat', leakySlope: 0.01, loss: 'bce', focalGamma: 2, focalAlpha: 0.5, augment: 'auto', seed: 1 }],
    options: 0,
    prepare: async (method: api.RelationalReasoning) => void method.initialize(images8),
    methods: {
      fit: { args: () => [images8, fit1], options: 1 },
      encode: { args: () => [images8, {}], options: 1 },
      save: { args: () => [path.join(directory, 'relational')] },
    },
    statics: { load: { args: () => [path.join(directory, 'relational')] } },
  },
  DirectoryModelStore: {
    construct: () => [path.join(directory, 'store')],
    methods: {
      writeJson: { args: () => ['written', { a: 1 }] },
      readJson: { args: () => ['written'] },
      modelNames: { args: () => [] },
      child: { args: () => ['member'] },
    },
  },
  ProgressReporter: {
    construct: () => [{ mode: 'none', label: 'train', epochOffset: 0, lineInterval: 30 }],
    options: 0,
    methods: {
      update: { args: () => [{ epoch: 0, epochs: 1, batch: 1, batches: 2, samples: 4, seconds: 1 }] },
      epochEnd: { args: () => [{ epoch: 0, epochs: 1, batch: 2, batches: 2, samples: 8, seconds: 1 }, { loss: 1 }] },
      message: { args: () => ['text'] },
    },
  },
};

let checkpointable: api.Autoencoder | undefined;
let checkpoint: api.CheckpointInfo | undefined;

/** Frees every tensor, model or layer in a value (results and fixture arguments). */
function release(value: unknown, depth = 0, results = false): void {
  if (value === null || typeof value !== 'object' || depth > 3) return;
  if (value instanceof tf.Tensor) {
    if (!(value instanceof tf.Variable)) value.dispose();
    return;
  }
  if (value instanceof tf.LayersModel) {
    value.dispose();
    return;
  }
  if (value instanceof tf.layers.Layer) return;
  // A method (e.g. what loadCheckpoint returns) frees its models and optimisers.
  if (results && !shared.has(value) && typeof (value as { dispose?: unknown }).dispose === 'function') {
    (value as { dispose: () => void }).dispose();
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) release(item, depth + 1, results);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) for (const item of Object.values(value)) release(item, depth + 1, results);
}

/** Objects the sweep keeps across calls (a method returning `this` must not have them freed). */
const shared = new Set<unknown>();

/** Frees what a call returned, including methods it created (e.g. loadCheckpoint's). */
function releaseResult(value: unknown): void {
  release(value, 0, true);
}

/** Runs a call to the end: awaits promises, drains generators (releasing what they yield). */
async function settle(result: unknown): Promise<unknown> {
  const value = await result;
  if (value !== null && typeof value === 'object' && typeof (value as Iterator<unknown>).next === 'function' && Symbol.iterator in value) {
    for (const item of value as Iterable<unknown>) release(item);
  }
  return value;
}

/** Messages that come from the runtime or TF.js rather than from the library. */
const RAW_MESSAGE = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Cannot convert|undefined is not|null is not|Invalid array length|Maximum call stack|Argument '\w+' passed to|Error in \w+:|must be a Tensor|Unknown (layer|initializer|activation)|Invalid (typed array|time value)|Unexpected token|The "\w+" argument must be/;
/**
 * A named error: "context: message", the context a name or a dotted name with an optional note;
 * or "file:line: message" (a parse error); or "Cannot read <path>: why" (a file that cannot be read).
 */
const NAMED_MESSAGE = /^[A-Za-z_][\w.]*(?: \([^)]*\))?: |^[\w./-]+:\d+: |^Cannot (read|write) [^\s:]+: /;

interface Outcome {
  label: string;
  problem?: string;
}

/** Calls `call` with bad input and says what was wrong with the outcome, if anything. */
async function judge(label: string, call: () => unknown, mustName?: string): Promise<Outcome> {
  const before = tf.memory().numTensors;
  try {
    releaseResult(await settle(call()));
    return { label, problem: 'accepted it without an error' };
  } catch (error) {
    const leaked = tf.memory().numTensors - before;
    if (!(error instanceof Error)) return { label, problem: `threw a non-Error: ${String(error)}` };
    if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError) {
      return { label, problem: `raw ${error.constructor.name}: ${error.message}` };
    }
    if (RAW_MESSAGE.test(error.message) || !NAMED_MESSAGE.test(error.message)) return { label, problem: `unnamed error: ${error.message}` };
    if (leaked > 0) return { label, problem: `leaked ${leaked} tensor(s): ${error.message}` };
    if (mustName !== undefined && !error.message.includes(mustName)) return { label, problem: `the error does not name ${mustName}: ${error.message}` };
    return { label };
  }
}

const BAD_VALUES: Array<[string, () => unknown]> = [
  ['null', () => null],
  ['undefined', () => undefined],
  ['NaN', () => Number.NaN],
  // A path inside the sweep's folder, in case a function takes it as one.
  ['a string', () => path.join(directory, 'not-a-valid-value')],
  ['an object', () => ({ unexpected: true })],
];
const BAD_OPTIONS: Array<[string, () => unknown]> = [
  ['null', () => null],
  ['NaN', () => Number.NaN],
  ['a string', () => 'not-options'],
  ['an array', () => [1, 2]],
];

/** Values of the right type but the wrong shape, derived from a valid argument. */
function wrongShapes(valid: unknown): Array<[string, () => unknown]> {
  if (valid instanceof tf.Tensor) {
    return [
      ['a scalar tensor', () => tf.scalar(0.5)],
      ['a tensor of one more dimension', () => tf.zeros([2, ...valid.shape])],
    ];
  }
  if (valid !== null && typeof valid === 'object' && 'images' in valid && 'shape' in valid) {
    const dataset = valid as ImageDataset;
    return [
      ['a dataset whose images do not fill its shape', () => ({ ...dataset, shape: [dataset.shape[0] + 1, dataset.shape[1], dataset.shape[2]] })],
      ['a dataset of 2-D shape', () => ({ ...dataset, shape: [dataset.shape[0], dataset.shape[1]] })],
    ];
  }
  if (valid !== null && typeof valid === 'object' && 'rows' in valid && 'cols' in valid && 'data' in valid) {
    return [['a matrix whose data do not fill rows × cols', () => ({ ...(valid as object), rows: (valid as { rows: number }).rows + 1 })]];
  }
  if (Array.isArray(valid) && valid.length > 1 && Array.isArray(valid[0])) {
    return [
      ['ragged rows', () => [valid[0], [1]]],
      ['rows holding NaN', () => valid.map((row, i) => (i === 0 ? (row as number[]).map(() => Number.NaN) : row))],
    ];
  }
  if ((Array.isArray(valid) || ArrayBuffer.isView(valid)) && (valid as ArrayLike<unknown>).length > 0 && typeof (valid as ArrayLike<unknown>)[0] === 'number') {
    return [['numbers holding NaN', () => Array.from(valid as ArrayLike<number>, (v, i) => (i === 0 ? Number.NaN : v))]];
  }
  return [];
}

/** An array one entry shorter, where another argument is an array of the same length (labels and their features, two labelings…). */
function lengthMismatches(args: unknown[], position: number): Array<[string, () => unknown]> {
  const valid = args[position];
  const isList = (value: unknown): value is ArrayLike<unknown> => Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isList(valid) || valid.length < 2) return [];
  const partner = args.findIndex((other, i) => i !== position && isList(other) && other.length === valid.length);
  if (partner < 0) return [];
  return [[`one entry shorter than argument ${partner}`, () => Array.from(valid).slice(1)]];
}

/**
 * Every bad call of a function or method: one argument position at a time replaced by a bad
 * value (or a wrong shape), the other arguments valid.
 */
function badCalls(name: string, fixture: FunctionFixture, requiredCount: number): Array<{ label: string; args: () => unknown[]; mustName?: string }> {
  const calls: Array<{ label: string; args: () => unknown[]; mustName?: string }> = [];
  const sample = fixture.args();
  const count = sample.length;
  const anyValue = ANY_VALUE[name]?.positions ?? [];
  for (let position = 0; position < count; position++) {
    if (anyValue.includes(position)) continue;
    const isOptions = position === fixture.options;
    const valid = sample[position];
    const isSettings = valid !== null && typeof valid === 'object' && Object.getPrototypeOf(valid) === Object.prototype && !('images' in valid) && !('data' in valid);
    const anyString = ANY_STRING[name]?.positions.includes(position) ?? false;
    const values = (isOptions ? BAD_OPTIONS : BAD_VALUES).filter(
      ([label]) => (label !== 'undefined' || position < requiredCount) && !(label === 'an object' && isSettings) && !(label === 'a string' && anyString),
    );
    const shapes = isOptions || (fixture.anyRank ?? []).includes(position) ? [] : [...wrongShapes(valid), ...lengthMismatches(sample, position)];
    const validThere = VALID_THERE[`${name}: argument ${position}`]?.labels ?? [];
    for (const [label, make] of [...values, ...shapes].filter(([label]) => !validThere.includes(label))) {
      calls.push({
        label: `${name}: argument ${position} ${label}`,
        args: () => {
          const args = fixture.args();
          release(args[position]);
          args[position] = make();
          return args;
        },
      });
    }
  }
  // Every option the fixture sets, set to NaN instead: the error must name that option.
  const options = fixture.options === undefined ? undefined : sample[fixture.options];
  if (options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype) {
    for (const key of Object.keys(options)) {
      calls.push({
        label: `${name}: option ${key} NaN`,
        mustName: key,
        args: () => {
          const args = fixture.args();
          args[fixture.options!] = { ...(args[fixture.options!] as object), [key]: Number.NaN };
          return args;
        },
      });
    }
  }
  release(sample);
  return calls;
}

function kindOf(value: unknown): 'class' | 'function' | 'constant' {
  if (typeof value !== 'function') return 'constant';
  return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
}

/** Exports owned and swept elsewhere: the CLI (its own fault and fuzz suites) and the backend layer (being rewritten). */
const sweptElsewhere = new Map<unknown, string>([
  ...Object.values(cliLayer).map((value) => [value, 'CLI export: covered by the CLI fault and option-fuzz suites (test/faults/cli_*)'] as [unknown, string]),
  ...Object.values(backendLayer).map((value) => [value, 'backend export: its layer is being rewritten and has its own tests'] as [unknown, string]),
]);

const exported = Object.entries(api).sort(([a], [b]) => a.localeCompare(b));
const swept = exported.filter(([name, value]) => !sweptElsewhere.has(value) && !(name in NOT_SWEPT) && kindOf(value) !== 'constant');

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  png = api.renderPng(svg);
  writeFileSync(files.json, '{"a": 1}');
  mkdirSync(files.saved, { recursive: true });
  mkdirSync(files.run, { recursive: true });
  writeFileSync(path.join(files.run, 'metrics.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(files.idxImages, idxBytes([2, 2, 2], [0, 255, 255, 0, 10, 20, 30, 40]));
  writeFileSync(files.idxLabels, idxBytes([2], [1, 0]));
  for (const label of ['a', 'b']) {
    mkdirSync(path.join(files.folder, label), { recursive: true });
    writeFileSync(path.join(files.folder, label, 'image.png'), png);
  }
  mkdirSync(files.cifar, { recursive: true });
  writeFileSync(path.join(files.cifar, 'test_batch.bin'), new Uint8Array(2 * 3073).fill(7));
  mkdirSync(files.stl, { recursive: true });
  writeFileSync(path.join(files.stl, 'test_X.bin'), new Uint8Array(2 * 96 * 96 * 3).fill(9));
  writeFileSync(path.join(files.stl, 'test_y.bin'), Uint8Array.from([1, 2]));
  const model = api.mlp([2, 1], { seed: 1 });
  await api.saveLayersModel(model, files.model, 'model');
  model.dispose();
  softmaxDenseLayer = tf.layers.dense({ units: 2, activation: 'softmax' });
  softmaxDenseLayer.apply(tf.input({ shape: [3] }));
  checkpointable = new api.Autoencoder({ layers: [64, 4], seed: 1 }).initialize(images8);
  shared.add(checkpointable);
  await api.writeCheckpoint(path.join(directory, 'checkpoints_run'), checkpointable);
  checkpoint = (await api.findLatestCheckpoint(path.join(directory, 'checkpoints_run'))).latest;
  const saved = new api.Autoencoder({ layers: [64, 4], seed: 1 }).initialize(images8);
  await saved.save(files.saved);
  saved.dispose();
});
afterAll(() => {
  checkpointable?.dispose();
  softmaxDenseLayer?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('API sweep: every export of src/index.ts and src/node.ts given bad input ends in a named error', () => {
  it('lists every export: swept here, swept elsewhere (with the reason), or a constant', () => {
    const missing = swept.map(([name]) => name).filter((name) => !(name in FUNCTIONS) && !(name in CLASSES));
    const stale = [...Object.keys(FUNCTIONS), ...Object.keys(CLASSES), ...Object.keys(NOT_SWEPT)].filter((name) => !(name in api));
    const count = (kind: string) => swept.filter(([, value]) => kindOf(value) === kind).length;
    const constants = exported.filter(([, value]) => kindOf(value) === 'constant' && !sweptElsewhere.has(value)).map(([name]) => name);
    console.log(
      `API sweep covers ${exported.length} exports: ${count('function')} functions and ${count('class')} classes swept, ` +
        `${exported.filter(([, value]) => sweptElsewhere.has(value)).length} CLI/backend exports swept elsewhere, ${Object.keys(NOT_SWEPT).length} not swept (${Object.keys(NOT_SWEPT).join(', ')}), ` +
        `${constants.length} constants (${constants.join(', ')})`,
    );
    expect(missing, 'exports without a sweep fixture: add one to FUNCTIONS or CLASSES (or a reason to NOT_SWEPT)').toEqual([]);
    expect(stale, 'fixtures of names src/index.ts no longer exports').toEqual([]);
    // src/node.ts (swept here) re-exports every export of the core entry src/index.ts, unchanged.
    expect(Object.entries(coreApi).filter(([name, value]) => (api as Record<string, unknown>)[name] !== value).map(([name]) => name)).toEqual([]);
  });

  it('its judge fails what it should: a raw TypeError, a TF.js message, an unnamed error, silence, a leak', async () => {
    let leaked: tf.Tensor | undefined;
    const planted: Array<[string, () => unknown]> = [
      ['raw TypeError', () => (null as unknown as { length: number }).length],
      ['TF.js message', () => tf.add(null as unknown as tf.Tensor, 1)],
      ['unnamed error', () => {
        throw new Error('something went wrong');
      }],
      ['silence', () => 42],
      ['leak', () => {
        leaked = tf.scalar(1);
        throw new Error('planted: a named error after a leak');
      }],
    ];
    for (const [label, call] of planted) expect((await judge(label, call)).problem, label).toBeDefined();
    leaked?.dispose();
    expect((await judge('named', () => api.nmi(null as never, [1]))).problem).toBeUndefined();
  });

  it('every function, class and main method', async () => {
    const problems: string[] = [];
    let calls = 0;
    const tensorsBefore = tf.memory().numTensors;
    for (const [name, value] of swept) {
      if (kindOf(value) === 'function') {
        const fixture = FUNCTIONS[name];
        if (fixture === undefined) continue;
        const fn = value as (...args: unknown[]) => unknown;
        // The valid call works: the bad calls differ from it in one argument only.
        const beforeValid = tf.memory().numTensors;
        const validArgs = fixture.args();
        try {
          releaseResult(await settle(fn(...validArgs)));
        } catch (error) {
          problems.push(`${name}: the valid call failed: ${(error as Error).message}`);
          continue;
        } finally {
          release(validArgs);
        }
        if (tf.memory().numTensors !== beforeValid) problems.push(`${name}: the valid call left ${tf.memory().numTensors - beforeValid} tensor(s)`);
        for (const bad of badCalls(name, fixture, fn.length)) {
          const args = bad.args();
          const outcome = await judge(bad.label, () => fn(...args), bad.mustName);
          release(args);
          calls++;
          if (outcome.problem !== undefined) problems.push(`${outcome.label}: ${outcome.problem}`);
        }
        continue;
      }
      const fixture = CLASSES[name];
      if (fixture === undefined) continue;
      const Class = value as new (...args: unknown[]) => Record<string, unknown>;
      for (const bad of badCalls(`new ${name}`, { args: fixture.construct, options: fixture.options }, 0)) {
        const args = bad.args();
        const outcome = await judge(bad.label, () => new Class(...args), bad.mustName);
        calls++;
        if (outcome.problem !== undefined) problems.push(`${outcome.label}: ${outcome.problem}`);
      }
      const instance = new Class(...fixture.construct());
      shared.add(instance);
      await fixture.prepare?.(instance as never);
      for (const [key, methodFixture] of Object.entries(fixture.methods)) {
        const method = key.split(' ')[0];
        const call = (args: unknown[]) => (instance[method] as (...a: unknown[]) => unknown).apply(instance, args);
        const beforeValid = tf.memory().numTensors;
        const validArgs = methodFixture.args();
        try {
          // A method may return its own parts (autoencoderOf): only tensors are freed.
          release(await settle(call(validArgs)));
        } catch (error) {
          problems.push(`${name}.${key}: the valid call failed: ${(error as Error).message}`);
          continue;
        } finally {
          release(validArgs);
        }
        if (tf.memory().numTensors !== beforeValid && !['fit', 'initialize', 'fitClass', 'pretrainGreedy'].includes(method)) {
          problems.push(`${name}.${key}: the valid call left ${tf.memory().numTensors - beforeValid} tensor(s)`);
        }
        for (const bad of badCalls(`${name}.${key}`, methodFixture, (instance[method] as () => unknown).length)) {
          const args = bad.args();
          const outcome = await judge(bad.label, () => call(args), bad.mustName);
          release(args);
          calls++;
          if (outcome.problem !== undefined) problems.push(`${outcome.label}: ${outcome.problem}`);
        }
      }
      for (const [method, methodFixture] of Object.entries(fixture.statics ?? {})) {
        const staticCall = (Class as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
        for (const bad of badCalls(`${name}.${method}`, methodFixture, staticCall.length)) {
          const args = bad.args();
          const outcome = await judge(bad.label, () => staticCall.apply(Class, args), bad.mustName);
          calls++;
          if (outcome.problem !== undefined) problems.push(`${outcome.label}: ${outcome.problem}`);
        }
      }
      (instance.dispose as (() => void) | undefined)?.call(instance);
    }
    console.log(`API sweep: ${swept.length} exports swept, ${calls} bad calls, ${problems.length} problems`);
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(1500);
    // Valid calls, bad calls and the prepared instances together leave no tensor behind.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
