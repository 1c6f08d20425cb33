import { describe, expect, it } from 'vitest';

import { rocAuc } from '../../src/metrics/roc_auc.js';

describe('rocAuc', () => {
  it('matches scikit-learn roc_auc_score, ties included', () => {
    // sklearn 1.2: roc_auc_score(y, s) = 0.68 for these (three scores tie at 0.4).
    const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.05, 0.3];
    expect(rocAuc(y, s)).toBeCloseTo(0.68, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for constant scores', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
    expect(rocAuc([1, 0, 1, 0], [7, 7, 7, 7])).toBe(0.5);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => rocAuc([0, 1], [0.5])).toThrow(/2 entries but scores has 1/);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/must be 0 or 1, got 2 at index 1/);
    expect(() => rocAuc([0, 0], [0.1, 0.2])).toThrow(/needs both classes/);
    expect(() => rocAuc([0, 1], [Number.NaN, 0.2])).toThrow(/index 0 is NaN/);
  });
});
