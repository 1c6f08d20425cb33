/** Labels re-indexed to 0..k−1, with the original value of each index. */
export interface EncodedLabels {
  codes: Int32Array;
  values: number[];
}

/**
 * Checks a pair of labelings (same non-zero length, integers) and returns nothing; throws a clear
 * error naming the problem.
 */
export function checkLabelPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, context: string): void {
  if (yTrue.length !== yPred.length) throw new Error(`${context}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}.`);
  if (yTrue.length === 0) throw new Error(`${context}: no labels (empty input).`);
  for (const [name, labels] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isInteger(labels[i])) throw new Error(`${context}: ${name}[${i}] is ${labels[i]}, not an integer label.`);
    }
  }
}

/** Maps arbitrary integer labels (negative, gaps) to 0..k−1 in increasing order of value. */
export function encodeLabels(labels: ArrayLike<number>): EncodedLabels {
  const values = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i])!;
  return { codes, values };
}

/** The contingency table of two labelings: counts[t][p] = #{i : true = t, predicted = p}. */
export interface Contingency {
  /** Row-major [classes × clusters]. */
  counts: Float64Array;
  classes: number[];
  clusters: number[];
  /** Row sums (class sizes) and column sums (cluster sizes). */
  classSizes: Float64Array;
  clusterSizes: Float64Array;
  n: number;
}

/** Builds the contingency table in one pass (O(n + classes·clusters)). */
export function contingency(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, context: string): Contingency {
  checkLabelPair(yTrue, yPred, context);
  const t = encodeLabels(yTrue);
  const p = encodeLabels(yPred);
  const rows = t.values.length;
  const cols = p.values.length;
  const counts = new Float64Array(rows * cols);
  const classSizes = new Float64Array(rows);
  const clusterSizes = new Float64Array(cols);
  for (let i = 0; i < t.codes.length; i++) {
    counts[t.codes[i] * cols + p.codes[i]]++;
    classSizes[t.codes[i]]++;
    clusterSizes[p.codes[i]]++;
  }
  return { counts, classes: t.values, clusters: p.values, classSizes, clusterSizes, n: t.codes.length };
}
