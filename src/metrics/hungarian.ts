import { readOptions } from '../data/options.js';
import { describeArgument } from '../data/checks.js';

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

/**
 * Solves the assignment of every row of a dense row-major `rows × cols` cost matrix (rows ≤ cols)
 * by successive shortest augmenting paths with dual potentials (Jonker & Volgenant 1987, in the
 * form of Crouse 2016, "On implementing 2D rectangular assignment algorithms", which SciPy uses).
 * O(rows² · cols) time, O(rows + cols) memory besides the matrix.
 *
 * @returns colOfRow[r]: the column matched to row r.
 */
function shortestAugmentingPaths(cost: Float64Array, rows: number, cols: number): Int32Array {
  const u = new Float64Array(rows); // row potentials
  const v = new Float64Array(cols); // column potentials
  const shortest = new Float64Array(cols); // shortest reduced path cost to each column
  const path = new Int32Array(cols); // the row before each column on the shortest path
  const rowOfCol = new Int32Array(cols).fill(-1);
  const colOfRow = new Int32Array(rows).fill(-1);
  const remaining = new Int32Array(cols); // columns not yet reached, unordered
  const rowVisited = new Uint8Array(rows);
  const colVisited = new Uint8Array(cols);

  for (let current = 0; current < rows; current++) {
    // Dijkstra from row `current` over reduced costs until a free column is reached.
    shortest.fill(Infinity);
    rowVisited.fill(0);
    colVisited.fill(0);
    for (let k = 0; k < cols; k++) remaining[k] = cols - 1 - k;
    let remainingCount = cols;
    let minValue = 0;
    let row = current;
    let sink = -1;
    while (sink === -1) {
      rowVisited[row] = 1;
      let lowest = Infinity;
      let lowestAt = -1;
      const base = row * cols;
      const offset = minValue - u[row];
      for (let k = 0; k < remainingCount; k++) {
        const j = remaining[k];
        const reduced = offset + cost[base + j] - v[j];
        if (reduced < shortest[j]) {
          path[j] = row;
          shortest[j] = reduced;
        }
        // Ties go to a free column: the path ends sooner.
        if (shortest[j] < lowest || (shortest[j] === lowest && rowOfCol[j] === -1)) {
          lowest = shortest[j];
          lowestAt = k;
        }
      }
      minValue = lowest;
      const j = remaining[lowestAt];
      if (rowOfCol[j] === -1) sink = j;
      else row = rowOfCol[j];
      colVisited[j] = 1;
      remaining[lowestAt] = remaining[--remainingCount];
    }
    // Update the potentials, then flip the matching along the path.
    u[current] += minValue;
    for (let r = 0; r < rows; r++) if (rowVisited[r] === 1 && r !== current) u[r] += minValue - shortest[colOfRow[r]];
    for (let c = 0; c < cols; c++) if (colVisited[c] === 1) v[c] -= minValue - shortest[c];
    let j = sink;
    for (;;) {
      const r = path[j];
      rowOfCol[j] = r;
      const previous = colOfRow[r];
      colOfRow[r] = j;
      j = previous;
      if (r === current) break;
    }
  }
  return colOfRow;
}

/**
 * The linear sum assignment problem, as `scipy.optimize.linear_sum_assignment`: choose
 * min(rows, columns) entries, no two in the same row or column, with the smallest total (the
 * largest with `{ maximize: true }`). Rectangular matrices are allowed; a matrix with no rows or
 * no columns gives an empty assignment.
 *
 * Solved by shortest augmenting paths (Jonker–Volgenant, in Crouse's rectangular form, the
 * algorithm SciPy uses, with the same tie-breaking): O(s² · l) for a matrix with short side s and
 * long side l, so 1000 × 1000 takes about a second and 10 × 100 000 a few milliseconds.
 *
 * @param cost rows of equal length (arrays or typed arrays) of finite numbers.
 * @example
 * linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]);
 * // { rows: [0, 1, 2], cols: [1, 0, 2], totalCost: 5 }
 * @throws on a ragged matrix, an entry that is not a finite number, or entries so far apart that
 * their differences overflow.
 */
export function linearSumAssignment(cost: ReadonlyArray<ArrayLike<number>>, options: LinearSumAssignmentOptions = {}): Assignment {
  options = readOptions(options, 'linearSumAssignment', { maximize: 'boolean' });
  const { maximize = false } = options;
  if (!Array.isArray(cost) || cost.some((row) => !(Array.isArray(row) || ArrayBuffer.isView(row)))) {
    throw new Error(`linearSumAssignment: cost must be an array of rows (arrays of numbers), got ${describeArgument(cost)}.`);
  }
  const rowCount = cost.length;
  const colCount = rowCount === 0 ? 0 : cost[0].length;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rowCount; r++) {
    const row = cost[r];
    if (row === null || typeof row !== 'object' || row.length !== colCount) {
      throw new Error(`linearSumAssignment: row ${r} has ${row?.length} entries but row 0 has ${colCount}; the matrix must be rectangular.`);
    }
    for (let c = 0; c < colCount; c++) {
      const value = row[c];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`linearSumAssignment: entry [${r}][${c}] is ${String(value)}; entries must be finite numbers.`);
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (rowCount === 0 || colCount === 0) return { rows: [], cols: [], totalCost: 0 };
  if (!Number.isFinite(max - min)) throw new Error(`linearSumAssignment: entries span from ${min} to ${max}, whose difference overflows a double; rescale the matrix.`);

  // The short side becomes the rows of a dense row-major matrix (negated to maximise).
  const transposed = rowCount > colCount;
  const rows = transposed ? colCount : rowCount;
  const cols = transposed ? rowCount : colCount;
  const sign = maximize ? -1 : 1;
  const dense = new Float64Array(rows * cols);
  for (let r = 0; r < rowCount; r++) {
    const row = cost[r];
    for (let c = 0; c < colCount; c++) dense[transposed ? c * cols + r : r * cols + c] = sign * row[c];
  }
  const colOfRow = shortestAugmentingPaths(dense, rows, cols);

  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < rows; i++) pairs.push(transposed ? [colOfRow[i], i] : [i, colOfRow[i]]);
  if (transposed) pairs.sort((a, b) => a[0] - b[0]);
  let totalCost = 0;
  for (const [r, c] of pairs) totalCost += cost[r][c];
  return { rows: pairs.map((p) => p[0]), cols: pairs.map((p) => p[1]), totalCost };
}
