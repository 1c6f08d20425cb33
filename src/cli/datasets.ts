/**
 * The datasets the CLI trains and evaluates on, named by a spec: `mnist` (embedded),
 * `idx:<dir>` (MNIST-style IDX files, e.g. Fashion-MNIST), `cifar10:<dir>`, `stl10:<dir>`.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { loadCifar10 } from '../data/cifar10.js';
import type { ImageDataset } from '../data/dataset.js';
import { loadMnist } from '../data/mnist.js';
import { loadStl10 } from '../data/stl10.js';
import { CliUsageError } from './io.js';

/** The kinds of dataset spec. */
export type DatasetKind = 'mnist' | 'idx' | 'cifar10' | 'stl10';

/** A parsed `--dataset` value. */
export interface DatasetSpec {
  kind: DatasetKind;
  /** The user's folder (absent for embedded MNIST), resolved to an absolute path. */
  directory?: string;
  /** The spec as given (stored in run.json, with the folder resolved). */
  text: string;
}

/** A split the CLI reads. */
export type DatasetSplit = 'train' | 'test';

/** The `--dataset` forms, for help text. */
export const DATASET_FORMS = 'mnist | idx:<dir> | cifar10:<dir> | stl10:<dir>';

/**
 * Parses a `--dataset` value and checks that its folder exists.
 *
 * @throws {@link CliUsageError} on an unknown kind, a missing folder, or a folder that is a file.
 */
export function parseDatasetSpec(text: string, command?: string): DatasetSpec {
  if (text === 'mnist') return { kind: 'mnist', text };
  const match = /^(idx|cifar10|stl10):(.+)$/.exec(text);
  if (match === null) {
    const bare = /^(idx|cifar10|stl10)$/.test(text);
    throw new CliUsageError(
      bare ? `--dataset ${text} needs a folder: ${text}:<dir>.` : `Unknown dataset '${text}'; use ${DATASET_FORMS}.`,
      command,
    );
  }
  const kind = match[1] as DatasetKind;
  const directory = path.resolve(match[2]);
  if (!existsSync(directory)) throw new CliUsageError(`--dataset ${text}: the folder ${directory} does not exist.`, command);
  if (!statSync(directory).isDirectory()) throw new CliUsageError(`--dataset ${text}: ${directory} is not a folder.`, command);
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
    }
  } catch (error) {
    throw new CliUsageError(`Cannot load the ${split} split of ${spec.text}: ${(error as Error).message}`, command);
  }
}

/** `mnist-train (20000 images, 28x28x1)`. */
export function describeDataset(dataset: ImageDataset): string {
  return `${dataset.name ?? 'dataset'} (${dataset.size} images, ${dataset.shape.join('x')})`;
}
