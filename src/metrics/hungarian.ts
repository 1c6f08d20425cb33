import computeMunkres from 'munkres-js';

/** Options of {@link linearSumAssignment}. */
export interface LinearSumAssignmentOptions {
  /** Maximise the total instead of minimising it. Default `false`. */
  maximize?: boolean;
}

/** An optimal assignment: `rows[i]` is matched to `cols[i]`, rows ascending. */
export interface Assignment {
  rows: number[];
  cols: number[];
  /** Sum of the matched entries of the original matrix. */
  totalCost: number;
}

/**
 * The linear sum assignment problem (Hungarian / Munkres algorithm, via `munkres-js`), as
 * `scipy.optimize.linear_sum_assignment`: the min(rows, cols) pairs of distinct rows and columns
 * with the smallest (or largest) total. Rectangular matrices are allowed.
 *
 * @throws on an empty, ragged or non-finite matrix.
 */
export function linearSumAssignment(cost: ReadonlyArray<ArrayLike<number>>, options: LinearSumAssignmentOptions = {}): Assignment {
  const rows = cost.length;
  if (rows === 0 || cost[0].length === 0) throw new Error('linearSumAssignment: empty cost matrix.');
  const cols = cost[0].length;
  let maximum = -Infinity;
  for (let r = 0; r < rows; r++) {
    if (cost[r].length !== cols) throw new Error(`linearSumAssignment: row ${r} has ${cost[r].length} entries, row 0 has ${cols}.`);
    for (let c = 0; c < cols; c++) {
      if (!Number.isFinite(cost[r][c])) throw new Error(`linearSumAssignment: entry [${r}][${c}] is ${cost[r][c]}.`);
      maximum = Math.max(maximum, cost[r][c]);
    }
  }
  const matrix = Array.from({ length: rows }, (_, r) => Array.from(cost[r], (v) => (options.maximize ? maximum - v : v)));
  const pairs = computeMunkres(matrix).sort((a, b) => a[0] - b[0]);
  const result: Assignment = { rows: pairs.map((p) => p[0]), cols: pairs.map((p) => p[1]), totalCost: 0 };
  for (const [r, c] of pairs) result.totalCost += cost[r][c];
  return result;
}
