import { describe, expect, it } from 'vitest';

import { ami, expectedMutualInformation, lnFactorial } from '../../src/metrics/ami.js';
import { contingencyTable } from '../../src/metrics/labels.js';
import type { NmiAverage } from '../../src/metrics/nmi.js';
import { extraFixture, generatedLabels, mainFixture, renamed } from './helpers.js';

const TOLERANCE = 1e-9;

function emiOf(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const table = contingencyTable(labelsTrue, labelsPred);
  return expectedMutualInformation(table.classSizes, table.clusterSizes, table.n);
}

/** scikit-learn's triple loop, every term, with this module's lnFactorial: the unpruned reference. */
function emiFullSum(a: number[], b: number[], n: number): number {
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      for (let nij = Math.max(1, ai + bj - n); nij <= Math.min(ai, bj); nij++) {
        const gln = lnFactorial(ai) + lnFactorial(bj) + lnFactorial(n - ai) + lnFactorial(n - bj) - lnFactorial(nij) - lnFactorial(n) - lnFactorial(ai - nij) - lnFactorial(bj - nij) - lnFactorial(n - ai - bj + nij);
        emi += (nij / n) * (Math.log(n) + Math.log(nij) - Math.log(ai) - Math.log(bj)) * Math.exp(gln);
      }
    }
  }
  return emi;
}

describe(`ami against ${mainFixture.reference}`, () => {
  mainFixture.clustering.forEach((c, i) => {
    it(`case ${i} (n = ${c.labelsTrue.length}) within 1e-9`, () => {
      expect(Math.abs(ami(c.labelsTrue, c.labelsPred) - c.ami)).toBeLessThan(TOLERANCE);
    });
  });

  extraFixture.clustering.forEach((c) => {
    it(`${c.name}: every average and the expected mutual information within 1e-9`, () => {
      for (const [average, expected] of Object.entries(c.ami)) {
        expect(Math.abs(ami(c.labelsTrue, c.labelsPred, { average: average as NmiAverage }) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(Math.abs(emiOf(c.labelsTrue, c.labelsPred) - c.emi)).toBeLessThan(TOLERANCE);
    });
  });

  extraFixture.generated.forEach((c) => {
    it(`${c.name}: every average and the expected mutual information within 1e-9`, () => {
      const { labelsTrue, labelsPred } = generatedLabels(c.generator);
      for (const [average, expected] of Object.entries(c.ami)) {
        expect(Math.abs(ami(labelsTrue, labelsPred, { average: average as NmiAverage }) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(Math.abs(emiOf(labelsTrue, labelsPred) - c.emi)).toBeLessThan(1e-12);
    });
  });
});

describe('lnFactorial', () => {
  it('is exact for small k and agrees with compensated sums of logs to ~1e-15 relative up to 20000', () => {
    expect(lnFactorial(0)).toBe(0);
    expect(lnFactorial(1)).toBe(0);
    expect(lnFactorial(5)).toBeCloseTo(Math.log(120), 14);
    let sum = 0;
    let compensation = 0;
    for (let k = 2; k <= 20_000; k++) {
      // Kahan summation of ln k.
      const y = Math.log(k) - compensation;
      const t = sum + y;
      compensation = t - sum - y;
      sum = t;
      if (k % 7 === 0 || k === 63 || k === 64 || k === 65) expect(Math.abs(lnFactorial(k) - sum) / sum).toBeLessThan(2e-15);
    }
  });

  it('matches Stirling-free identities at large k: ln(k!) − ln((k−1)!) = ln k', () => {
    for (const k of [100, 1000, 123_457, 1_000_000]) expect(lnFactorial(k) - lnFactorial(k - 1)).toBeCloseTo(Math.log(k), 7);
  });
});

describe('expectedMutualInformation', () => {
  it('equals the full, unpruned triple sum (tails beyond e^-80 of the mode are negligible)', () => {
    const cases: Array<[number[], number[]]> = [
      [[3, 5, 2], [4, 4, 2]],
      [[500, 300, 200], [250, 250, 250, 250]],
      [[1, 1, 1, 1, 6], [2, 8]],
      [[2000, 1000, 7], [1500, 1500, 7]],
    ];
    for (const [a, b] of cases) {
      const n = a.reduce((s, x) => s + x, 0);
      const full = emiFullSum(a, b, n);
      expect(Math.abs(expectedMutualInformation(a, b, n) - full)).toBeLessThan(1e-13 * Math.max(1, full));
    }
  });

  it('is 0 for a single cluster, log n for all singletons against themselves, and ignores empty clusters', () => {
    expect(expectedMutualInformation([10], [3, 7], 10)).toBe(0);
    expect(expectedMutualInformation([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], 5)).toBeCloseTo(Math.log(5), 13);
    expect(expectedMutualInformation([3, 0, 5], [4, 4, 0], 8)).toBe(expectedMutualInformation([3, 5], [4, 4], 8));
  });

  it('rejects sizes that are not counts or do not sum to n', () => {
    expect(() => expectedMutualInformation([3, 5], [4, 4], 9)).toThrow('expectedMutualInformation: classSizes sum to 8, not n = 9.');
    expect(() => expectedMutualInformation([3, 5], [4, 3.5], 8)).toThrow('expectedMutualInformation: clusterSizes[1] is 3.5, not a non-negative integer.');
    expect(() => expectedMutualInformation([-1, 9], [4, 4], 8)).toThrow('classSizes[0] is -1');
  });
});

describe('ami', () => {
  it('follows scikit-learn’s special cases', () => {
    // Both a single cluster: 1. One of them a single cluster: 0.
    expect(ami([0, 0, 0], [5, 5, 5])).toBe(1);
    expect(ami([7], [8])).toBe(1);
    for (const average of ['arithmetic', 'geometric', 'min', 'max'] as const) {
      expect(ami([0, 0, 1, 1, 2], [3, 3, 3, 3, 3], { average })).toBe(0);
      expect(ami([3, 3, 3, 3, 3], [0, 0, 1, 1, 2], { average })).toBe(0);
    }
    // Identical partitions: 1 up to rounding.
    expect(ami([0, 0, 1, 1, 1, 2], [4, 4, -1, -1, -1, 0])).toBeCloseTo(1, 14);
    // Crossed halves: I = 0 < E[I], negative.
    expect(ami([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 14);
  });

  it('returns 1 when both labelings are all singletons (documented: scikit-learn returns rounding noise there)', () => {
    for (const n of [2, 3, 4, 5, 50]) {
      const ids = Array.from({ length: n }, (_, i) => i);
      expect(ami(ids, ids.map((i) => 100 - i))).toBe(1);
    }
  });

  it('is symmetric and invariant to renaming clusters or classes', () => {
    for (const c of mainFixture.clustering) {
      expect(Math.abs(ami(renamed(c.labelsTrue, 2), renamed(c.labelsPred, 13)) - c.ami)).toBeLessThan(TOLERANCE);
      expect(Math.abs(ami(c.labelsPred, c.labelsTrue) - c.ami)).toBeLessThan(TOLERANCE);
    }
  });

  it('rejects bad input with clear messages', () => {
    expect(() => ami([0, 1], [0])).toThrow('ami: yTrue has 2 labels but yPred has 1');
    expect(() => ami([], [])).toThrow('ami: yTrue and yPred are empty');
    expect(() => ami([0, 1], [0, 0.5])).toThrow('ami: yPred[1] is 0.5, not a finite integer label.');
    expect(() => ami([Number.NaN, 1], [0, 0])).toThrow('ami: yTrue[0] is NaN');
    expect(() => ami([0, 1], [0, 1], { average: 'mean' as NmiAverage })).toThrow("ami: unknown average 'mean'");
  });

  it('scores a million labels (10 classes × 100 clusters, and all singletons; its time: npm run bench -- --only timings)', () => {
    const n = 1_000_000;
    const t = Int32Array.from({ length: n }, (_, i) => i % 10);
    const p = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 10_000));
    // Exactly balanced: I = 0 < E[I], so AMI is slightly negative.
    const score = ami(t, p);
    expect(score).toBeLessThan(0);
    expect(score).toBeGreaterThan(-1e-3);
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    expect(Math.abs(ami(t, ids))).toBeLessThan(1e-9);
  });
});
