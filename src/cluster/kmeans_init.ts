/** k-means initialisation: greedy k-means++ seeding, or k distinct random rows. */
import { type PreparedRows, rowDots } from './kernels.js';

/** The part of `createRandom`'s generator that k-means uses. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Greedy k-means++ (scikit-learn's `_kmeans_plusplus`): writes k centres into `centers`. */
export function kmeansPlusPlus(p: PreparedRows, k: number, random: RandomSource, centers: Float64Array): void {
  const { n, d, data } = p;
  const trials = 2 + Math.floor(Math.log(k));
  const chosen = new Int32Array(k);
  const copyRow = (row: number, c: number): void => {
    centers.set(data.subarray(row * d, (row + 1) * d), c * d);
  };
  // Distances from every row to a set of candidate rows, via the centre kernel.
  const cand = new Float64Array(trials * d);
  const candNorms = new Float64Array(trials);
  const dots = new Float64Array(trials);
  const distancesTo = (candidates: Int32Array, count: number, out: Float64Array[]): void => {
    for (let t = 0; t < count; t++) {
      const row = candidates[t];
      const off = row * d;
      cand.set(data.subarray(off, off + d), t * d);
      candNorms[t] = p.sqNorms[row];
    }
    for (let i = 0; i < n; i++) {
      rowDots(p, i, cand, count, dots);
      for (let t = 0; t < count; t++) {
        const v = p.sqNorms[i] - 2 * dots[t] + candNorms[t];
        out[t][i] = v > 0 ? v : 0;
      }
    }
  };

  chosen[0] = random.int(n);
  copyRow(chosen[0], 0);
  let closest: Float64Array = new Float64Array(n);
  const candidates = new Int32Array(trials);
  const candidateDist: Float64Array[] = Array.from({ length: trials }, () => new Float64Array(n));
  candidates[0] = chosen[0];
  distancesTo(candidates, 1, [closest]);
  closest[chosen[0]] = 0;
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let potential = 0;
    for (let i = 0; i < n; i++) {
      potential += closest[i];
      cumulative[i] = potential;
    }
    if (!(potential > 0)) {
      // Every row coincides with a chosen centre: fall back to uniform draws.
      for (let t = 0; t < trials; t++) candidates[t] = random.int(n);
    } else {
      for (let t = 0; t < trials; t++) {
        const r = random.next() * potential;
        // First index with cumulative ≥ r (numpy searchsorted, side='left').
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cumulative[mid] < r) lo = mid + 1;
          else hi = mid;
        }
        candidates[t] = lo;
      }
    }
    distancesTo(candidates, trials, candidateDist);
    let bestTrial = 0;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const dist = candidateDist[t];
      let pot = 0;
      for (let i = 0; i < n; i++) {
        const v = dist[i] < closest[i] ? dist[i] : closest[i];
        dist[i] = v;
        pot += v;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestTrial = t;
      }
    }
    chosen[c] = candidates[bestTrial];
    copyRow(chosen[c], c);
    // Swap buffers: the winning trial's minimum distances become `closest`.
    const next = candidateDist[bestTrial];
    candidateDist[bestTrial] = closest;
    closest = next;
  }
}

/** k distinct random rows. */
export function randomRows(p: PreparedRows, k: number, random: RandomSource, centers: Float64Array): void {
  const { n, d, data } = p;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let c = 0; c < k; c++) {
    const j = c + random.int(n - c);
    const tmp = order[c];
    order[c] = order[j];
    order[j] = tmp;
    centers.set(data.subarray(order[c] * d, (order[c] + 1) * d), c * d);
  }
}
