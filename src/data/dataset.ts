import * as tf from '@tensorflow/tfjs';

import { seededRandom } from '../core/random.js';
import { readOptions } from './options.js';
import { checkNumberArray, checkTensor, className, describeArgument } from './checks.js';

/**
 * A dataset of images: what every method of the library trains on and evaluates. Pixels live in
 * one flat Float32Array (NHWC, row-major), never in one big tensor: batches are gathered from it.
 */
export interface ImageDataset {
  /** Pixels, NHWC row-major, values in [0, 1]: `size × height × width × channels` values. */
  images: Float32Array;
  /** Class of every image (for evaluation only; unsupervised methods never train on them). */
  labels?: Int32Array;
  /** [height, width, channels]. */
  shape: [number, number, number];
  /** Number of images. */
  size: number;
  /** Where it came from, for logs. */
  name?: string;
  /**
   * The range the pixel values lie in, checked by {@link validateDataset} (so by every method's
   * `fit` and inference). Default `[0, 1]`, what the methods' defaults assume (sigmoid
   * reconstructions, colour jitter, learning rates). Set it to opt out for another scaling, e.g.
   * `[0, 255]` or `[-1, 1]`; `[-Infinity, Infinity]` only checks that values are finite.
   */
  pixelRange?: readonly [number, number];
}

/**
 * An {@link ImageDataset} whose pixels are stored as 8-bit values (`images` a Uint8Array, value
 * v meaning v / 255), a quarter of the memory of floats: what `loadImageFolder` gives with
 * `pixels: 'uint8'` (and the CLI's `folder:` datasets use). The dataset helpers
 * ({@link validateDataset}, {@link gatherRows}, {@link toTensor}, {@link subset}, {@link split},
 * `iterateBatches`) accept it and convert to float32 in [0, 1] only when rows are gathered into
 * a batch, so every method's `fit` and inference read it through them (pass it where an
 * `ImageDataset` is expected with `as unknown as ImageDataset`; code that reads `images`
 * itself must divide by 255).
 */
export type ByteImageDataset = Omit<ImageDataset, 'images'> & { images: Uint8Array };

/** A dataset of float pixels or of 8-bit pixels (see {@link ByteImageDataset}). */
export type AnyImageDataset = Omit<ImageDataset, 'images'> & { images: Float32Array | Uint8Array };

const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Pixels as float32 in [0, 1]: a float array as it is, bytes converted (byte / 255) into a new array. */
function unitPixels(pixels: Float32Array | Uint8Array): Float32Array {
  if (pixels instanceof Float32Array) return pixels;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = BYTE_TO_UNIT[pixels[i]];
  return out;
}

/** The pixel range a dataset is checked against when it sets none: [0, 1]. */
export const DEFAULT_PIXEL_RANGE: readonly [number, number] = [0, 1];

/** An image dataset whose labels are known (e.g. MNIST); still used without labels for training. */
export type LabelledImageDataset = ImageDataset & { labels: Int32Array };

/** A contiguous range of rows: `start` included, `end` excluded. */
export interface RowRange {
  /** First row. */
  start: number;
  /** One past the last row. */
  end: number;
}

/** Which rows to take: a list of row indices (any order, repeats allowed) or a {@link RowRange}. */
export type RowSelection = ArrayLike<number> | RowRange;

/**
 * Values per image: height × width × channels.
 *
 * @throws when `dataset` has no valid shape [height, width, channels].
 */
export function flattenedDimension(dataset: Pick<AnyImageDataset, 'shape'>): number {
  if (dataset === null || typeof dataset !== 'object') throw new Error(`flattenedDimension: expected a dataset with a shape, got ${describeArgument(dataset)}.`);
  checkShape(dataset.shape, 'flattenedDimension');
  return dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
}

function checkShape(shape: unknown, context: string): void {
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`${context}: shape must be [height, width, channels] of positive integers, got ${JSON.stringify(shape) ?? String(shape)}.`);
  }
}

/**
 * Checks a dataset's structure without reading its pixels (what every function taking a dataset
 * needs; {@link validateDataset} also scans the values): an object with a Float32Array of images,
 * a valid shape, a non-negative integer size, images and labels of matching lengths.
 *
 * @throws an error naming `context` otherwise.
 */
export function checkDatasetStructure(dataset: AnyImageDataset, context: string): void {
  if (dataset === null || typeof dataset !== 'object' || Array.isArray(dataset)) {
    throw new Error(`${context}: expected an ImageDataset { images: Float32Array, shape, size }, got ${describeArgument(dataset)}.`);
  }
  if (!(dataset.images instanceof Float32Array) && !(dataset.images instanceof Uint8Array && !(dataset.images instanceof Uint8ClampedArray))) {
    throw new Error(`${context}: images must be a Float32Array (NHWC, values in [0, 1]), got ${describe(dataset.images)}.`);
  }
  const { images, labels, shape, size } = dataset;
  checkShape(shape, context);
  if (!Number.isInteger(size) || size < 0) throw new Error(`${context}: size must be a non-negative integer, got ${size}.`);
  const d = shape[0] * shape[1] * shape[2];
  if (images.length !== size * d) {
    throw new Error(`${context}: images has ${images.length} values, expected size × ${shape.join(' × ')} = ${size * d}.`);
  }
  if (labels !== undefined) {
    if (!(labels instanceof Int32Array)) throw new Error(`${context}: labels must be an Int32Array, got ${describe(labels)}.`);
    if (labels.length !== size) throw new Error(`${context}: labels has ${labels.length} entries for ${size} images.`);
  }
}

/**
 * Checks a dataset: a valid shape, non-empty, images and labels of the right lengths, finite
 * pixels (naming the first non-finite value's image, position and flat index) within the
 * dataset's `pixelRange` (default [0, 1]: images scaled to [0, 255] get an error naming the range
 * found and how to opt out). Throws a clear error; returns nothing. Scans every pixel once (a
 * fraction of a second for MNIST's 47 M values).
 *
 * @param context prefix of the error messages (e.g. the calling method). Default `'dataset'`.
 * @throws when any of the above does not hold.
 */
export function validateDataset(dataset: AnyImageDataset, context = 'dataset'): void {
  checkDatasetStructure(dataset, context);
  const { shape, size } = dataset;
  if (size === 0) throw new Error(`${context}: the dataset is empty (size 0).`);
  const d = shape[0] * shape[1] * shape[2];
  const range = dataset.pixelRange ?? DEFAULT_PIXEL_RANGE;
  if (!Array.isArray(range) || range.length !== 2 || typeof range[0] !== 'number' || typeof range[1] !== 'number' || Number.isNaN(range[0]) || Number.isNaN(range[1]) || !(range[0] < range[1])) {
    throw new Error(`${context}: pixelRange must be [low, high] with low < high, got ${JSON.stringify(range)}.`);
  }
  const [low, high] = range;
  // 8-bit pixels are finite and lie in [0, 1] (byte / 255): only a pixelRange narrower than that needs their values.
  if (dataset.images instanceof Uint8Array && low <= 0 && high >= 1) return;
  const images = unitPixels(dataset.images);
  let outside = -1;
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one comparison per pixel.
    if (v - v !== 0) {
      throw new Error(
        `${context}: image ${Math.floor(i / d)} has a non-finite value (${v}) at position ${i % d} (images[${i}]); NaN or infinite inputs cannot be trained on.`,
      );
    }
    if (outside < 0 && (v < low || v > high)) outside = i;
  }
  if (outside >= 0) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < images.length; i++) {
      if (images[i] < min) min = images[i];
      if (images[i] > max) max = images[i];
    }
    const v = images[outside];
    throw new Error(
      `${context}: pixel values lie in [${min}, ${max}] but must be in [${low}, ${high}]${dataset.pixelRange === undefined ? ' (the default)' : ' (the dataset\'s pixelRange)'}: ` +
        `image ${Math.floor(outside / d)} has ${v} at position ${outside % d}. Scale the images to [${low}, ${high}] (e.g. divide [0, 255] pixels by 255), ` +
        `or set the dataset's pixelRange to the scaling you use (e.g. pixelRange: [0, 255]) to opt out.`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return className(value as object) ?? 'object';
}

/** Checks a row selection: an array or typed array of indices, or a range { start, end }. */
function checkRows(rows: unknown, context: string): void {
  if (Array.isArray(rows) || (ArrayBuffer.isView(rows) && !(rows instanceof DataView))) return;
  if (rows !== null && typeof rows === 'object' && 'start' in rows && 'end' in rows) return;
  throw new Error(`${context}: rows must be a list of row indices or a range { start, end }, got ${describeArgument(rows)}.`);
}

function isRange(rows: RowSelection): rows is RowRange {
  return typeof rows === 'object' && rows !== null && !ArrayBuffer.isView(rows) && !Array.isArray(rows) && 'start' in rows && 'end' in rows;
}

function checkRange(dataset: AnyImageDataset, range: RowRange, context: string): void {
  const { start, end } = range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > dataset.size || start > end) {
    throw new Error(`${context}: range [${start}, ${end}) is not within [0, ${dataset.size}].`);
  }
}

/**
 * The images at `rows` (a list of row indices, or a range `{ start, end }`) as a new dataset with
 * the same shape and name. A range shares memory with the source (subarrays, no copy: writing to
 * one writes to the other); a list of rows is gathered into new arrays, in the listed order.
 *
 * @throws when a row index or the range is outside the dataset.
 */
export function subset(dataset: ImageDataset, rows: RowSelection): ImageDataset;
export function subset(dataset: ByteImageDataset, rows: RowSelection): ByteImageDataset;
export function subset(dataset: AnyImageDataset, rows: RowSelection): AnyImageDataset;
export function subset(dataset: AnyImageDataset, rows: RowSelection): AnyImageDataset {
  checkDatasetStructure(dataset, 'subset');
  checkRows(rows, 'subset');
  if (isRange(rows)) {
    checkRange(dataset, rows, 'subset');
    const d = flattenedDimension(dataset);
    const { start, end } = rows;
    const part: AnyImageDataset = { images: dataset.images.subarray(start * d, end * d), shape: [...dataset.shape], size: end - start };
    if (dataset.labels !== undefined) part.labels = dataset.labels.subarray(start, end);
    if (dataset.name !== undefined) part.name = dataset.name;
    if (dataset.pixelRange !== undefined) part.pixelRange = [...dataset.pixelRange];
    return part;
  }
  const images = dataset.images instanceof Uint8Array ? gatherPixels(dataset.images, dataset, rows, 'subset') : gatherRows(dataset, rows, 'subset');
  const part: AnyImageDataset = { images, shape: [...dataset.shape], size: rows.length };
  if (dataset.labels !== undefined) part.labels = gatherLabels(dataset.labels, rows);
  if (dataset.name !== undefined) part.name = dataset.name;
  if (dataset.pixelRange !== undefined) part.pixelRange = [...dataset.pixelRange];
  return part;
}

/**
 * Copies the images at `rows` into one new Float32Array (NHWC, row-major, in the listed order);
 * 8-bit pixels ({@link ByteImageDataset}) become byte / 255 on the way.
 *
 * @param context prefix of the error message. Default `'gatherRows'`.
 * @throws when a row index is not an integer in [0, size).
 */
export function gatherRows(dataset: AnyImageDataset, rows: ArrayLike<number>, context = 'gatherRows'): Float32Array {
  checkDatasetStructure(dataset, context);
  checkNumberArray(rows, 'rows', context);
  const d = flattenedDimension(dataset);
  const { images, size } = dataset;
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`${context}: row index ${i} is out of range [0, ${size}).`);
    if (images instanceof Float32Array) {
      out.set(images.subarray(i * d, (i + 1) * d), r * d);
    } else {
      for (let k = 0, source = i * d, target = r * d; k < d; k++) out[target + k] = BYTE_TO_UNIT[images[source + k]];
    }
  }
  return out;
}

/** The 8-bit pixels at `rows` copied into a new Uint8Array (rows checked as in {@link gatherRows}). */
function gatherPixels(images: Uint8Array, dataset: AnyImageDataset, rows: ArrayLike<number>, context: string): Uint8Array {
  checkNumberArray(rows, 'rows', context);
  const d = flattenedDimension(dataset);
  const out = new Uint8Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.size) throw new Error(`${context}: row index ${i} is out of range [0, ${dataset.size}).`);
    out.set(images.subarray(i * d, (i + 1) * d), r * d);
  }
  return out;
}

/** The labels at `rows` (already checked against the dataset's size) as a new Int32Array. */
function gatherLabels(labels: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = labels[rows[r]];
  return out;
}

/** Options of {@link split}. */
export interface SplitOptions {
  /** Shuffle before splitting. Default `true`; `false` keeps the order (`test` = the last rows). */
  shuffle?: boolean;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
}

/**
 * Splits a dataset in two disjoint parts that together hold every image once: `testSize` images
 * go to `test`, the rest to `train`. `testSize` is a fraction in (0, 1) (rounded to a count) or a
 * whole count in [1, size − 1]; note that `1` means one image, not everything.
 *
 * Shuffled (seeded) by default: both parts are then gathered copies, each in the permuted order.
 * With `shuffle: false`, `train` is the first rows and `test` the last, as subarrays sharing
 * memory with `dataset` (see {@link subset}).
 *
 * @throws when `testSize` leaves either part empty.
 */
export function split(dataset: ImageDataset, testSize: number, options?: SplitOptions): { train: ImageDataset; test: ImageDataset };
export function split(dataset: ByteImageDataset, testSize: number, options?: SplitOptions): { train: ByteImageDataset; test: ByteImageDataset };
export function split(dataset: AnyImageDataset, testSize: number, options?: SplitOptions): { train: AnyImageDataset; test: AnyImageDataset };
export function split(dataset: AnyImageDataset, testSize: number, options: SplitOptions = {}): { train: AnyImageDataset; test: AnyImageDataset } {
  options = readOptions(options, 'split', { shuffle: 'boolean', seed: 'number' });
  checkDatasetStructure(dataset, 'split');
  const { seed = 0, shuffle = true } = options;
  const count = testSize > 0 && testSize < 1 ? Math.round(testSize * dataset.size) : testSize;
  if (!Number.isFinite(testSize) || !(testSize > 0) || !Number.isInteger(count) || count < 1 || count >= dataset.size) {
    throw new Error(
      `split: test size ${testSize} must be a fraction in (0, 1) or a count in [1, ${dataset.size - 1}] that leaves both parts non-empty (the dataset has ${dataset.size} images).`,
    );
  }
  const trainSize = dataset.size - count;
  if (!shuffle) return { train: subset(dataset, { start: 0, end: trainSize }), test: subset(dataset, { start: trainSize, end: dataset.size }) };
  const order = seededRandom(seed, 'split').permutation(dataset.size);
  return { train: subset(dataset, order.subarray(count)), test: subset(dataset, order.subarray(0, count)) };
}

/**
 * The images at `rows` as a tensor [n, height, width, channels]; the caller owns and disposes it.
 * Copies no more than needed: a list of rows is gathered into a fresh array of just those rows;
 * all rows (`rows` omitted) or a range `{ start, end }` are handed to TensorFlow.js as a view of
 * `dataset.images`, which some backends (cpu) keep without copying. So do not modify
 * `dataset.images` while such a tensor is alive.
 *
 * @throws when a row index or the range is outside the dataset, or no row is selected.
 */
export function toTensor(dataset: AnyImageDataset, rows?: RowSelection): tf.Tensor4D {
  checkDatasetStructure(dataset, 'toTensor');
  if (rows !== undefined) checkRows(rows, 'toTensor');
  const d = flattenedDimension(dataset);
  let data: Float32Array;
  let n: number;
  if (rows === undefined) {
    n = dataset.size;
    data = unitPixels(dataset.images.subarray(0, n * d));
  } else if (isRange(rows)) {
    checkRange(dataset, rows, 'toTensor');
    n = rows.end - rows.start;
    data = unitPixels(dataset.images.subarray(rows.start * d, rows.end * d));
  } else {
    n = rows.length;
    data = gatherRows(dataset, rows, 'toTensor');
  }
  if (n === 0) throw new Error('toTensor: no rows selected (a tensor of 0 images is almost certainly a mistake).');
  if (data.length !== n * d) throw new Error(`toTensor: images has ${dataset.images.length} values, too few for ${dataset.size} images of ${dataset.shape.join(' × ')}.`);
  return tf.tensor4d(data, [n, ...dataset.shape]);
}

/** Options of {@link datasetFromTensor}. */
export interface DatasetFromTensorOptions {
  /** Class of every image: an array or a 1-D tensor (not disposed). Default: none. */
  labels?: ArrayLike<number> | tf.Tensor;
  /** Name of the dataset. Default: none. */
  name?: string;
  /** The dataset's {@link ImageDataset.pixelRange} (for scalings other than [0, 1]). Default: none ([0, 1]). */
  pixelRange?: readonly [number, number];
}

/**
 * A dataset from a tensor of images [n, height, width, channels] (read asynchronously, copied,
 * the tensor is not disposed) and optional labels. Values are taken as they are: scale them to
 * [0, 1] first, or give their range as `pixelRange`.
 *
 * @param labels the labels, or an options object with `labels` and `name`.
 * @throws when the tensor is not 4-D or empty, or labels do not match the images in count.
 */
export async function datasetFromTensor(images: tf.Tensor, labels?: ArrayLike<number> | tf.Tensor | DatasetFromTensorOptions): Promise<ImageDataset> {
  checkTensor(images, 'images', 'datasetFromTensor');
  if (images.rank !== 4) throw new Error(`datasetFromTensor: expected images [n, height, width, channels], got shape [${images.shape}].`);
  if (labels !== undefined && (labels === null || typeof labels !== 'object')) {
    throw new Error(`datasetFromTensor: the second argument must be labels (an array or a 1-D tensor) or options { labels, name, pixelRange }, got ${describeArgument(labels)}.`);
  }
  const options: DatasetFromTensorOptions = labels === undefined || labels instanceof tf.Tensor || isArrayLike(labels) ? { labels } : labels;
  const [n, h, w, c] = images.shape as [number, number, number, number];
  if (n === 0) throw new Error('datasetFromTensor: the tensor holds no images.');
  // data() may return the backend's own array (cpu): copy so the dataset owns its pixels.
  const values = await images.data();
  const pixels = values instanceof Float32Array ? values.slice() : Float32Array.from(values as ArrayLike<number>);
  const dataset: ImageDataset = { images: pixels, shape: [h, w, c], size: n };
  if (options.labels !== undefined) {
    const raw = options.labels instanceof tf.Tensor ? await options.labels.data() : options.labels;
    if (options.labels instanceof tf.Tensor && options.labels.rank !== 1) {
      throw new Error(`datasetFromTensor: labels must be 1-D, got shape [${options.labels.shape}].`);
    }
    if (raw.length !== n) throw new Error(`datasetFromTensor: ${raw.length} labels for ${n} images.`);
    const ints = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = Number(raw[i]);
      if (!Number.isInteger(label)) throw new Error(`datasetFromTensor: label ${i} is ${String(raw[i])}, not an integer.`);
      ints[i] = label;
    }
    dataset.labels = ints;
  }
  if (options.name !== undefined) dataset.name = options.name;
  if (options.pixelRange !== undefined) dataset.pixelRange = [...options.pixelRange];
  return dataset;
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}
