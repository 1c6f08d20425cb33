/**
 * Folders of image files (PNG, JPEG, WebP, GIF, TIFF, AVIF) as an {@link ImageDataset}, in the
 * ImageFolder convention: every subfolder is a class (classes sorted by name), a flat folder is
 * unlabelled. Node-only (node:fs); decoding and resizing by the optional peer `sharp`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { ByteImageDataset, ImageDataset } from './dataset.js';
import { checkString } from './checks.js';
import { readOptions } from './options.js';
import { bytesToUnitRange, checkImageChannels, checkImageSize, defaultImageSize, skippedWarning } from './image_pixels.js';
import type { ImageChannels, SkippedImage } from './image_pixels.js';

export type { ImageChannels, SkippedImage } from './image_pixels.js';

/** File extensions read by default (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/** Options of {@link loadImageFolder}. */
export interface LoadImageFolderOptions {
  /**
   * Output size [height, width]. Every image is resized so that it covers this size (its short
   * side, relative to the output's aspect ratio, fits exactly; Lanczos-3) and the centre is cut
   * out; an image of this size already is taken as it is. Default: the size of the first image
   * (in sorted order), which must then be at most 256 × 256.
   */
  size?: [number, number];
  /**
   * 1 (grey) or 3 (RGB). Colour images become grey by libvips' luminance, grey images RGB by
   * repeating the value; alpha is dropped. Default: the first image's (1 when it is grey).
   */
  channels?: ImageChannels;
  /**
   * `'subfolders'`: every subfolder is a class (named by the folder, classes sorted, images in
   * nested folders belong to their top folder's class); `'none'`: no labels, images are read from
   * the folder and all its subfolders. Default: `'subfolders'` when the folder holds subfolders
   * and no image files of its own, else `'none'`.
   */
  labels?: 'subfolders' | 'none';
  /** File extensions to read (case-insensitive, with or without the dot). Default {@link IMAGE_EXTENSIONS}. */
  extensions?: string[];
  /** Throw on the first file that cannot be decoded, naming it. Default `false`: skip it and warn. */
  strict?: boolean;
  /** Read only the first `limit` files (in sorted order). Default: all. */
  limit?: number;
  /** Name of the dataset. Default: the folder's name. */
  name?: string;
  /** Where the warning about skipped files goes. Default `console.warn`. */
  onWarning?: (message: string) => void;
  /** Files decoded at once. Default 8. */
  concurrency?: number;
  /**
   * How the pixels are stored: `'float32'` (default), an {@link ImageDataset} in [0, 1], or
   * `'uint8'`, a {@link ByteImageDataset} of the decoded bytes (a quarter of the memory; the
   * dataset helpers convert rows to floats only when they are batched).
   */
  pixels?: 'float32' | 'uint8';
}


/** What an image folder adds to a dataset: the files' ids, the classes, the skipped files. */
export interface ImageFolderInfo {
  /** Row ids: every image's path relative to the folder, with `/` separators, in row order. */
  ids: string[];
  /** Class names (subfolder names, sorted) when labelled; label i is `classes[i]`. */
  classes?: string[];
  /** The files that could not be decoded (none with `strict`). */
  skipped: SkippedImage[];
}

/** An image folder read by {@link loadImageFolder}: an {@link ImageDataset} with the files' ids. */
export type ImageFolderDataset = ImageDataset & ImageFolderInfo;

/** An image folder read with `pixels: 'uint8'`: a {@link ByteImageDataset} with the files' ids. */
export type ByteImageFolderDataset = ByteImageDataset & ImageFolderInfo;

/** The sharp function, loaded on first use (an optional peer). */
type SharpFunction = typeof import('sharp').default;

let sharpModule: Promise<SharpFunction> | undefined;

/**
 * Loads the optional peer `sharp`.
 *
 * @throws an error naming the package and how to install it when it is missing.
 */
async function loadSharp(context: string): Promise<SharpFunction> {
  sharpModule ??= import('sharp').then(
    (module) => ((module as unknown as { default?: SharpFunction }).default ?? (module as unknown as SharpFunction)),
    (error: Error) => {
      sharpModule = undefined;
      throw new Error(`${context}: decoding images needs the optional package sharp, which is not installed: npm install sharp (${error.message.split('\n')[0]}).`);
    },
  );
  return sharpModule;
}

/** Sorts names by code units (the same order on every machine and locale). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Files and subfolders of a folder, hidden entries (dot names) left out, sorted. */
async function listFolder(directory: string): Promise<{ files: string[]; folders: string[] }> {
  const entries = await fs.readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  const folders: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    let isFolder = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await fs.stat(path.join(directory, entry.name)).catch(() => undefined);
      isFolder = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isFolder) folders.push(entry.name);
    else if (isFile) files.push(entry.name);
  }
  return { files: files.sort(byCodeUnits), folders: folders.sort(byCodeUnits) };
}

/** Every file under `directory` (recursively) as paths relative to `root` with `/`, sorted. */
async function listFilesRecursively(root: string, relative: string, out: string[]): Promise<void> {
  const { files, folders } = await listFolder(path.join(root, relative));
  const entries = [...files.map((name) => ({ name, folder: false })), ...folders.map((name) => ({ name, folder: true }))].sort((a, b) => byCodeUnits(a.name, b.name));
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.folder) await listFilesRecursively(root, child, out);
    else out.push(child);
  }
}

function normaliseExtensions(extensions: unknown, context: string): Set<string> {
  if (extensions === undefined) return new Set(IMAGE_EXTENSIONS);
  if (!Array.isArray(extensions) || extensions.length === 0 || extensions.some((e) => typeof e !== 'string' || e.replace(/^\./, '') === '')) {
    throw new Error(`${context}: extensions must be a non-empty list of file extensions such as ['.png', '.jpg'], got ${JSON.stringify(extensions) ?? String(extensions)}.`);
  }
  return new Set((extensions as string[]).map((e) => `.${e.replace(/^\./, '').toLowerCase()}`));
}

/**
 * Reads a folder of images into an {@link ImageFolderDataset}: pixels NHWC in [0, 1] (8-bit
 * values / 255, the same floats as {@link loadIdx} gives for the same bytes), labels from
 * subfolders, and row ids (the files' relative paths).
 *
 * Resize policy (for images of mixed sizes and formats): each image is scaled so that it covers
 * the output size (the short side fits; Lanczos-3), then the centre is cut out; an image of the
 * output size is copied unchanged (8-bit grey PNG files round-trip bit for bit). EXIF
 * orientation is applied first. Files that cannot be decoded are skipped, with one warning giving
 * their count and the first names (or, with `strict`, an error naming the file).
 *
 * Needs the optional peer package `sharp` (`npm install sharp`).
 *
 * @param directory the folder.
 * @throws when the folder does not exist, holds no image files (naming the extensions looked
 *   for), every file fails to decode, sharp is missing, or (with `strict`) a file cannot be decoded.
 */
export async function loadImageFolder(directory: string, options?: LoadImageFolderOptions & { pixels?: 'float32' }): Promise<ImageFolderDataset>;
export async function loadImageFolder(directory: string, options: LoadImageFolderOptions & { pixels: 'uint8' }): Promise<ByteImageFolderDataset>;
export async function loadImageFolder(directory: string, options?: LoadImageFolderOptions): Promise<ImageFolderDataset | ByteImageFolderDataset>;
export async function loadImageFolder(directory: string, options: LoadImageFolderOptions = {}): Promise<ImageFolderDataset | ByteImageFolderDataset> {
  const context = 'loadImageFolder';
  checkString(directory, 'directory', context);
  options = readOptions(options, context, {
    size: 'list',
    channels: 'number',
    labels: 'string',
    extensions: 'list',
    strict: 'boolean',
    limit: 'number',
    name: 'string',
    onWarning: 'function',
    concurrency: 'number',
    pixels: 'string',
  });
  if (options.pixels !== undefined && options.pixels !== 'float32' && options.pixels !== 'uint8') throw new Error(`${context}: pixels must be 'float32' or 'uint8', got '${options.pixels}'.`);
  let size = checkImageSize(options.size, context);
  let channels = checkImageChannels(options.channels, context);
  if (options.labels !== undefined && options.labels !== 'subfolders' && options.labels !== 'none') {
    throw new Error(`${context}: labels must be 'subfolders' or 'none', got '${options.labels}'.`);
  }
  const extensions = normaliseExtensions(options.extensions, context);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) throw new Error(`${context}: limit must be a positive integer, got ${options.limit}.`);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`${context}: concurrency must be a positive integer, got ${concurrency}.`);
  const warn = options.onWarning ?? ((message: string) => console.warn(message));

  const root = path.resolve(directory);
  const stat = await fs.stat(root).catch(() => undefined);
  if (stat === undefined) throw new Error(`${context}: the folder ${root} does not exist.`);
  if (!stat.isDirectory()) throw new Error(`${context}: ${root} is not a folder.`);

  const isImage = (file: string): boolean => extensions.has(path.extname(file).toLowerCase());
  const top = await listFolder(root);
  const topImages = top.files.filter(isImage);
  const labelMode = options.labels ?? (top.folders.length > 0 && topImages.length === 0 ? 'subfolders' : 'none');
  const wanted = [...extensions].join(', ');

  let files: string[] = [];
  let labelOf: number[] | undefined;
  let classes: string[] | undefined;
  let otherFiles = 0;
  if (labelMode === 'subfolders') {
    if (topImages.length > 0) {
      throw new Error(
        `${context}: ${root} has image files of its own (${topImages[0]}${topImages.length > 1 ? `, and ${topImages.length - 1} more` : ''}) besides class subfolders; ` +
          `with labels 'subfolders' every image must be in a class subfolder (or use labels: 'none').`,
      );
    }
    if (top.folders.length === 0) throw new Error(`${context}: ${root} has no subfolders, so no classes; a flat folder is unlabelled: use labels: 'none'.`);
    classes = [];
    labelOf = [];
    otherFiles = top.files.length;
    for (const folder of top.folders) {
      const inFolder: string[] = [];
      await listFilesRecursively(root, folder, inFolder);
      const images = inFolder.filter(isImage);
      otherFiles += inFolder.length - images.length;
      if (images.length === 0) continue;
      const label = classes.length;
      classes.push(folder);
      for (const file of images) {
        files.push(file);
        labelOf.push(label);
      }
    }
  } else {
    const all: string[] = [];
    await listFilesRecursively(root, '', all);
    files = all.filter(isImage);
    otherFiles = all.length - files.length;
  }
  if (files.length === 0) {
    throw new Error(
      `${context}: no image files in ${root} (looked for ${wanted}${labelMode === 'subfolders' ? ' in its class subfolders' : ''}; ` +
        `${otherFiles === 0 ? 'the folder is empty' : `found ${otherFiles} other file${otherFiles === 1 ? '' : 's'}`}).`,
    );
  }
  if (options.limit !== undefined && files.length > options.limit) {
    files = files.slice(0, options.limit);
    labelOf = labelOf?.slice(0, options.limit);
  }

  const sharp = await loadSharp(context);
  const skipped: SkippedImage[] = [];
  const fail = (file: string, error: unknown): void => {
    const reason = (error as Error)?.message?.split('\n')[0] ?? String(error);
    if (options.strict === true) throw new Error(`${context}: cannot decode ${path.join(root, file)}: ${reason}.`);
    skipped.push({ file, reason });
  };

  // The output size and channels: given, or the first decodable image's.
  let first = 0;
  while (size === undefined || channels === undefined) {
    if (first >= files.length) break;
    try {
      const meta = await sharp(path.join(root, files[first])).metadata();
      if (meta.width === undefined || meta.height === undefined) throw new Error('no image size in the file');
      const swap = (meta.orientation ?? 1) >= 5;
      const [height, width] = swap ? [meta.width, meta.height] : [meta.height, meta.width];
      size ??= defaultImageSize(height, width, files[first], context, "size: [64, 64] (CLI: --dataset 'folder:DIR?size=64x64')");
      channels ??= meta.channels !== undefined && meta.channels <= 2 ? 1 : 3;
    } catch (error) {
      if ((error as Error).message.startsWith(context)) throw error;
      fail(files[first], error);
      first++;
    }
  }
  if (size === undefined || channels === undefined) throw new Error(`${context}: none of the ${files.length} image files in ${root} could be decoded; the first: ${skipped[0]?.file} (${skipped[0]?.reason}).`);
  const [height, width] = size;
  const outputChannels = channels;
  const d = height * width * outputChannels;

  // Decoded 8-bit pixels, one slot per file; failed slots are squeezed out at the end.
  const bytes = new Uint8Array(files.length * d);
  const decoded = new Uint8Array(files.length);
  const decode = async (index: number): Promise<void> => {
    const file = files[index];
    try {
      let pipeline = sharp(path.join(root, file), { failOn: 'error' }).rotate().resize(width, height, { fit: 'cover', position: 'centre' }).removeAlpha();
      pipeline = outputChannels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      if (info.width !== width || info.height !== height || info.channels !== outputChannels || data.length !== d) {
        throw new Error(`decoded to ${info.height}x${info.width}x${info.channels}, expected ${height}x${width}x${outputChannels}`);
      }
      bytes.set(data, index * d);
      decoded[index] = 1;
    } catch (error) {
      fail(file, error);
    }
  };
  let next = first;
  const workers = Array.from({ length: Math.min(concurrency, files.length - first) }, async () => {
    while (next < files.length) await decode(next++);
  });
  await Promise.all(workers);

  const kept: number[] = [];
  for (let i = 0; i < files.length; i++) if (decoded[i] === 1) kept.push(i);
  if (kept.length === 0) throw new Error(`${context}: none of the ${files.length} image files in ${root} could be decoded; the first: ${skipped[0]?.file} (${skipped[0]?.reason}).`);
  if (skipped.length > 0) {
    skipped.sort((a, b) => byCodeUnits(a.file, b.file));
    warn(skippedWarning(`${context}: ${root}`, skipped));
  }
  let packed = bytes;
  if (kept.length < files.length) {
    packed = new Uint8Array(kept.length * d);
    kept.forEach((source, row) => packed.set(bytes.subarray(source * d, (source + 1) * d), row * d));
  }
  const info: Omit<ImageDataset, 'images'> & ImageFolderInfo = {
    shape: [height, width, outputChannels],
    size: kept.length,
    name: options.name ?? path.basename(root),
    ids: kept.map((i) => files[i]),
    skipped,
  };
  if (labelOf !== undefined && classes !== undefined) {
    info.labels = Int32Array.from(kept, (i) => labelOf[i]);
    info.classes = classes;
  }
  if (options.pixels === 'uint8') return { ...info, images: packed };
  return { ...info, images: bytesToUnitRange(packed) };
}
