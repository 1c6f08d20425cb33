/** k-means distance kernels: squared norms, nearest-centre assignment, row–centre distances. */
import { type PreparedRows, rowDots } from './kernels.js';

/** Squared norms of k row-major centres. */
export function centerSqNorms(centers: Float64Array, k: number, d: number, sqNorms: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let s = 0;
    const off = c * d;
    for (let j = 0; j < d; j++) s += centers[off + j] * centers[off + j];
    sqNorms[c] = s;
  }
}

/**
 * Nearest centre of every row. Writes `labels` and `minDist` (squared distances, clamped at 0)
 * and returns how many labels changed.
 */
export function assign(
  p: PreparedRows,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  minDist: Float64Array,
  scratch: { centerNorms: Float64Array; dots: Float64Array },
): number {
  const { centerNorms, dots } = scratch;
  centerSqNorms(centers, k, p.d, centerNorms);
  let changed = 0;
  for (let i = 0; i < p.n; i++) {
    rowDots(p, i, centers, k, dots);
    let best = 0;
    let bestValue = centerNorms[0] - 2 * dots[0];
    for (let c = 1; c < k; c++) {
      const value = centerNorms[c] - 2 * dots[c];
      if (value < bestValue) {
        bestValue = value;
        best = c;
      }
    }
    if (labels[i] !== best) {
      labels[i] = best;
      changed++;
    }
    const dist = p.sqNorms[i] + bestValue;
    minDist[i] = dist > 0 ? dist : 0;
  }
  return changed;
}

/** Exact squared distance between row i and centre c (no cancellation), for the final inertia. */
export function exactSqDistance(p: PreparedRows, i: number, centers: Float64Array, c: number): number {
  const { data, d } = p;
  const xo = i * d;
  const co = c * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const diff = data[xo + j] - centers[co + j];
    s += diff * diff;
  }
  return s;
}

/** Adds row i into `sums[c]`. */
export function addRow(p: PreparedRows, i: number, sums: Float64Array, c: number, sign: number): void {
  const d = p.d;
  const co = c * d;
  if (p.csr !== null) {
    const { indptr, indices, values } = p.csr;
    for (let t = indptr[i], end = indptr[i + 1]; t < end; t++) sums[co + indices[t]] += sign * values[t];
  } else {
    const xo = i * d;
    for (let j = 0; j < d; j++) sums[co + j] += sign * p.data[xo + j];
  }
}

/** Euclidean distance from row i to every centre (`out`, length k), via the norm expansion. */
export function rowDistances(
  p: PreparedRows,
  i: number,
  k: number,
  centers: Float64Array,
  centerNorms: Float64Array,
  out: Float64Array,
): void {
  rowDots(p, i, centers, k, out);
  const xx = p.sqNorms[i];
  for (let c = 0; c < k; c++) {
    const v = xx - 2 * out[c] + centerNorms[c];
    out[c] = v > 0 ? Math.sqrt(v) : 0;
  }
}

/** Euclidean distance from row i to centre c (norm expansion; centre norm given). */
export function rowDistance(p: PreparedRows, i: number, centers: Float64Array, c: number, centerNorm: number): number {
  const d = p.d;
  const co = c * d;
  let dot = 0;
  if (p.csr !== null) {
    const { indptr, indices, values } = p.csr;
    for (let t = indptr[i], end = indptr[i + 1]; t < end; t++) dot += values[t] * centers[co + indices[t]];
  } else {
    const xo = i * d;
    for (let j = 0; j < d; j++) dot += p.data[xo + j] * centers[co + j];
  }
  const v = p.sqNorms[i] - 2 * dot + centerNorm;
  return v > 0 ? Math.sqrt(v) : 0;
}
