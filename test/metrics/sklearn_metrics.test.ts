import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { ami } from '../../src/metrics/ami.js';
import { ari } from '../../src/metrics/ari.js';
import { clusterAccuracy, majorityVoteAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { confusionMatrix } from '../../src/metrics/confusion_matrix.js';
import { linearSumAssignment } from '../../src/metrics/hungarian.js';
import { mutualInformation, nmi } from '../../src/metrics/nmi.js';

interface Fixture {
  reference: string;
  clustering: Array<{ labelsTrue: number[]; labelsPred: number[]; nmi: number; nmiGeometric: number; ari: number; ami: number; accuracy: number }>;
  assignment: Array<{ cost: number[][]; minCost: number; rows: number[]; cols: number[] }>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics-sklearn.json', import.meta.url), 'utf8')) as Fixture;

describe(`metrics against ${fixture.reference}`, () => {
  fixture.clustering.forEach((c, i) => {
    it(`case ${i} (n = ${c.labelsTrue.length}): NMI, geometric NMI, ARI, AMI within 1e-9, accuracy exact`, () => {
      expect(Math.abs(nmi(c.labelsTrue, c.labelsPred) - c.nmi)).toBeLessThan(1e-9);
      expect(Math.abs(nmi(c.labelsTrue, c.labelsPred, { average: 'geometric' }) - c.nmiGeometric)).toBeLessThan(1e-9);
      expect(Math.abs(ari(c.labelsTrue, c.labelsPred) - c.ari)).toBeLessThan(1e-9);
      expect(Math.abs(ami(c.labelsTrue, c.labelsPred) - c.ami)).toBeLessThan(1e-9);
      expect(clusterAccuracy(c.labelsTrue, c.labelsPred).accuracy).toBe(c.accuracy);
    });
  });

  fixture.assignment.forEach((a, i) => {
    it(`assignment ${i} (${a.cost.length}x${a.cost[0].length}) equals scipy's linear_sum_assignment`, () => {
      const result = linearSumAssignment(a.cost);
      expect(Math.abs(result.totalCost - a.minCost)).toBeLessThan(1e-6);
      expect(result.rows).toEqual(a.rows);
      expect(result.cols).toEqual(a.cols);
    });
  });
});

describe('metric edge cases', () => {
  it('one cluster, all singletons, and constant labelings behave as scikit-learn', () => {
    const labels = [0, 0, 1, 1, 2, 2];
    expect(nmi([0, 0, 0], [5, 5, 5])).toBe(1);
    expect(nmi(labels, [0, 0, 0, 0, 0, 0])).toBe(0);
    expect(ari([0, 0, 0], [1, 1, 1])).toBe(1);
    expect(ari([0, 1, 2, 3], [3, 2, 1, 0])).toBe(1);
    expect(ami([0, 1, 2, 3], [4, 5, 6, 7])).toBe(1);
    expect(clusterAccuracy(labels, [0, 0, 0, 0, 0, 0]).accuracy).toBeCloseTo(1 / 3, 12);
    expect(nmi(labels, [0, 1, 2, 3, 4, 5])).toBeCloseTo(2 * Math.log(3) / (Math.log(3) + Math.log(6)), 12);
  });

  it('labels not starting at 0, negative or with gaps give the same scores as 0-based ones', () => {
    const t = [0, 0, 1, 1, 2, 2, 2];
    const p = [1, 1, 0, 2, 2, 2, 0];
    const t2 = t.map((v) => v * 10 - 7);
    const p2 = p.map((v) => -v * 3 + 100);
    expect(nmi(t2, p2)).toBeCloseTo(nmi(t, p), 14);
    expect(ari(t2, p2)).toBeCloseTo(ari(t, p), 14);
    expect(ami(t2, p2)).toBeCloseTo(ami(t, p), 14);
    expect(clusterAccuracy(t2, p2).accuracy).toBe(clusterAccuracy(t, p).accuracy);
  });

  it('Hungarian accuracy with more clusters than classes and with fewer (hand-computed)', () => {
    // Two classes, four clusters: best one-to-one = cluster 0 → class 0 (3), cluster 2 → class 1 (2).
    const more = clusterAccuracy([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 2, 2, 3, 1]);
    expect(more.accuracy).toBe(5 / 8);
    expect([...more.mapping.entries()].sort()).toEqual([[0, 0], [2, 1]]);
    // Three classes, two clusters: at most two classes can be matched.
    const fewer = clusterAccuracy([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]);
    expect(fewer.accuracy).toBe(4 / 6);
    // Majority vote lets several clusters share a class.
    expect(majorityVoteAccuracy([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 2, 2, 3, 1]).accuracy).toBe(7 / 8);
    expect(confusionMatrix([1, 1, 3], [7, 8, 8])).toEqual({ matrix: [[1, 1], [0, 1]], trueClasses: [1, 3], predictedClusters: [7, 8] });
  });

  it('is invariant to renaming clusters', () => {
    const c = fixture.clustering[2];
    const renamed = c.labelsPred.map((v) => (v * 7 + 3) % 101);
    expect(nmi(c.labelsTrue, renamed)).toBeCloseTo(c.nmi, 12);
    expect(ari(c.labelsTrue, renamed)).toBeCloseTo(c.ari, 12);
    expect(clusterAccuracy(c.labelsTrue, renamed).accuracy).toBe(c.accuracy);
    expect(mutualInformation(c.labelsTrue, renamed)).toBeCloseTo(mutualInformation(c.labelsTrue, c.labelsPred), 12);
  });

  it('rejects length mismatches, empty input, NaN and non-integers with clear messages', () => {
    expect(() => nmi([0, 1], [0])).toThrow(/yTrue has 2 labels but yPred has 1/);
    expect(() => ari([], [])).toThrow(/empty/);
    expect(() => clusterAccuracy([0, Number.NaN], [0, 1])).toThrow(/yTrue\[1\] is NaN, not an integer/);
    expect(() => ami([0, 1], [0, 0.5])).toThrow(/yPred\[1\] is 0.5/);
    expect(() => nmi([0, 1], [0, 1], { average: 'median' as 'min' })).toThrow(/unknown average 'median'/);
    expect(() => linearSumAssignment([[1, 2], [3]])).toThrow(/row 1 has 1 entries/);
  });

  it('scores a million labels (counts in typed arrays, not per-pair loops)', () => {
    const n = 1_000_000;
    const t = Int32Array.from({ length: n }, (_, i) => i % 10);
    // Periods 10 and 13 are coprime: the two labelings are independent, every pair equally frequent.
    const p = Int32Array.from({ length: n }, (_, i) => i % 13);
    expect(nmi(t, p)).toBeLessThan(1e-4);
    expect(Math.abs(ari(t, p))).toBeLessThan(1e-4);
    expect(clusterAccuracy(t, p).accuracy).toBeCloseTo(10 * Math.ceil(n / 130) / n, 3);
  });
});
