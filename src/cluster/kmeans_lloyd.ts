/** One Lloyd run of k-means from given centres, with Hamerly's bounds. */
import type { PreparedRows } from './kernels.js';
import type { EmptyClusterStrategy } from './kmeans.js';
import { addRow, centerSqNorms, exactSqDistance, rowDistance, rowDistances } from './kmeans_distances.js';
import { relocateToFarthest, splitEmptyClusters } from './kmeans_empty_clusters.js';
import type { RandomSource } from './kmeans_init.js';

/** What one Lloyd run ends with: centres, labels, inertia, counts and how it stopped. */
export interface RunResult {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
  counts: Int32Array;
  emptyClusterEvents: number;
}

/**
 * One Lloyd run from the given initial centres (modified in place).
 *
 * The assignment step uses Hamerly's bounds (Hamerly 2010, "Making k-means even faster"): per row,
 * an upper bound on the distance to its centre and a lower bound on the distance to every other
 * centre, loosened by how far the centres move. A row whose upper bound is below both its lower
 * bound and half the distance from its centre to the nearest other centre cannot change cluster, so
 * its distances are not recomputed. This gives the same partitions as plain Lloyd iterations
 * (up to floating-point ties) while skipping most distance computations once clusters settle.
 */
export function lloyd(
  p: PreparedRows,
  k: number,
  initialCenters: Float64Array,
  maxIterations: number,
  shiftTolerance: number,
  strategy: EmptyClusterStrategy,
  random: RandomSource,
): RunResult {
  const { n, d } = p;
  let centers: Float64Array = initialCenters;
  let next: Float64Array = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const centerNorms = new Float64Array(k);
  const distances = new Float64Array(k);
  const halfGap = new Float64Array(k);
  const moved = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  let strictlyConverged = false;
  let emptyClusterEvents = 0;

  /** Full assignment of row i: label, upper and lower bound. Returns the new label. */
  const assignFully = (i: number): number => {
    rowDistances(p, i, k, centers, centerNorms, distances);
    let best = 0;
    let first = distances[0];
    let second = Infinity;
    for (let c = 1; c < k; c++) {
      const v = distances[c];
      if (v < first) {
        second = first;
        first = v;
        best = c;
      } else if (v < second) second = v;
    }
    upper[i] = first;
    lower[i] = second;
    return best;
  };

  while (iterations < maxIterations) {
    iterations++;
    centerSqNorms(centers, k, d, centerNorms);
    if (iterations === 1) {
      for (let i = 0; i < n; i++) {
        const c = assignFully(i);
        labels[i] = c;
        counts[c]++;
        addRow(p, i, sums, c, 1);
      }
    } else {
      // Half the distance from each centre to its nearest other centre.
      for (let a = 0; a < k; a++) halfGap[a] = Infinity;
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          let s = 0;
          const ao = a * d;
          const bo = b * d;
          for (let j = 0; j < d; j++) {
            const diff = centers[ao + j] - centers[bo + j];
            s += diff * diff;
          }
          const half = Math.sqrt(s) / 2;
          if (half < halfGap[a]) halfGap[a] = half;
          if (half < halfGap[b]) halfGap[b] = half;
        }
      }
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const a = labels[i];
        const bound = halfGap[a] > lower[i] ? halfGap[a] : lower[i];
        if (upper[i] <= bound) continue;
        upper[i] = rowDistance(p, i, centers, a, centerNorms[a]);
        if (upper[i] <= bound) continue;
        const c = assignFully(i);
        if (c !== a) {
          labels[i] = c;
          counts[a]--;
          counts[c]++;
          addRow(p, i, sums, a, -1);
          addRow(p, i, sums, c, 1);
          changed++;
        }
      }
      if (changed === 0) {
        // Same partition as the previous iteration: the centres are already its means.
        converged = true;
        strictlyConverged = true;
        break;
      }
    }

    if (strategy === 'farthest') {
      let empties = 0;
      for (let c = 0; c < k; c++) if (counts[c] === 0) empties++;
      if (empties > 0) {
        const minDist = new Float64Array(n);
        for (let i = 0; i < n; i++) minDist[i] = exactSqDistance(p, i, centers, labels[i]);
        const handled = relocateToFarthest(p, k, labels, minDist, counts, sums);
        for (const row of handled) {
          upper[row] = 0;
          lower[row] = 0;
        }
        emptyClusterEvents += handled.length;
      }
    }
    for (let c = 0; c < k; c++) {
      const off = c * d;
      if (counts[c] > 0) {
        const inv = 1 / counts[c];
        for (let j = 0; j < d; j++) next[off + j] = sums[off + j] * inv;
      } else {
        for (let j = 0; j < d; j++) next[off + j] = centers[off + j];
      }
    }
    if (strategy === 'split') emptyClusterEvents += splitEmptyClusters(k, d, Int32Array.from(counts), next, n, random);

    let shift = 0;
    let maxMove = 0;
    let maxMoveCenter = -1;
    let secondMove = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      const off = c * d;
      for (let j = 0; j < d; j++) {
        const diff = next[off + j] - centers[off + j];
        s += diff * diff;
      }
      shift += s;
      const move = Math.sqrt(s);
      moved[c] = move;
      if (move > maxMove) {
        secondMove = maxMove;
        maxMove = move;
        maxMoveCenter = c;
      } else if (move > secondMove) secondMove = move;
    }
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      upper[i] += moved[a];
      lower[i] -= a === maxMoveCenter ? secondMove : maxMove;
    }
    const previous = centers;
    centers = next;
    next = previous;
    if (shift <= shiftTolerance) {
      converged = true;
      break;
    }
  }
  if (!strictlyConverged) {
    // Make the labels consistent with the final centres.
    centerSqNorms(centers, k, d, centerNorms);
    for (let i = 0; i < n; i++) labels[i] = assignFully(i);
  }
  counts.fill(0);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    counts[labels[i]]++;
    inertia += exactSqDistance(p, i, centers, labels[i]);
  }
  return { centers, labels, inertia, iterations, converged, counts, emptyClusterEvents };
}
