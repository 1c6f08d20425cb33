import { describe, expect, it } from 'vitest';

import { confusionMatrix } from '../../src/metrics/confusion_matrix.js';
import { mainFixture } from './helpers.js';

describe('confusionMatrix', () => {
  it('has true classes as rows and clusters as columns, in ascending label order', () => {
    expect(confusionMatrix([1, 1, 3], [7, 8, 8])).toEqual({ matrix: [[1, 1], [0, 1]], trueClasses: [1, 3], predictedClusters: [7, 8] });
    expect(confusionMatrix([-1, 5, 5, 5], [0, 0, 0, 2])).toEqual({ matrix: [[1, 0], [2, 1]], trueClasses: [-1, 5], predictedClusters: [0, 2] });
  });

  it('counts every sample once (fixture labelings, typed arrays)', () => {
    for (const c of mainFixture.clustering) {
      const { matrix, trueClasses, predictedClusters } = confusionMatrix(Int32Array.from(c.labelsTrue), c.labelsPred);
      expect(matrix.length).toBe(new Set(c.labelsTrue).size);
      expect(matrix.every((row) => row.length === predictedClusters.length)).toBe(true);
      expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(c.labelsTrue.length);
      const r = trueClasses.indexOf(c.labelsTrue[0]);
      const k = predictedClusters.indexOf(c.labelsPred[0]);
      expect(matrix[r][k]).toBe(c.labelsTrue.filter((t, i) => t === c.labelsTrue[0] && c.labelsPred[i] === c.labelsPred[0]).length);
    }
  });

  it('is a single cell for one cluster and the identity for matching singletons', () => {
    expect(confusionMatrix([4, 4, 4], [0, 0, 0]).matrix).toEqual([[3]]);
    expect(confusionMatrix([0, 1, 2], [9, 8, 7]).matrix).toEqual([[0, 0, 1], [0, 1, 0], [1, 0, 0]]);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow('confusionMatrix: yTrue has 2 labels but yPred has 1');
    expect(() => confusionMatrix([], [])).toThrow('empty');
    expect(() => confusionMatrix([Number.NaN], [0])).toThrow('confusionMatrix: yTrue[0] is NaN');
    const n = 20_000;
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    expect(() => confusionMatrix(ids, ids)).toThrow(/20000 × 20000 confusion matrix has too many cells/);
  });
});
