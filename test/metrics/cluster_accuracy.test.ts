import { describe, expect, it } from 'vitest';

import { clusterAccuracy, majorityVoteAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { confusionMatrix } from '../../src/metrics/confusion_matrix.js';
import { linearSumAssignment } from '../../src/metrics/hungarian.js';
import { extraFixture, generatedLabels, mainFixture, randomInts, renamed } from './helpers.js';

/** Hungarian accuracy on the full confusion matrix, without the candidate reduction. */
function fullMatchingAccuracy(t: number[], p: number[]): number {
  const { matrix } = confusionMatrix(t, p);
  return linearSumAssignment(matrix, { maximize: true }).totalCost / t.length;
}

describe(`clusterAccuracy against ${mainFixture.reference} (scipy linear_sum_assignment on the contingency matrix)`, () => {
  mainFixture.clustering.forEach((c, i) => {
    it(`case ${i} (n = ${c.labelsTrue.length}) exactly`, () => {
      expect(clusterAccuracy(c.labelsTrue, c.labelsPred).accuracy).toBe(c.accuracy);
    });
  });

  extraFixture.clustering.forEach((c) => {
    it(`${c.name}: Hungarian and majority-vote accuracy exactly`, () => {
      expect(clusterAccuracy(c.labelsTrue, c.labelsPred).accuracy).toBe(c.accuracy);
      expect(majorityVoteAccuracy(c.labelsTrue, c.labelsPred).accuracy).toBe(c.majorityAccuracy);
    });
  });

  extraFixture.generated.forEach((c) => {
    it(`${c.name}: Hungarian and majority-vote accuracy exactly`, () => {
      const { labelsTrue, labelsPred } = generatedLabels(c.generator);
      expect(clusterAccuracy(labelsTrue, labelsPred).accuracy).toBe(c.accuracy);
      expect(majorityVoteAccuracy(labelsTrue, labelsPred).accuracy).toBe(c.majorityAccuracy);
    });
  });
});

describe('clusterAccuracy', () => {
  it('handles more clusters than classes (hand-computed): surplus clusters stay unmatched', () => {
    // Class 0 = samples 0-3, class 1 = samples 4-7. Overlaps: cluster 0 → class 0: 3, cluster 1 →
    // 1 each, cluster 2 → class 1: 2, cluster 3 → class 1: 1. Best one-to-one: 0→0, 2→1 = 5/8.
    const more = clusterAccuracy([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 2, 2, 3, 1]);
    expect(more.accuracy).toBe(5 / 8);
    expect([...more.mapping]).toEqual([[0, 0], [2, 1]]);
    expect(more.confusion).toEqual({ matrix: [[3, 1, 0, 0], [0, 1, 2, 1]], trueClasses: [0, 1], predictedClusters: [0, 1, 2, 3] });
  });

  it('handles fewer clusters than classes (hand-computed): some classes get no cluster', () => {
    // Three classes of 2, two clusters: cluster 0 = class 0, cluster 1 = classes 1 and 2.
    const fewer = clusterAccuracy([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]);
    expect(fewer.accuracy).toBe(4 / 6);
    expect(fewer.mapping.get(0)).toBe(0);
    expect([1, 2]).toContain(fewer.mapping.get(1));
    expect(fewer.mapping.size).toBe(2);
    // One cluster: the largest class.
    const one = clusterAccuracy([0, 0, 1, 1, 1, 2], [9, 9, 9, 9, 9, 9]);
    expect(one.accuracy).toBe(3 / 6);
    expect([...one.mapping]).toEqual([[9, 1]]);
  });

  it('works with negative, shifted labels and maps original label values', () => {
    const result = clusterAccuracy([-10, -10, 30, 30, 30], [7, 7, -3, -3, 7]);
    expect(result.accuracy).toBe(4 / 5);
    expect([...result.mapping]).toEqual([[-3, 30], [7, -10]]);
    expect(result.confusion.trueClasses).toEqual([-10, 30]);
    expect(result.confusion.predictedClusters).toEqual([-3, 7]);
  });

  it('is 1 for a renamed copy of the truth, all singletons included', () => {
    for (const c of mainFixture.clustering) expect(clusterAccuracy(c.labelsTrue, renamed(c.labelsTrue)).accuracy).toBe(1);
    expect(clusterAccuracy([0, 1, 2, 3], [3, 1, 2, 0]).accuracy).toBe(1);
  });

  it('is invariant to renaming clusters or classes (accuracy; mapping renamed along)', () => {
    for (const c of mainFixture.clustering) {
      const pred = renamed(c.labelsPred, 17);
      const result = clusterAccuracy(renamed(c.labelsTrue, 4), pred);
      expect(result.accuracy).toBe(c.accuracy);
      expect(majorityVoteAccuracy(c.labelsTrue, pred).accuracy).toBe(majorityVoteAccuracy(c.labelsTrue, c.labelsPred).accuracy);
    }
  });

  it('equals the full-matrix Hungarian optimum on random over- and under-clusterings (candidate reduction is exact)', () => {
    const next = randomInts(77);
    for (let trial = 0; trial < 30; trial++) {
      const n = 20 + next(200);
      const classes = 2 + next(5);
      const clusters = trial % 2 === 0 ? classes + next(40) : 1 + next(classes);
      const t = Array.from({ length: n }, () => next(classes));
      const p = Array.from({ length: n }, (_, i) => (next(3) === 0 ? next(clusters) : (t[i] * 5) % clusters));
      for (const [a, b] of [[t, p], [p, t]]) {
        const result = clusterAccuracy(a, b);
        expect(result.accuracy).toBe(fullMatchingAccuracy(a, b));
        expect(result.mapping.size).toBe(Math.min(new Set(a).size, new Set(b).size));
        // The mapping is one-to-one and achieves the accuracy.
        expect(new Set(result.mapping.values()).size).toBe(result.mapping.size);
        const matched = a.filter((cls, i) => result.mapping.get(b[i]) === cls).length;
        expect(matched / n).toBe(result.accuracy);
      }
    }
  });

  it('scores a million labels against 1000 clusters and against a million singleton clusters', () => {
    const n = 1_000_000;
    const t = Int32Array.from({ length: n }, (_, i) => i % 10);
    const p = Int32Array.from({ length: n }, (_, i) => (i % 10) * 100 + (Math.floor(i / 10) % 100));
    // Their times: npm run bench -- --only timings.
    const result = clusterAccuracy(t, p);
    // Each class spreads over 100 equal clusters: one matched cluster per class = 1% of samples.
    expect(result.accuracy).toBe(0.01);
    expect(majorityVoteAccuracy(t, p).accuracy).toBe(1);
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    const singletons = clusterAccuracy(t, ids);
    expect(singletons.accuracy).toBe(10 / n);
    expect(singletons.mapping.size).toBe(10);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => clusterAccuracy([0, 1, 2], [0, 1])).toThrow('clusterAccuracy: yTrue has 3 labels but yPred has 2');
    expect(() => clusterAccuracy([], [])).toThrow('clusterAccuracy: yTrue and yPred are empty');
    expect(() => clusterAccuracy([0, Number.NaN], [0, 1])).toThrow('clusterAccuracy: yTrue[1] is NaN, not a finite integer label.');
    expect(() => majorityVoteAccuracy([0, 1], [0, 2.5])).toThrow('majorityVoteAccuracy: yPred[1] is 2.5');
  });
});

describe('majorityVoteAccuracy', () => {
  it('lets several clusters share a class (hand-computed)', () => {
    const result = majorityVoteAccuracy([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 2, 2, 3, 1]);
    // Cluster 0 → class 0 (3), cluster 1 → tie 1:1 → class 0, cluster 2 → class 1 (2), cluster 3 → class 1 (1).
    expect(result.accuracy).toBe(7 / 8);
    expect([...result.mapping]).toEqual([[0, 0], [1, 0], [2, 1], [3, 1]]);
  });

  it('breaks ties toward the smallest class label and is never below clusterAccuracy', () => {
    expect([...majorityVoteAccuracy([5, -2], [0, 0]).mapping]).toEqual([[0, -2]]);
    for (const c of mainFixture.clustering) {
      expect(majorityVoteAccuracy(c.labelsTrue, c.labelsPred).accuracy).toBeGreaterThanOrEqual(c.accuracy);
    }
  });
});
