/**
 * `tfjs-unsupervised/node`: everything of the core entry (`tfjs-unsupervised`) plus what needs
 * Node.js: reading data sets from disk (IDX, MNIST, CIFAR-10, STL-10, image folders), saving and
 * loading models, checkpoints, the wasm backend's worker threads, random restarts trained side by
 * side in worker threads, and plots written to files.
 *
 * In Node one import serves: `import { IIC, loadMnist } from 'tfjs-unsupervised/node'`. Code meant
 * to run in a browser imports `tfjs-unsupervised` instead (the method classes themselves still
 * import Node's file modules for `save` / `load`; that goes with the model-format redesign).
 */
export * from './index.js';

export { defaultWasmThreads, MAX_WASM_THREADS, THREADS_ENVIRONMENT_VARIABLE } from './backend/wasm_threads.js';
export { loadIdx, parseIdx } from './data/idx.js';
export type { LoadIdxOptions } from './data/idx.js';
export { loadMnist, mnistDirectory, clearMnistCache } from './data/mnist.js';
export type { LoadMnistOptions } from './data/mnist.js';
export { loadImageFolder } from './data/image_folder.js';
export type { LoadImageFolderOptions, ImageFolderDataset, ImageFolderInfo, ByteImageFolderDataset, SkippedImage } from './data/image_folder.js';
export { loadCifar10, CIFAR10_CLASSES, CIFAR10_RECORD_BYTES } from './data/cifar10.js';
export type { LoadCifar10Options } from './data/cifar10.js';
export { loadStl10, STL10_CLASSES, STL10_IMAGE_BYTES } from './data/stl10.js';
export type { LoadStl10Options, Stl10Split } from './data/stl10.js';
export { saveLayersModel, loadLayersModel, writeFileAtomic, writeJsonAtomic, readJson, readSavedMethod } from './train/model_io.js';
export { writeCheckpoint, findLatestCheckpoint, loadCheckpoint, readCheckpointState, CHECKPOINTS_DIRECTORY, CHECKPOINT_MANIFEST } from './train/checkpoint.js';
export type { CheckpointableMethod, CheckpointFile, CheckpointManifest, CheckpointInfo, CheckpointSearch, WriteCheckpointOptions } from './train/checkpoint.js';
export { fitBestOfRestartsInWorkers } from './train/parallel_restarts.js';
export type { ParallelRestartOptions, RestartableMethodClass } from './train/parallel_restarts.js';
export { renderPng } from './plot/render.js';
export type { RenderPngOptions } from './plot/render.js';
export { readMetricsJsonl } from './plot/training_curves.js';
export { writeRunPlots } from './plot/write_run_plots.js';
export type { PlotFormat, WriteRunPlotsOptions, WrittenPlot, RunPlotsResult } from './plot/write_run_plots.js';
