/**
 * What `eval`, `embed` and `plot` share: a run's data splits, embeddings and cluster assignments.
 */
import { kmeans } from '../cluster/kmeans.js';
import type { ImageDataset } from '../data/dataset.js';
import type { FeatureMatrix } from '../train/unsupervised_method.js';
import { loadDatasetSplit, parseDatasetSpec } from './datasets.js';
import type { DatasetSplit } from './datasets.js';
import { CliUsageError } from './io.js';
import type { OpenedRun } from './run_directory.js';

/** The `--split` flag's values. */
export const SPLITS: readonly DatasetSplit[] = ['test', 'train'];

/** Loads a split of the run's dataset (at most `limit` images). */
export async function loadRunSplit(run: OpenedRun, split: DatasetSplit, limit: number | undefined, command: string): Promise<ImageDataset> {
  return loadDatasetSplit(parseDatasetSpec(run.config.dataset, command), split, limit, command);
}

/** The labels of a dataset; a dataset without labels is a usage error naming `purpose`. */
export function requireLabels(dataset: ImageDataset, purpose: string, command: string): Int32Array {
  if (dataset.labels === undefined) throw new CliUsageError(`${dataset.name ?? 'The dataset'} has no labels, which ${purpose} needs.`, command);
  return dataset.labels;
}

/** Number of classes of integer labels: the largest plus one. */
export function classCount(labels: Int32Array): number {
  let max = 0;
  for (const y of labels) if (y > max) max = y;
  return max + 1;
}

/** Cluster ids and where they came from. */
export interface RunClusters {
  clusters: Int32Array;
  /** `'predict'` (the method's own clusters) or `'kmeans'` (k-means on the embeddings). */
  source: 'predict' | 'kmeans';
  /** Number of clusters asked for. */
  k: number;
}

/**
 * Cluster assignments of `dataset`: the method's own `predict` for clustering methods (IIC,
 * DeepCluster), else k-means (k-means++, several restarts, seeded) on the embeddings with `k`
 * clusters (default: the number of classes of the labels).
 */
export async function runClusters(run: OpenedRun, dataset: ImageDataset, features: FeatureMatrix, options: { k?: number; seed?: number } = {}): Promise<RunClusters> {
  if (run.entry.predict !== undefined) {
    const clusters = await run.entry.predict(run.method, dataset);
    let k = 0;
    for (const c of clusters) if (c + 1 > k) k = c + 1;
    return { clusters, source: 'predict', k: Number(run.config.methodOptions.clusters ?? k) };
  }
  const k = options.k ?? (dataset.labels ? classCount(dataset.labels) : 10);
  if (features.rows < k) throw new CliUsageError(`k-means with k = ${k} needs at least ${k} images; got ${features.rows}.`);
  // Restarts cost time on wide features; a few suffice there.
  const nInit = features.cols <= 256 ? 10 : 3;
  const result = kmeans({ data: features.data, rows: features.rows, cols: features.cols }, k, { seed: options.seed ?? run.config.seed, nInit });
  return { clusters: result.labels, source: 'kmeans', k };
}
