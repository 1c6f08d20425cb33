import { contingency } from './labels.js';

function pairs(x: number): number {
  return (x * (x - 1)) / 2;
}

/**
 * Adjusted Rand index, as scikit-learn's `adjusted_rand_score`: the Rand index corrected for
 * chance, 1 for identical partitions (up to renaming), about 0 for random ones, possibly negative.
 * Special cases as scikit-learn: both labelings a single cluster, or every sample its own
 * cluster in both, give 1.
 *
 * @throws on a length mismatch, empty input or non-integer labels.
 */
export function ari(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const table = contingency(yTrue, yPred, 'ari');
  const { counts, classSizes, clusterSizes, n } = table;
  const classes = classSizes.length;
  const clusters = clusterSizes.length;
  if (classes === clusters && (classes === 1 || classes === n)) return 1;
  let sumCells = 0;
  for (let i = 0; i < counts.length; i++) sumCells += pairs(counts[i]);
  let sumClasses = 0;
  for (let i = 0; i < classes; i++) sumClasses += pairs(classSizes[i]);
  let sumClusters = 0;
  for (let i = 0; i < clusters; i++) sumClusters += pairs(clusterSizes[i]);
  const expected = (sumClasses * sumClusters) / pairs(n);
  const maximum = (sumClasses + sumClusters) / 2;
  if (maximum === expected) return 1;
  return (sumCells - expected) / (maximum - expected);
}
