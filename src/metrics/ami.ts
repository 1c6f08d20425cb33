import { contingency } from './labels.js';
import { averageEntropy, entropyOfSizes, mutualInformationOf } from './nmi.js';
import type { NmiOptions } from './nmi.js';

/** ln(k!) for k = 0..n, cached per n. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 2);
  for (let k = 2; k <= n + 1; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
}

/**
 * Expected mutual information of two random labelings with the given cluster sizes (the
 * hypergeometric model of Vinh, Epps & Bailey 2010), as scikit-learn's `expected_mutual_information`.
 */
export function expectedMutualInformation(classSizes: ArrayLike<number>, clusterSizes: ArrayLike<number>, n: number): number {
  const lf = logFactorials(n);
  const logN = Math.log(n);
  let emi = 0;
  for (let i = 0; i < classSizes.length; i++) {
    const a = classSizes[i];
    for (let j = 0; j < clusterSizes.length; j++) {
      const b = clusterSizes[j];
      const start = Math.max(1, a + b - n);
      const end = Math.min(a, b);
      for (let nij = start; nij <= end; nij++) {
        const term = (nij / n) * (Math.log(nij) + logN - Math.log(a) - Math.log(b));
        const logProbability = lf[a] + lf[b] + lf[n - a] + lf[n - b] - lf[n] - lf[nij] - lf[a - nij] - lf[b - nij] - lf[n - a - b + nij];
        emi += term * Math.exp(logProbability);
      }
    }
  }
  return emi;
}

/**
 * Adjusted mutual information, AMI = (I − E[I]) / (mean(H(true), H(pred)) − E[I]), as
 * scikit-learn's `adjusted_mutual_info_score` (arithmetic mean by default), including its special
 * cases (identical single-cluster or all-singleton labelings give 1).
 *
 * @throws on a length mismatch, empty input, non-integer labels or an unknown average.
 */
export function ami(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: NmiOptions = {}): number {
  const { average = 'arithmetic' } = options;
  averageEntropy(1, 1, average);
  const table = contingency(yTrue, yPred, 'ami');
  const classes = table.classes.length;
  const clusters = table.clusters.length;
  if ((classes === clusters && classes === 1) || (classes === clusters && classes === table.n)) return 1;
  const mi = mutualInformationOf(table);
  const emi = expectedMutualInformation(table.classSizes, table.clusterSizes, table.n);
  const normaliser = averageEntropy(entropyOfSizes(table.classSizes, table.n), entropyOfSizes(table.clusterSizes, table.n), average);
  let denominator = normaliser - emi;
  // As scikit-learn: keep the denominator's sign and away from 0.
  const tiny = Number.EPSILON;
  denominator = denominator < 0 ? Math.min(denominator, -tiny) : Math.max(denominator, tiny);
  return (mi - emi) / denominator;
}
