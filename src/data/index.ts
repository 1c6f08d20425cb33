/**
 * The data layer: the {@link ImageDataset} type and its helpers, the seeded PRNG, IDX and MNIST
 * loading, mini-batching, samplers and augmentations.
 */
export type { ImageDataset, ByteImageDataset, AnyImageDataset, LabelledImageDataset, RowRange, RowSelection, SplitOptions, DatasetFromTensorOptions } from './dataset.js';
export { validateDataset, subset, split, gatherRows, flattenedDimension, toTensor, datasetFromTensor } from './dataset.js';
export { createRandom } from '../core/random.js';
export type { Random, MutableArrayLike } from '../core/random.js';
export { loadIdx, parseIdx } from './idx.js';
export type { IdxArray, IdxDataType, IdxValues, LoadIdxOptions } from './idx.js';
export { loadMnist, mnistDirectory, clearMnistCache } from './mnist.js';
export type { LoadMnistOptions } from './mnist.js';
export { loadImageFolder } from './image_folder.js';
export type { LoadImageFolderOptions, ImageFolderDataset, ImageFolderInfo, ByteImageFolderDataset, ImageChannels, SkippedImage } from './image_folder.js';
export { decodeImageFiles } from './image_decode_browser.js';
export type { DecodeImageFilesOptions, DecodedImages } from './image_decode_browser.js';
export { batchIndices, gatherImages, iterateBatches } from './batching.js';
export type { BatchOptions, IterateBatchesOptions, TensorBatch } from './batching.js';
export { uniformClusterSampler } from './cluster_sampler.js';
export { bivariateGaussian, gaussianMutualInformation, validatePairedSamples } from './paired_samples.js';
export type { PairedSamples } from './paired_samples.js';
export { addNoise, validateNoise } from './augment/noise.js';
export type { NoiseOptions } from './augment/noise.js';
export { centerCrop, randomCrop, randomResizedCrop, rotate, randomRotation, randomHorizontalFlip, cropAndResizeBoxes } from './augment/geometric.js';
export type { PixelBox } from './augment/geometric.js';
export { iicMnistAugment, iicViewsForShape, IIC_DEFAULT_COLOR_JITTER } from './augment/iic_views.js';
export type { IicViewOptions, PairedViews } from './augment/iic_views.js';
export { loadCifar10, CIFAR10_CLASSES, CIFAR10_RECORD_BYTES } from './cifar10.js';
export type { LoadCifar10Options } from './cifar10.js';
export { loadStl10, STL10_CLASSES, STL10_IMAGE_BYTES } from './stl10.js';
export type { LoadStl10Options, Stl10Split } from './stl10.js';
export { colorJitter, randomGrayscale, rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, validateColorJitter, LUMA_WEIGHTS } from './augment/color.js';
export type { ColorJitterOptions } from './augment/color.js';
export { relationalAugment, resolveRelationalAugment } from './augment/relational_views.js';
export type { RelationalAugmentOptions, RelationalAugmentPreset, ResolvedRelationalAugment, ViewFunction } from './augment/relational_views.js';
