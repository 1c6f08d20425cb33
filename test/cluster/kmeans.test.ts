import { readFileSync } from 'node:fs';

import { kmeans as mlKmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';

import { assignToCentroids, kmeans } from '../../src/cluster/kmeans.js';
import { createRandom } from '../../src/data/random.js';
import { ari } from '../../src/metrics/ari.js';

interface KMeansFixture {
  name: string;
  k: number;
  x: number[][];
  sklearnInertia: number;
  sklearnInertiaPerSeed: number[];
  sklearnBestOf200: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/cluster-sklearn.json', import.meta.url), 'utf8')) as {
  kmeans: KMeansFixture[];
};

/** `perCluster` points around each of `centres`, isotropic noise `spread`. */
function blobs(centres: number[][], perCluster: number, spread: number, seed: number): { x: number[][]; y: number[] } {
  const random = createRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < perCluster; i++) {
    centres.forEach((centre, label) => {
      x.push(centre.map((v) => v + spread * random.normal()));
      y.push(label);
    });
  }
  return { x, y };
}

/** True when the two labelings are the same partition (up to renaming the clusters). */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((forward.get(a[i]) ?? b[i]) !== b[i] || (backward.get(b[i]) ?? a[i]) !== a[i]) return false;
    forward.set(a[i], b[i]);
    backward.set(b[i], a[i]);
  }
  return true;
}

function handInertia(x: number[][], labels: Int32Array, centroids: number[][]): number {
  let total = 0;
  x.forEach((row, i) => row.forEach((v, j) => (total += (v - centroids[labels[i]][j]) ** 2)));
  return total;
}

const CENTRES = [
  [0, 0, 0, 0, 0],
  [10, 0, 0, 0, 0],
  [0, 10, 0, 0, 0],
  [0, 0, 10, 10, 0],
];

describe('kmeans', () => {
  it('recovers well-separated blobs exactly', () => {
    const { x, y } = blobs(CENTRES, 50, 1, 1);
    const result = kmeans(x, 4, { seed: 3 });
    expect(samePartition(result.labels, y)).toBe(true);
    expect(ari(y, result.labels)).toBe(1);
    expect(result.converged).toBe(true);
    expect(Array.from(result.clusterSizes).sort()).toEqual([50, 50, 50, 50]);
    // Centroids are the blob means, close to the true centres.
    for (const centre of CENTRES) {
      const nearest = Math.min(...result.centroids.map((c) => Math.hypot(...c.map((v, j) => v - centre[j]))));
      expect(nearest).toBeLessThan(0.5);
    }
  });

  it('is deterministic for a seed, for every initialisation', () => {
    const { x } = blobs(CENTRES, 30, 4, 2);
    for (const initialization of ['kmeans++', 'random'] as const) {
      const a = kmeans(x, 6, { seed: 7, initialization });
      const b = kmeans(x, 6, { seed: 7, initialization });
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(a.centroids).toEqual(b.centroids);
      expect(a.inertia).toBe(b.inertia);
    }
  });

  it('reports the hand-computed inertia and mean centroids', () => {
    const x = [[0, 0], [0, 1], [10, 10], [10, 11], [10, 12]];
    const result = kmeans(x, 2, { seed: 0 });
    const small = result.labels[0];
    expect(result.labels[1]).toBe(small);
    expect(result.centroids[small]).toEqual([0, 0.5]);
    expect(result.centroids[1 - small]).toEqual([10, 11]);
    // 2 × 0.5² + (1 + 0 + 1).
    expect(result.inertia).toBeCloseTo(2.5, 12);
    const { x: bx } = blobs(CENTRES, 20, 3, 4);
    const r = kmeans(bx, 5, { seed: 1 });
    expect(r.inertia).toBeCloseTo(handInertia(bx, r.labels, r.centroids), 6);
  });

  it('accepts nested arrays, Float32 and Float64 flat matrices alike', () => {
    const { x } = blobs(CENTRES, 10, 1, 5);
    const flat = Float64Array.from(x.flat());
    const a = kmeans(x, 4, { seed: 2 });
    const b = kmeans({ data: flat, rows: x.length, cols: 5 }, 4, { seed: 2 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    const c = kmeans({ data: Float32Array.from(flat), rows: x.length, cols: 5 }, 4, { seed: 2 });
    expect(samePartition(c.labels, a.labels)).toBe(true);
  });

  it('matches scikit-learn KMeans(n_init=10) inertia on the reference fixtures', () => {
    const mean = (v: number[]): number => v.reduce((s, t) => s + t, 0) / v.length;
    for (const c of fixture.kmeans) {
      // k-means finds local optima: compare our inertia over 20 seeds with scikit-learn's over 20 seeds.
      const ours = Array.from({ length: 20 }, (_, seed) => kmeans(c.x, c.k, { seed, nInit: 10 }));
      const inertias = ours.map((r) => r.inertia);
      // Never below the best of 200 scikit-learn restarts (a sanity bound on the inertia itself) ...
      expect(Math.min(...inertias)).toBeGreaterThanOrEqual(c.sklearnBestOf200 * (1 - 1e-9));
      // ... as good as scikit-learn on average (within 0.2 %), and never much worse than its worst seed.
      expect(mean(inertias)).toBeLessThanOrEqual(mean(c.sklearnInertiaPerSeed) * 1.002);
      expect(Math.max(...inertias)).toBeLessThanOrEqual(Math.max(...c.sklearnInertiaPerSeed) * 1.01);
      for (const r of ours.slice(0, 3)) expect(r.inertia).toBeCloseTo(handInertia(c.x, r.labels, r.centroids), 6);
    }
  });

  it('converges to the same partition as ml-kmeans from the same initial centroids', () => {
    for (const c of fixture.kmeans) {
      const initial = c.x.slice(0, c.k).map((row) => [...row]);
      const ours = kmeans(c.x, c.k, { initialization: initial, tolerance: 0, maxIterations: 1000 });
      const theirs = mlKmeans(c.x, c.k, { initialization: initial.map((row) => [...row]), tolerance: 0, maxIterations: 1000 });
      expect(samePartition(ours.labels, theirs.clusters)).toBe(true);
      theirs.centroids.forEach((centroid, i) => {
        centroid.forEach((v, j) => expect(ours.centroids[i][j]).toBeCloseTo(v, 9));
      });
    }
  });

  it('gives the same result on sparse data (non-zero kernels) and on its shifted dense copy', () => {
    const random = createRandom(11);
    const rows = 120;
    const cols = 30;
    const sparse = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const group = i % 3;
      for (let j = group * 10; j < group * 10 + 10; j++) if (random.next() < 0.4) sparse[i * cols + j] = 1 + random.next();
    }
    const dense = sparse.map((v) => v + 3);
    const a = kmeans({ data: sparse, rows, cols }, 3, { seed: 5 });
    const b = kmeans({ data: dense, rows, cols }, 3, { seed: 5 });
    expect(samePartition(a.labels, b.labels)).toBe(true);
    expect(a.inertia).toBeCloseTo(b.inertia, 8);
  });

  it('handles k = n, k = 1 and duplicate rows without NaN', () => {
    const x = [[1, 2], [3, 4], [5, 6]];
    expect(kmeans(x, 3).inertia).toBe(0);
    const one = kmeans(x, 1);
    expect(one.centroids).toEqual([[3, 4]]);
    expect(one.inertia).toBeCloseTo(16, 12);
    const duplicates = [[1, 1], [1, 1], [1, 1], [2, 2], [2, 2]];
    const r = kmeans(duplicates, 3, { seed: 1 });
    expect(r.inertia).toBe(0);
    expect(r.centroids.flat().every(Number.isFinite)).toBe(true);
  });

  it('handles clusters that become empty, by every strategy, without NaN centroids', () => {
    const { x } = blobs([[0, 0], [10, 10]], 20, 0.5, 3);
    // The third initial centroid is far from every point, so its cluster starts empty.
    const initialization = [[0, 0], [10, 10], [1000, 1000]];
    const farthest = kmeans(x, 3, { initialization });
    expect(farthest.emptyClusterEvents).toBeGreaterThanOrEqual(1);
    expect(Array.from(farthest.clusterSizes).every((s) => s > 0)).toBe(true);
    const keep = kmeans(x, 3, { initialization, emptyClusterStrategy: 'keep' });
    expect(keep.centroids[2]).toEqual([1000, 1000]);
    expect(keep.clusterSizes[2]).toBe(0);
    const split = kmeans(x, 3, { initialization, emptyClusterStrategy: 'split', seed: 4 });
    expect(split.emptyClusterEvents).toBeGreaterThanOrEqual(1);
    expect(Array.from(split.clusterSizes).every((s) => s > 0)).toBe(true);
    for (const r of [farthest, keep, split]) expect(r.centroids.flat().every(Number.isFinite)).toBe(true);
    // Splitting a blob in two lowers the inertia below that of two clusters.
    expect(split.inertia).toBeLessThan(keep.inertia);
  });

  it('stops at maxIterations', () => {
    const { x } = blobs(CENTRES, 30, 5, 6);
    const r = kmeans(x, 8, { maxIterations: 1, nInit: 1 });
    expect(r.iterations).toBe(1);
  });

  it('rejects bad k, NaN rows, ragged or empty input and bad options with clear messages', () => {
    const x = [[0, 0], [1, 1], [2, 2]];
    expect(() => kmeans(x, 4)).toThrow(/k \(4\) must not exceed the number of rows \(3\)/);
    expect(() => kmeans(x, 0)).toThrow(/k must be an integer ≥ 1, got 0/);
    expect(() => kmeans(x, 1.5)).toThrow(/k must be an integer/);
    expect(() => kmeans([[0, 0], [NaN, 1], [2, 2]], 2)).toThrow(/row 1 contains NaN/);
    expect(() => kmeans([[0, 0], [1]], 1)).toThrow(/row 1 has 1 values/);
    expect(() => kmeans([], 1)).toThrow(/empty/);
    expect(() => kmeans(x, 2, { nInit: 0 })).toThrow(/nInit must be a positive integer/);
    expect(() => kmeans(x, 2, { tolerance: -1 })).toThrow(/tolerance/);
    expect(() => kmeans(x, 2, { initialization: [[0, 0, 0], [1, 1, 1]] })).toThrow(/initialization has shape 2 × 3, expected k × d = 2 × 2/);
  });
});

describe('assignToCentroids', () => {
  it('labels rows by their nearest centroid with squared distances', () => {
    const result = assignToCentroids([[0, 0], [4, 4], [1, 0]], [[0, 0], [5, 5]]);
    expect(Array.from(result.labels)).toEqual([0, 1, 0]);
    expect(Array.from(result.squaredDistances)).toEqual([0, 2, 1]);
    expect(result.inertia).toBe(3);
  });

  it('agrees with kmeans labels', () => {
    const { x } = blobs(CENTRES, 15, 3, 8);
    const r = kmeans(x, 4, { seed: 0 });
    const a = assignToCentroids(x, r.centroids);
    expect(Array.from(a.labels)).toEqual(Array.from(r.labels));
    expect(a.inertia).toBeCloseTo(r.inertia, 8);
  });

  it('rejects mismatched dimensions', () => {
    expect(() => assignToCentroids([[0, 0]], [[0, 0, 0]])).toThrow(/x has 2 columns but the centroids have 3/);
  });
});
