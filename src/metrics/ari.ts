import { buildContingency } from './labels.js';
import type { ClusterLabels } from './labels.js';

/** Σ x² over an array of non-negative integers, exactly (BigInt once the squares could round). */
function sumOfSquares(values: ArrayLike<number>, exactInNumber: boolean): bigint {
  if (exactInNumber) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
    return BigInt(sum);
  }
  let sum = 0n;
  for (let i = 0; i < values.length; i++) sum += BigInt(values[i]) ** 2n;
  return sum;
}

/**
 * Adjusted Rand index, exactly as scikit-learn 1.2's `adjusted_rand_score`: the Rand index
 * corrected for chance, from the pair confusion matrix (tn, fp, fn, tp) as
 * ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), computed in exact integer
 * arithmetic and rounded like scikit-learn (so results agree to the last bit).
 *
 * 1 for identical partitions up to renaming, including the special cases of both labelings a
 * single cluster or both all singletons (fp = fn = 0); about 0 for independent labelings; may be
 * negative (down to −0.5). Symmetric. O(n + non-zero cells).
 *
 * @example
 * ari([0, 0, 1, 1], [1, 1, 0, 0]); // 1
 * ari([0, 0, 1, 1], [0, 1, 0, 1]); // -0.5
 * @throws on a length mismatch, empty input or a label that is not a finite integer.
 */
export function ari(yTrue: ClusterLabels, yPred: ClusterLabels): number {
  const table = buildContingency(yTrue, yPred, 'ari');
  // Sums of squares are ≤ n², exact in a double while n² < 2^53.
  const exact = table.n * table.n <= Number.MAX_SAFE_INTEGER;
  const n = BigInt(table.n);
  const sumSquares = sumOfSquares(table.cellCounts, exact);
  const tp = sumSquares - n;
  const fp = sumOfSquares(table.clusterSizes, exact) - sumSquares;
  const fn = sumOfSquares(table.classSizes, exact) - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  // As Python: 2.0 * int / int converts each integer to the nearest double, then divides.
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
