/** What k-means does with a cluster that lost all its rows (see `EmptyClusterStrategy`). */
import type { PreparedRows } from './kernels.js';
import { addRow } from './kmeans_distances.js';
import type { RandomSource } from './kmeans_init.js';

/**
 * scikit-learn's relocation: each empty cluster takes the row farthest from its current centre,
 * among clusters of two or more rows. Updates sums, counts and labels; returns the moved rows.
 */
export function relocateToFarthest(
  p: PreparedRows,
  k: number,
  labels: Int32Array,
  minDist: Float64Array,
  counts: Int32Array,
  sums: Float64Array,
): number[] {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  const order = Array.from({ length: p.n }, (_, i) => i).sort((a, b) => minDist[b] - minDist[a] || a - b);
  const moved: number[] = [];
  let cursor = 0;
  for (const c of empty) {
    while (cursor < order.length && counts[labels[order[cursor]]] < 2) cursor++;
    if (cursor >= order.length) break;
    const row = order[cursor++];
    const from = labels[row];
    addRow(p, row, sums, from, -1);
    counts[from]--;
    sums.fill(0, c * p.d, (c + 1) * p.d);
    addRow(p, row, sums, c, 1);
    counts[c] = 1;
    labels[row] = c;
    moved.push(row);
  }
  return moved;
}

/**
 * faiss's empty-cluster split (see {@link EmptyClusterStrategy}) on the new centres; `counts` is a
 * scratch copy of the cluster sizes. Returns the number of clusters handled.
 */
export function splitEmptyClusters(k: number, d: number, counts: Int32Array, centers: Float64Array, n: number, random: RandomSource): number {
  const EPS = 1 / 1024;
  let handled = 0;
  for (let ci = 0; ci < k; ci++) {
    if (counts[ci] !== 0) continue;
    let total = 0;
    for (let c = 0; c < k; c++) if (counts[c] > 1) total += counts[c] - 1;
    if (total <= 0 || n <= k) break;
    let r = random.next() * total;
    let cj = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] <= 1) continue;
      cj = c;
      r -= counts[c] - 1;
      if (r < 0) break;
    }
    const io = ci * d;
    const jo = cj * d;
    for (let j = 0; j < d; j++) {
      const v = centers[jo + j];
      if (j % 2 === 0) {
        centers[io + j] = v * (1 + EPS);
        centers[jo + j] = v * (1 - EPS);
      } else {
        centers[io + j] = v * (1 - EPS);
        centers[jo + j] = v * (1 + EPS);
      }
    }
    counts[ci] = Math.floor(counts[cj] / 2);
    counts[cj] -= counts[ci];
    handled++;
  }
  return handled;
}
