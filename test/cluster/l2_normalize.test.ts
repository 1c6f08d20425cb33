import { describe, expect, it } from 'vitest';

import { l2Normalize } from '../../src/cluster/l2_normalize.js';

describe('l2Normalize', () => {
  it('scales every row to unit norm', () => {
    const result = l2Normalize([[3, 4], [0, 2], [-1, 1]]);
    expect(Array.from(result.data.subarray(0, 4))).toEqual([0.6, 0.8, 0, 1]);
    for (let i = 0; i < result.rows; i++) {
      const row = result.data.subarray(i * 2, i * 2 + 2);
      expect(Math.hypot(...row)).toBeCloseTo(1, 14);
    }
  });

  it('keeps zero rows at zero and does not modify its input', () => {
    const data = Float64Array.of(0, 0, 0, 5, 0, 0);
    const result = l2Normalize({ data, rows: 2, cols: 3 });
    expect(Array.from(result.data)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(Array.from(data)).toEqual([0, 0, 0, 5, 0, 0]);
  });

  it('divides rows shorter than epsilon by epsilon', () => {
    const result = l2Normalize([[1e-3, 0]], { epsilon: 0.1 });
    expect(result.data[0]).toBeCloseTo(1e-2, 14);
  });

  it('rejects NaN rows and a negative epsilon', () => {
    expect(() => l2Normalize([[1, 2], [NaN, 0]])).toThrow(/row 1 contains NaN/);
    expect(() => l2Normalize([[1, 2]], { epsilon: -1 })).toThrow(/epsilon/);
  });
});
