import { buildContingency } from './labels.js';
import type { ClusterLabels } from './labels.js';
import { Sum } from './compensated_sum.js';
import { averageEntropy, checkAverage, entropyOfSizes, mutualInformationOf } from './nmi.js';
import type { NmiOptions } from './nmi.js';
import { readOptions } from '../data/options.js';
import { checkNumber, checkNumberArray } from '../data/checks.js';

/** Options of {@link ami}: the same `average` as {@link nmi}. */
export type AmiOptions = NmiOptions;

/** Below this, ln(k!) comes from a table of compensated sums of logs. */
const TABLE_SIZE = 64;

const LN_FACTORIAL_TABLE: Float64Array = (() => {
  const table = new Float64Array(TABLE_SIZE);
  const sum = new Sum();
  for (let k = 2; k < TABLE_SIZE; k++) {
    sum.add(Math.log(k));
    table[k] = sum.value;
  }
  return table;
})();

const HALF_LN_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln(k!) = lnΓ(k + 1) for a non-negative integer k, accurate to a few ulps: a table below 64,
 * Stirling's series beyond (terms up to k⁻⁹, truncation error < 10⁻²⁰ there).
 */
export function lnFactorial(k: number): number {
  if (k < TABLE_SIZE) return LN_FACTORIAL_TABLE[k];
  const inverse = 1 / k;
  const inverse2 = inverse * inverse;
  // 1/(12k) − 1/(360k³) + 1/(1260k⁵) − 1/(1680k⁷) + 1/(1188k⁹)
  const series = inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 * (1 / 1260 - inverse2 * (1 / 1680 - inverse2 / 1188))));
  return (k + 0.5) * Math.log(k) - k + HALF_LN_TWO_PI + series;
}

/** Terms of the hypergeometric sum more than this many nats below its mode are skipped (< e⁻⁸⁰ relative). */
const TAIL_NATS = 80;

/** Distinct positive values of `sizes` with their multiplicities. */
function groupSizes(sizes: ArrayLike<number>, name: string): Map<number, number> {
  const groups = new Map<number, number>();
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    if (!Number.isInteger(size) || size < 0) throw new Error(`expectedMutualInformation: ${name}[${i}] is ${size}, not a non-negative integer.`);
    if (size > 0) groups.set(size, (groups.get(size) ?? 0) + 1);
  }
  return groups;
}

/**
 * Expected mutual information (nats) between two random labelings with the given class and cluster
 * sizes, under the hypergeometric (permutation) model of Vinh, Epps & Bailey (2010), as
 * scikit-learn's `expected_mutual_information`:
 * E[I] = Σᵢⱼ Σ_{nᵢⱼ} (nᵢⱼ/n) log(n·nᵢⱼ/(aᵢbⱼ)) · P(nᵢⱼ | aᵢ, bⱼ, n), the probabilities evaluated
 * with log-factorials. 0 when either labeling has a single non-empty cluster.
 *
 * Pairs of equal sizes are evaluated once, and each hypergeometric sum runs outward from its mode
 * until terms fall e⁻⁸⁰ below it, so the cost is about Σᵢⱼ 25·σᵢⱼ rather than Σᵢⱼ min(aᵢ, bⱼ).
 *
 * @param classSizes samples per true class (zeros ignored).
 * @param clusterSizes samples per predicted cluster (zeros ignored).
 * @param n total number of samples; both size lists must sum to it.
 * @throws on a size that is not a non-negative integer, or sizes not summing to n.
 */
export function expectedMutualInformation(classSizes: ArrayLike<number>, clusterSizes: ArrayLike<number>, n: number): number {
  checkNumberArray(classSizes, 'classSizes', 'expectedMutualInformation');
  checkNumberArray(clusterSizes, 'clusterSizes', 'expectedMutualInformation');
  checkNumber(n, 'n', 'expectedMutualInformation', { integer: true, min: 1 });
  const classGroups = groupSizes(classSizes, 'classSizes');
  const clusterGroups = groupSizes(clusterSizes, 'clusterSizes');
  for (const [name, groups] of [['classSizes', classGroups], ['clusterSizes', clusterGroups]] as const) {
    let total = 0;
    for (const [size, count] of groups) total += size * count;
    if (total !== n) throw new Error(`expectedMutualInformation: ${name} sum to ${total}, not n = ${n}.`);
  }
  let classCount = 0;
  for (const count of classGroups.values()) classCount += count;
  let clusterCount = 0;
  for (const count of clusterGroups.values()) clusterCount += count;
  if (classCount === 1 || clusterCount === 1) return 0;

  const logN = Math.log(n);
  const lnFactorialN = lnFactorial(n);
  const emi = new Sum();
  for (const [a, classMultiplicity] of classGroups) {
    const lnFactorialA = lnFactorial(a);
    const lnFactorialNA = lnFactorial(n - a);
    const logA = Math.log(a);
    for (const [b, clusterMultiplicity] of clusterGroups) {
      const start = Math.max(1, a + b - n);
      const end = Math.min(a, b);
      if (start > end) continue;
      // Terms in scikit-learn's order of operations.
      const numerator = lnFactorialA + lnFactorial(b) + lnFactorialNA + lnFactorial(n - b);
      const logB = Math.log(b);
      const logProbability = (nij: number): number =>
        numerator - (lnFactorial(nij) + lnFactorialN) - lnFactorial(a - nij) - lnFactorial(b - nij) - lnFactorial(n - a - b + nij);
      const term = (nij: number, gln: number): number => (nij / n) * (logN + Math.log(nij) - logA - logB) * Math.exp(gln);
      const mode = Math.min(end, Math.max(start, Math.floor(((a + 1) * (b + 1)) / (n + 2))));
      const peak = logProbability(mode);
      const floor = peak - TAIL_NATS;
      const pair = new Sum();
      pair.add(term(mode, peak));
      for (let nij = mode + 1; nij <= end; nij++) {
        const gln = logProbability(nij);
        if (gln < floor) break;
        pair.add(term(nij, gln));
      }
      for (let nij = mode - 1; nij >= start; nij--) {
        const gln = logProbability(nij);
        if (gln < floor) break;
        pair.add(term(nij, gln));
      }
      emi.add(pair.value * classMultiplicity * clusterMultiplicity);
    }
  }
  return emi.value;
}

/**
 * Adjusted mutual information, AMI = (I − E[I]) / (mean(H(yTrue), H(yPred)) − E[I]), as
 * scikit-learn 1.2's `adjusted_mutual_info_score` (arithmetic mean by default): 1 for identical
 * partitions, about 0 (possibly negative) for independent ones. Special cases: both labelings a
 * single cluster gives 1 (as scikit-learn); either one a single cluster (the other not) gives 0.
 * The denominator keeps its sign and is kept at least machine epsilon away from 0, as
 * scikit-learn does.
 *
 * One deliberate difference: when both labelings put every sample in its own cluster (n ≥ 2),
 * AMI is 0/0 and scikit-learn returns rounding noise (0 for n = 2 or 4, 1 for n = 3 or 5); this
 * returns 1, as for any other pair of identical partitions.
 *
 * @example
 * ami([0, 0, 1, 1], [1, 1, 0, 0]); // 1
 * ami([0, 0, 1, 1], [0, 1, 0, 1]); // -0.5 (up to rounding)
 * @throws on a length mismatch, empty input, a label that is not a finite integer, or an unknown
 *   `average`.
 */
export function ami(yTrue: ClusterLabels, yPred: ClusterLabels, options: AmiOptions = {}): number {
  options = readOptions(options, 'ami');
  const { average = 'arithmetic' } = options;
  checkAverage(average, 'ami');
  const table = buildContingency(yTrue, yPred, 'ami');
  const classes = table.classes.length;
  const clusters = table.clusters.length;
  if (classes === 1 && clusters === 1) return 1;
  if (classes === table.n && clusters === table.n) return 1;
  const mi = mutualInformationOf(table);
  const emi = expectedMutualInformation(table.classSizes, table.clusterSizes, table.n);
  const normalizer = averageEntropy(entropyOfSizes(table.classSizes, table.n), entropyOfSizes(table.clusterSizes, table.n), average);
  let denominator = normalizer - emi;
  denominator = denominator < 0 ? Math.min(denominator, -Number.EPSILON) : Math.max(denominator, Number.EPSILON);
  return (mi - emi) / denominator;
}
