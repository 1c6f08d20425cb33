import computeMunkres from 'munkres-js';

/** Options of {@link linearSumAssignment}. */
export interface LinearSumAssignmentOptions {
  /** Maximise the total instead of minimising it. Default `false`. */
  maximize?: boolean;
}

/** An optimal assignment: row `rows[i]` is matched to column `cols[i]`. */
export interface Assignment {
  /** Matched row indices, ascending; min(rows, columns) of them. */
  rows: number[];
  /** cols[i] is the column matched to rows[i]. */
  cols: number[];
  /** Sum of the matched entries of the original matrix (the minimum, or the maximum with `maximize`). */
  totalCost: number;
}

/** munkres-js starts its minimum search at ⌊MAX_SAFE_INTEGER / 2⌋: entries must stay well below. */
const MAX_SPREAD = 2 ** 50;

/**
 * Indices of the `keep` smallest values of `values(index)` over `0..length−1` (ties: smaller index
 * first), by insertion into a short sorted buffer: O(length · keep) worst case, O(length) typical.
 */
function smallestIndices(length: number, keep: number, value: (index: number) => number): number[] {
  const best: number[] = [];
  const bestValues: number[] = [];
  for (let i = 0; i < length; i++) {
    const v = value(i);
    if (best.length === keep && v >= bestValues[keep - 1]) continue;
    let at = best.length === keep ? keep - 1 : best.length;
    while (at > 0 && bestValues[at - 1] > v) {
      best[at] = best[at - 1];
      bestValues[at] = bestValues[at - 1];
      at--;
    }
    best[at] = i;
    bestValues[at] = v;
  }
  return best;
}

/**
 * The rows (or columns) worth keeping for a rectangular problem. With s = the short side, some
 * optimal assignment uses, for every short-side item, only one of its s best long-side partners:
 * if it used a worse one, one of its s best is free (the other s − 1 items hold at most s − 1
 * of them) and swapping to it does not worsen the total. So the long side shrinks to ≤ s² items
 * without changing the optimum, which keeps munkres-js (it pads to a square) fast for, e.g.,
 * 1000 clusters × 10 classes.
 *
 * @param shortSize number of short-side items.
 * @param longSize number of long-side items.
 * @param weight weight(short, long), smaller is better.
 * @returns ascending long-side indices, or `undefined` when no reduction is possible.
 */
export function candidatePartners(shortSize: number, longSize: number, weight: (short: number, long: number) => number): number[] | undefined {
  if (longSize <= shortSize) return undefined;
  const keep = new Uint8Array(longSize);
  for (let s = 0; s < shortSize; s++) for (const l of smallestIndices(longSize, shortSize, (l) => weight(s, l))) keep[l] = 1;
  const kept: number[] = [];
  for (let l = 0; l < longSize; l++) if (keep[l] === 1) kept.push(l);
  return kept.length < longSize ? kept : undefined;
}

/**
 * The linear sum assignment problem, as `scipy.optimize.linear_sum_assignment`: choose
 * min(rows, columns) entries, no two in the same row or column, with the smallest total (the
 * largest with `{ maximize: true }`). Rectangular matrices are allowed; a matrix with no rows or
 * no columns gives an empty assignment. Solved with the Munkres (Hungarian) algorithm of
 * `munkres-js`, after shrinking the long side of a rectangular matrix to the ≤ s² candidates that
 * can appear in an optimum (s = the short side).
 *
 * When several assignments are optimal, the one returned may differ from scipy's (the total
 * does not).
 *
 * @param cost rows of equal length (arrays or typed arrays) of finite numbers.
 * @example
 * linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]);
 * // { rows: [0, 1, 2], cols: [1, 0, 2], totalCost: 5 }
 * @throws on a ragged matrix or an entry that is not a finite number.
 */
export function linearSumAssignment(cost: ReadonlyArray<ArrayLike<number>>, options: LinearSumAssignmentOptions = {}): Assignment {
  const { maximize = false } = options;
  const rowCount = cost.length;
  const colCount = rowCount === 0 ? 0 : cost[0].length;
  for (let r = 0; r < rowCount; r++) {
    const row = cost[r];
    if (row === null || typeof row !== 'object' || row.length !== colCount) {
      throw new Error(`linearSumAssignment: row ${r} has ${row?.length} entries but row 0 has ${colCount}; the matrix must be rectangular.`);
    }
    for (let c = 0; c < colCount; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`linearSumAssignment: entry [${r}][${c}] is ${String(v)}; entries must be finite numbers.`);
    }
  }
  if (rowCount === 0 || colCount === 0) return { rows: [], cols: [], totalCost: 0 };

  const sign = maximize ? -1 : 1;
  // Keep all rows and columns, or only the candidates of the long side.
  let rowIndex = Array.from({ length: rowCount }, (_, r) => r);
  let colIndex = Array.from({ length: colCount }, (_, c) => c);
  if (rowCount > colCount) {
    rowIndex = candidatePartners(colCount, rowCount, (c, r) => sign * cost[r][c]) ?? rowIndex;
  } else if (colCount > rowCount) {
    colIndex = candidatePartners(rowCount, colCount, (r, c) => sign * cost[r][c]) ?? colIndex;
  }

  // Shift to non-negative entries: every row (or column) of the short side is matched once, so
  // a constant shift does not change the optimum.
  let min = Infinity;
  let max = -Infinity;
  for (const r of rowIndex) {
    for (const c of colIndex) {
      const v = sign * cost[r][c];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (max - min >= MAX_SPREAD) throw new Error(`linearSumAssignment: entries span ${max - min}, too wide for munkres-js (limit 2^50).`);
  const matrix = rowIndex.map((r) => colIndex.map((c) => sign * cost[r][c] - min));

  const pairs = computeMunkres(matrix)
    .map(([r, c]): [number, number] => [rowIndex[r], colIndex[c]])
    .sort((a, b) => a[0] - b[0]);
  let totalCost = 0;
  for (const [r, c] of pairs) totalCost += cost[r][c];
  return { rows: pairs.map((p) => p[0]), cols: pairs.map((p) => p[1]), totalCost };
}
