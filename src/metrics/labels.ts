/**
 * Label handling shared by the clustering metrics: validation, relabelling of arbitrary integer
 * labels to 0..k−1, and the (sparse) contingency table of two labelings.
 */

import { describeValue } from '../cluster/matrix.js';

/** Integer labels, one per sample: a plain array or any typed array (`Int32Array`, `Uint8Array`, …). */
export type ClusterLabels = ArrayLike<number>;

/** The result of {@link relabel}: labels re-indexed to 0..k−1, in increasing order of value. */
export interface RelabeledLabels {
  /** codes[i] ∈ 0..k−1 is the index of `labels[i]` in `values`. */
  codes: Int32Array;
  /** The k distinct original labels, ascending: `values[codes[i]] === labels[i]`. */
  values: number[];
  /** sizes[c] = number of samples with code c (all ≥ 1). */
  sizes: Float64Array;
}

/** Throws unless `labels[i]` is a finite integer, naming the offending entry. */
function invalidLabel(context: string, name: string, index: number, value: unknown): Error {
  const shown = typeof value === 'number' ? String(value) : `${JSON.stringify(value)} (${typeof value})`;
  return new Error(`${context}: ${name}[${index}] is ${shown}, not a finite integer label.`);
}

/**
 * Checks that `labels` is an array or a typed array (what every metric takes), naming it and the
 * calling function otherwise: `"nmi: yTrue must be an array or typed array of integer labels, got null."`.
 */
export function checkLabelArray(labels: unknown, name: string, context: string): asserts labels is ClusterLabels {
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<number>).length !== 'number' || !(Array.isArray(labels) || ArrayBuffer.isView(labels))) {
    throw new Error(`${context}: ${name} must be an array or typed array of integer labels, got ${describeValue(labels)}.`);
  }
}

/**
 * {@link relabel} with error messages naming the array (`name`) and the calling function (`context`),
 * e.g. `"nmi: yPred[3] is NaN, not a finite integer label."`.
 */
export function encodeLabels(labels: ClusterLabels, name: string, context: string): RelabeledLabels {
  checkLabelArray(labels, name, context);
  const n = labels.length;
  if (n === 0) throw new Error(`${context}: ${name} is empty; need at least one label.`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) throw invalidLabel(context, name, i, v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const codes = new Int32Array(n);
  const values: number[] = [];
  const range = max - min + 1;
  if (range <= 2 * n + 1024) {
    // Dense path: a lookup table over [min, max].
    const index = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) index[labels[i] - min] = 0;
    for (let v = 0; v < range; v++) {
      if (index[v] === 0) {
        index[v] = values.length;
        values.push(v + min);
      }
    }
    for (let i = 0; i < n; i++) codes[i] = index[labels[i] - min];
  } else {
    // Sparse path: sort a copy, deduplicate, look codes up in a Map.
    const sorted = Float64Array.from(labels).sort();
    const index = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      // `!==` treats -0 and 0 as one label, as Map keys do.
      if (i === 0 || sorted[i] !== sorted[i - 1]) {
        index.set(sorted[i], values.length);
        values.push(sorted[i] === 0 ? 0 : sorted[i]);
      }
    }
    for (let i = 0; i < n; i++) codes[i] = index.get(labels[i])!;
  }
  const sizes = new Float64Array(values.length);
  for (let i = 0; i < n; i++) sizes[codes[i]]++;
  return { codes, values, sizes };
}

/**
 * Relabels arbitrary integer labels (negative, not starting at 0, with gaps) to 0..k−1, keeping
 * their order (the smallest label gets code 0), and counts each label. Runs in O(n) when the
 * labels span a range of at most about 2n values, O(n log n) otherwise.
 *
 * @param labels one integer label per sample (array or typed array).
 * @example
 * relabel([10, -3, 10, 7]);
 * // { codes: Int32Array [2, 0, 2, 1], values: [-3, 7, 10], sizes: Float64Array [1, 1, 2] }
 * @throws on an empty array or a label that is not a finite integer (NaN, ±Infinity, 0.5).
 */
export function relabel(labels: ClusterLabels): RelabeledLabels {
  return encodeLabels(labels, 'labels', 'relabel');
}

/**
 * Checks that two labelings can be compared: same length, non-empty. (Label values are checked
 * by {@link relabel}.)
 *
 * @throws `"<context>: yTrue has 5 labels but yPred has 4."` and the like.
 */
export function checkSameLength(yTrue: ClusterLabels, yPred: ClusterLabels, context: string): void {
  checkLabelArray(yTrue, 'yTrue', context);
  checkLabelArray(yPred, 'yPred', context);
  if (yTrue.length !== yPred.length) {
    throw new Error(`${context}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}; they must have the same length.`);
  }
  if (yTrue.length === 0) throw new Error(`${context}: yTrue and yPred are empty; need at least one label.`);
}

/**
 * The contingency table of two labelings, stored sparsely: only its non-zero cells, row-major
 * (class ascending, then cluster ascending). Rows are true classes, columns predicted clusters.
 */
export interface Contingency {
  /** Number of samples. */
  n: number;
  /** The distinct true labels, ascending (row order). */
  classes: number[];
  /** The distinct predicted labels, ascending (column order). */
  clusters: number[];
  /** Samples per class (row sums). */
  classSizes: Float64Array;
  /** Samples per cluster (column sums). */
  clusterSizes: Float64Array;
  /** Row (class index) of each non-zero cell. */
  cellRows: Int32Array;
  /** Column (cluster index) of each non-zero cell. */
  cellCols: Int32Array;
  /** Count of each non-zero cell (≥ 1). */
  cellCounts: Float64Array;
}

/**
 * The contingency table of two labelings (true classes as rows, predicted clusters as columns),
 * kept sparse: class and cluster sizes plus the non-zero cells. Built in O(n) (dense counting when
 * classes × clusters is at most about 4n cells, else O(n log n) by sorting cell keys), so even
 * all-singleton labelings of a million samples stay cheap. The basis of every metric here.
 *
 * @example
 * contingencyTable([1, 1, 3], [7, 8, 8]);
 * // { n: 3, classes: [1, 3], clusters: [7, 8], classSizes: [2, 1], clusterSizes: [1, 2],
 * //   cellRows: [0, 0, 1], cellCols: [0, 1, 1], cellCounts: [1, 1, 1] }
 * @throws on a length mismatch, empty input or a label that is not a finite integer.
 */
export function contingencyTable(yTrue: ClusterLabels, yPred: ClusterLabels): Contingency {
  return buildContingency(yTrue, yPred, 'contingencyTable');
}

/** {@link contingencyTable} with error messages prefixed by `context` (the calling metric). */
export function buildContingency(yTrue: ClusterLabels, yPred: ClusterLabels, context: string): Contingency {
  checkSameLength(yTrue, yPred, context);
  const t = encodeLabels(yTrue, 'yTrue', context);
  const p = encodeLabels(yPred, 'yPred', context);
  const n = yTrue.length;
  const rows = t.values.length;
  const cols = p.values.length;
  let cellRows: Int32Array;
  let cellCols: Int32Array;
  let cellCounts: Float64Array;
  if (rows * cols <= 4 * n + 65536) {
    const counts = new Int32Array(rows * cols);
    for (let i = 0; i < n; i++) counts[t.codes[i] * cols + p.codes[i]]++;
    let nonZero = 0;
    for (let k = 0; k < counts.length; k++) if (counts[k] !== 0) nonZero++;
    cellRows = new Int32Array(nonZero);
    cellCols = new Int32Array(nonZero);
    cellCounts = new Float64Array(nonZero);
    let cell = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const count = counts[r * cols + c];
        if (count !== 0) {
          cellRows[cell] = r;
          cellCols[cell] = c;
          cellCounts[cell++] = count;
        }
      }
    }
  } else {
    // rows · cols ≤ n² < 2^53 for any array that fits in memory: keys are exact.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = t.codes[i] * cols + p.codes[i];
    keys.sort();
    let nonZero = 0;
    for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) nonZero++;
    cellRows = new Int32Array(nonZero);
    cellCols = new Int32Array(nonZero);
    cellCounts = new Float64Array(nonZero);
    let cell = -1;
    for (let i = 0; i < n; i++) {
      if (i === 0 || keys[i] !== keys[i - 1]) {
        cell++;
        cellRows[cell] = Math.floor(keys[i] / cols);
        cellCols[cell] = keys[i] - cellRows[cell] * cols;
      }
      cellCounts[cell]++;
    }
  }
  return { n, classes: t.values, clusters: p.values, classSizes: t.sizes, clusterSizes: p.sizes, cellRows, cellCols, cellCounts };
}
