/**
 * The datasets the CLI trains and evaluates on, named by a spec: `mnist` (embedded),
 * `idx:<dir>` (MNIST-style IDX files, e.g. Fashion-MNIST), `cifar10:<dir>`, `stl10:<dir>`,
 * `folder:<dir>` (a folder of images, class subfolders or flat; options after `?`:
 * `size=HxW`, `channels=1|3`, `labels=subfolders|none`, `strict`).
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { loadCifar10 } from '../data/cifar10.js';
import type { ImageDataset } from '../data/dataset.js';
import { loadImageFolder } from '../data/image_folder.js';
import { loadMnist } from '../data/mnist.js';
import { loadStl10 } from '../data/stl10.js';
import { CliUsageError } from './io.js';

/** The kinds of dataset spec. */
export type DatasetKind = 'mnist' | 'idx' | 'cifar10' | 'stl10' | 'folder';

/** Options of a `folder:` spec (after `?`). */
export interface FolderSpecOptions {
  /** `size=HxW`: the output size; default the first image's (at most 256 × 256). */
  size?: [number, number];
  /** `channels=1|3`; default the first image's. */
  channels?: 1 | 3;
  /** `strict`: a file that cannot be decoded is an error, not a warning. */
  strict?: boolean;
  /** `labels=subfolders|none`; default: subfolders when the folder has subfolders and no images of its own. */
  labels?: 'subfolders' | 'none';
}

/** A parsed `--dataset` value. */
export interface DatasetSpec {
  kind: DatasetKind;
  /** The user's folder (absent for embedded MNIST), resolved to an absolute path. */
  directory?: string;
  /** The spec as given (stored in run.json, with the folder resolved). */
  text: string;
  /** Options of a `folder:` spec. */
  folder?: FolderSpecOptions;
}

/** A split the CLI reads. */
export type DatasetSplit = 'train' | 'test';

/** The `--dataset` forms, for help text. */
export const DATASET_FORMS = 'mnist | idx:<dir> | cifar10:<dir> | stl10:<dir> | folder:<dir>[?size=HxW&channels=1|3&labels=none&strict]';

/** Parses the options of a `folder:` spec: `size=HxW`, `channels=1|3`, `strict`, joined by `&`. */
function parseFolderOptions(text: string, spec: string, command?: string): FolderSpecOptions {
  const options: FolderSpecOptions = {};
  for (const part of text.split('&')) {
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    if (key === 'size') {
      const match = /^(\d+)x(\d+)$/.exec(value ?? '');
      const size = match === null ? undefined : ([Number(match[1]), Number(match[2])] as [number, number]);
      if (size === undefined || size[0] < 1 || size[1] < 1 || size[0] > 65535 || size[1] > 65535) {
        throw new CliUsageError(`--dataset ${spec}: size must be HEIGHTxWIDTH of positive integers, e.g. size=64x64; got '${value ?? ''}'.`, command);
      }
      options.size = size;
    } else if (key === 'channels') {
      if (value !== '1' && value !== '3') throw new CliUsageError(`--dataset ${spec}: channels must be 1 (grey) or 3 (RGB); got '${value ?? ''}'.`, command);
      options.channels = Number(value) as 1 | 3;
    } else if (key === 'labels') {
      if (value !== 'subfolders' && value !== 'none') throw new CliUsageError(`--dataset ${spec}: labels must be subfolders or none; got '${value ?? ''}'.`, command);
      options.labels = value;
    } else if (key === 'strict' && (value === undefined || value === 'true')) {
      options.strict = true;
    } else {
      throw new CliUsageError(`--dataset ${spec}: unknown folder option '${part}'; use size=HxW, channels=1|3, labels=subfolders|none, strict (joined by &).`, command);
    }
  }
  return options;
}

/** The canonical `?…` suffix of folder options ('' when none). */
function folderOptionsText(options: FolderSpecOptions): string {
  const parts: string[] = [];
  if (options.size !== undefined) parts.push(`size=${options.size[0]}x${options.size[1]}`);
  if (options.channels !== undefined) parts.push(`channels=${options.channels}`);
  if (options.labels !== undefined) parts.push(`labels=${options.labels}`);
  if (options.strict === true) parts.push('strict');
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * A `--dataset` value with the `train` flags `--image-size` and `--strict` folded into a
 * `folder:` spec (so that run.json keeps them, and eval and embed read the images alike).
 *
 * @throws {@link CliUsageError} when those flags are given for a dataset that is not a folder.
 */
export function withFolderFlags(dataset: string | undefined, imageSize: string | undefined, strict: boolean, command?: string): string | undefined {
  if (imageSize === undefined && !strict) return dataset;
  if (dataset === undefined || !dataset.startsWith('folder:')) {
    throw new CliUsageError(`${imageSize !== undefined ? '--image-size' : '--strict'} applies to --dataset folder:<dir> only.`, command);
  }
  const extra: string[] = [];
  if (imageSize !== undefined) {
    const match = /^(\d+)(?:x(\d+))?$/.exec(imageSize);
    if (match === null) throw new CliUsageError(`--image-size must be HEIGHTxWIDTH (e.g. 64x64) or one number for a square; got '${imageSize}'.`, command);
    extra.push(`size=${match[1]}x${match[2] ?? match[1]}`);
  }
  if (strict) extra.push('strict');
  return `${dataset}${dataset.includes('?') ? '&' : '?'}${extra.join('&')}`;
}

/**
 * Parses a `--dataset` value and checks that its folder exists.
 *
 * @throws {@link CliUsageError} on an unknown kind, a missing folder, or a folder that is a file.
 */
export function parseDatasetSpec(text: string, command?: string): DatasetSpec {
  if (text === 'mnist') return { kind: 'mnist', text };
  const match = /^(idx|cifar10|stl10|folder):(.+)$/.exec(text);
  if (match === null) {
    const bare = /^(idx|cifar10|stl10|folder)$/.test(text);
    throw new CliUsageError(
      bare ? `--dataset ${text} needs a folder: ${text}:<dir>.` : `Unknown dataset '${text}'; use ${DATASET_FORMS}.`,
      command,
    );
  }
  const kind = match[1] as DatasetKind;
  let folderPath = match[2];
  let folder: FolderSpecOptions | undefined;
  if (kind === 'folder') {
    // Options after the last '?', unless that names an existing folder (a '?' in its name).
    const mark = folderPath.lastIndexOf('?');
    if (mark >= 0 && !existsSync(path.resolve(folderPath))) {
      folder = parseFolderOptions(folderPath.slice(mark + 1), text, command);
      folderPath = folderPath.slice(0, mark);
    } else {
      folder = {};
    }
  }
  const directory = path.resolve(folderPath);
  if (!existsSync(directory)) throw new CliUsageError(`--dataset ${text}: the folder ${directory} does not exist.`, command);
  if (!statSync(directory).isDirectory()) throw new CliUsageError(`--dataset ${text}: ${directory} is not a folder.`, command);
  if (folder !== undefined) return { kind, directory, text: `${kind}:${directory}${folderOptionsText(folder)}`, folder };
  return { kind, directory, text: `${kind}:${directory}` };
}

/**
 * Loads one split of a dataset (at most `limit` images, from the first). Loader errors (missing
 * or corrupt files) become {@link CliUsageError}s: they are problems with the input, not bugs.
 */
export async function loadDatasetSplit(spec: DatasetSpec, split: DatasetSplit, limit?: number, command?: string): Promise<ImageDataset> {
  try {
    switch (spec.kind) {
      case 'mnist':
        return await loadMnist({ split, limit });
      case 'idx':
        return { ...(await loadMnist({ split, limit, directory: spec.directory })), name: `${path.basename(spec.directory!)}-${split}` };
      case 'cifar10':
        return await loadCifar10({ directory: spec.directory!, split, limit });
      case 'stl10':
        return await loadStl10({ directory: spec.directory!, split, limit });
      case 'folder':
        return await loadFolderSplit(spec, split, limit);
    }
  } catch (error) {
    throw new CliUsageError(`Cannot load the ${split} split of ${spec.text}: ${(error as Error).message}`, command);
  }
}

/**
 * One split of a `folder:` dataset: its `train` or `test` subfolder when it has both, else the
 * whole folder for either split. Skipped files are reported on stderr.
 */
async function loadFolderSplit(spec: DatasetSpec, split: DatasetSplit, limit: number | undefined): Promise<ImageDataset> {
  const root = spec.directory!;
  const hasSplits = ['train', 'test'].every((name) => existsSync(path.join(root, name)) && statSync(path.join(root, name)).isDirectory());
  const directory = hasSplits ? path.join(root, split) : root;
  const options = spec.folder ?? {};
  // Pixels stay bytes until a batch is gathered: every method reads them through the dataset
  // helpers (validateDataset, gatherRows), which convert byte / 255 there.
  const dataset = await loadImageFolder(directory, {
    pixels: 'uint8',
    size: options.size,
    channels: options.channels,
    labels: options.labels,
    strict: options.strict === true,
    limit,
    name: hasSplits ? `${path.basename(root)}-${split}` : path.basename(root),
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  });
  return dataset as unknown as ImageDataset;
}

/** `mnist-train (20000 images, 28x28x1)`. */
export function describeDataset(dataset: ImageDataset): string {
  return `${dataset.name ?? 'dataset'} (${dataset.size} images, ${dataset.shape.join('x')})`;
}
