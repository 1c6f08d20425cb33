/**
 * Image files in the browser (e.g. from `<input type="file" multiple>` or `fetch`) as an
 * {@link ImageDataset}, decoded by `createImageBitmap` and resized on an `OffscreenCanvas` by the
 * same policy as the Node reader (`loadImageFolder`): cover the output size (short side
 * fits), centre crop. Browser-safe: no Node imports (also runs in a worker).
 */
import { describeArgument } from './checks.js';
import type { ImageDataset } from './dataset.js';
import { bytesToUnitRange, centreCropRectangle, checkImageChannels, checkImageSize, defaultImageSize, skippedWarning } from './image_pixels.js';
import type { ImageChannels, SkippedImage } from './image_pixels.js';

/** Options of {@link decodeImageFiles}. */
export interface DecodeImageFilesOptions {
  /** Output size [height, width]. Default: the first image's (at most 256 × 256). */
  size?: [number, number];
  /**
   * 1 (grey: 0.299 R + 0.587 G + 0.114 B, rounded) or 3 (RGB). Alpha is dropped (the canvas
   * composites onto transparent black, so transparent pixels become black). Default: 3.
   */
  channels?: ImageChannels;
  /** Row ids, one per blob. Default: each `File`'s `name`, else its index. */
  ids?: string[];
  /** Class of every blob (for evaluation). Default: none. */
  labels?: ArrayLike<number>;
  /** Throw on the first blob that cannot be decoded, naming it. Default `false`: skip it and warn. */
  strict?: boolean;
  /** Name of the dataset. Default `'images'`. */
  name?: string;
  /** Where the warning about skipped blobs goes. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Images decoded by {@link decodeImageFiles}: an {@link ImageDataset} with row ids. */
export interface DecodedImages extends ImageDataset {
  /** The id of every row (file names by default), in row order. */
  ids: string[];
  /** The blobs that could not be decoded (none with `strict`). */
  skipped: SkippedImage[];
}

/** The part of the browser's ImageBitmap used here (the library compiles without the DOM types). */
interface BitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

/** The part of OffscreenCanvasRenderingContext2D used here. */
interface Context2dLike {
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: string;
  clearRect(x: number, y: number, width: number, height: number): void;
  drawImage(image: BitmapLike, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
}

/** The browser globals used here. */
interface BrowserImageGlobals {
  createImageBitmap(blob: Blob): Promise<BitmapLike>;
  OffscreenCanvas: new (width: number, height: number) => { getContext(kind: '2d', options?: { willReadFrequently?: boolean }): Context2dLike | null };
}

/** Luma weights of the grey conversion (ITU-R BT.601). */
const GREY_WEIGHTS = [0.299, 0.587, 0.114] as const;

/**
 * Decodes image blobs (PNG, JPEG, WebP, GIF: whatever the browser decodes) into a dataset: pixels
 * NHWC in [0, 1] (8-bit values / 255), resized by the shared policy (cover the output size,
 * centre crop; an image of the output size is copied unchanged). Blobs that cannot be decoded are
 * skipped with one warning (their count and first names), or with `strict` an error naming one.
 *
 * Needs `createImageBitmap` and `OffscreenCanvas` (browsers and workers; not Node: use
 * `loadImageFolder` there).
 *
 * @throws when the environment lacks them, no blob is given, none decodes, or (with `strict`)
 *   one does not.
 */
export async function decodeImageFiles(blobs: readonly Blob[], options: DecodeImageFilesOptions = {}): Promise<DecodedImages> {
  const context = 'decodeImageFiles';
  if (!Array.isArray(blobs) || blobs.length === 0) throw new Error(`${context}: blobs must be a non-empty list of Blob or File objects, got ${describe(blobs)}.`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${context}: options must be an object, got ${describe(options)}.`);
  const globals = globalThis as unknown as Partial<BrowserImageGlobals> & { Blob?: unknown };
  if (typeof globals.createImageBitmap !== 'function' || typeof globals.OffscreenCanvas !== 'function') {
    throw new Error(`${context}: needs createImageBitmap and OffscreenCanvas (a browser or a web worker); in Node use loadImageFolder (with the package sharp).`);
  }
  const BlobClass = globals.Blob as typeof Blob;
  blobs.forEach((blob, i) => {
    if (!(blob instanceof BlobClass)) throw new Error(`${context}: blobs[${i}] must be a Blob or File, got ${describe(blob)}.`);
  });
  let size = checkImageSize(options.size, context);
  const channels = checkImageChannels(options.channels, context) ?? 3;
  if (options.ids !== undefined && (!Array.isArray(options.ids) || options.ids.length !== blobs.length || options.ids.some((id) => typeof id !== 'string'))) {
    throw new Error(`${context}: ids must be a list of ${blobs.length} strings (one per blob), got ${describe(options.ids)}.`);
  }
  if (options.labels !== undefined) {
    const labels = options.labels;
    if (labels === null || typeof labels !== 'object' || labels.length !== blobs.length) throw new Error(`${context}: labels must list ${blobs.length} integers (one per blob), got ${describe(labels)}.`);
    for (let i = 0; i < labels.length; i++) if (!Number.isInteger(labels[i])) throw new Error(`${context}: label ${i} is ${String(labels[i])}, not an integer.`);
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') throw new Error(`${context}: strict must be true or false, got ${describe(options.strict)}.`);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw new Error(`${context}: onWarning must be a function, got ${describe(options.onWarning)}.`);
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const ids = options.ids ?? blobs.map((blob, i) => ((blob as File).name ? (blob as File).name : String(i)));

  const skipped: SkippedImage[] = [];
  const kept: number[] = [];
  let bytes: Uint8Array | undefined;
  const browser = globals as BrowserImageGlobals;
  let context2d: Context2dLike | undefined;
  for (let i = 0; i < blobs.length; i++) {
    let bitmap: BitmapLike;
    try {
      bitmap = await browser.createImageBitmap(blobs[i]);
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      if (options.strict === true) throw new Error(`${context}: cannot decode ${ids[i]}: ${reason}.`);
      skipped.push({ file: ids[i], reason });
      continue;
    }
    try {
      if (size === undefined) size = defaultImageSize(bitmap.height, bitmap.width, ids[i], context, 'size: [64, 64]');
      const [height, width] = size;
      if (context2d === undefined) {
        context2d = new browser.OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true }) ?? undefined;
        if (context2d === undefined) throw new Error(`${context}: cannot get a 2D context of an OffscreenCanvas.`);
        context2d.imageSmoothingEnabled = true;
        context2d.imageSmoothingQuality = 'high';
        bytes = new Uint8Array(blobs.length * height * width * channels);
      }
      const crop = centreCropRectangle(bitmap.height, bitmap.width, height, width);
      context2d!.clearRect(0, 0, width, height);
      context2d!.drawImage(bitmap, crop.left, crop.top, crop.width, crop.height, 0, 0, width, height);
      const rgba = context2d!.getImageData(0, 0, width, height).data;
      const row = kept.length;
      const out = bytes!.subarray(row * height * width * channels, (row + 1) * height * width * channels);
      if (channels === 3) {
        for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
          out[q] = rgba[p];
          out[q + 1] = rgba[p + 1];
          out[q + 2] = rgba[p + 2];
        }
      } else {
        for (let p = 0, q = 0; p < rgba.length; p += 4, q++) {
          out[q] = Math.round(GREY_WEIGHTS[0] * rgba[p] + GREY_WEIGHTS[1] * rgba[p + 1] + GREY_WEIGHTS[2] * rgba[p + 2]);
        }
      }
      kept.push(i);
    } finally {
      bitmap.close();
    }
  }
  if (kept.length === 0 || size === undefined || bytes === undefined) {
    throw new Error(`${context}: none of the ${blobs.length} blobs could be decoded; the first: ${skipped[0]?.file} (${skipped[0]?.reason}).`);
  }
  if (skipped.length > 0) warn(skippedWarning(context, skipped));
  const d = size[0] * size[1] * channels;
  const dataset: DecodedImages = {
    images: bytesToUnitRange(bytes.subarray(0, kept.length * d)),
    shape: [size[0], size[1], channels],
    size: kept.length,
    name: options.name ?? 'images',
    ids: kept.map((i) => ids[i]),
    skipped,
  };
  if (options.labels !== undefined) {
    const labels = options.labels;
    dataset.labels = Int32Array.from(kept, (i) => labels[i]);
  }
  return dataset;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return describeArgument(value);
}
