import { describe, expect, it } from 'vitest';

import { isDenseMatrix, matrixRows, toFloat64Matrix, toLabelArray, toRows } from '../../src/cluster/matrix.js';

describe('toFloat64Matrix', () => {
  it('accepts nested rows, typed-array rows and flat { data, rows, cols } alike', () => {
    const nested = toFloat64Matrix([[1, 2, 3], [4, 5, 6]]);
    const typed = toFloat64Matrix([Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6)]);
    const flat32 = toFloat64Matrix({ data: Float32Array.of(1, 2, 3, 4, 5, 6), rows: 2, cols: 3 });
    for (const m of [nested, typed, flat32]) {
      expect(m.rows).toBe(2);
      expect(m.cols).toBe(3);
      expect(m.data).toBeInstanceOf(Float64Array);
      expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('does not copy a Float64Array unless asked to', () => {
    const data = Float64Array.of(1, 2, 3, 4);
    expect(toFloat64Matrix({ data, rows: 2, cols: 2 }).data).toBe(data);
    expect(toFloat64Matrix({ data, rows: 2, cols: 2 }, 'm', { copy: true }).data).not.toBe(data);
  });

  it('names the row of a NaN or infinite entry', () => {
    expect(() => toFloat64Matrix([[1, 2], [3, 4], [5, NaN]], 'x')).toThrow(/x: row 2 contains NaN \(column 1\)/);
    expect(() => toFloat64Matrix({ data: Float32Array.of(0, 1, Infinity, 2), rows: 2, cols: 2 })).toThrow(/row 1 contains Infinity/);
  });

  it('rejects empty, ragged and mis-sized inputs', () => {
    expect(() => toFloat64Matrix([], 'x')).toThrow(/x is empty/);
    expect(() => toFloat64Matrix({ data: new Float64Array(0), rows: 0, cols: 3 }, 'x')).toThrow(/x is empty/);
    expect(toFloat64Matrix([], 'x', { allowEmpty: true }).rows).toBe(0);
    expect(() => toFloat64Matrix([[], []], 'x')).toThrow(/no columns/);
    expect(() => toFloat64Matrix([[1, 2], [3]], 'x')).toThrow(/row 1 has 1 values but row 0 has 2/);
    expect(() => toFloat64Matrix({ data: new Float64Array(5), rows: 2, cols: 3 }, 'x')).toThrow(/length 5, expected rows \* cols/);
    expect(() => toFloat64Matrix({ data: new Float64Array(6), rows: 1.5, cols: 4 }, 'x')).toThrow(/integers/);
  });

  it('round-trips through toRows', () => {
    const rows = [[1.5, -2], [0, 7]];
    expect(toRows(toFloat64Matrix(rows))).toEqual(rows);
    expect(isDenseMatrix(rows)).toBe(false);
    expect(matrixRows({ data: new Float64Array(6), rows: 3, cols: 2 })).toBe(3);
  });
});

describe('toLabelArray', () => {
  it('copies valid labels into an Int32Array', () => {
    expect(Array.from(toLabelArray([0, 2, 1], 3))).toEqual([0, 2, 1]);
  });

  it('rejects wrong lengths and non-integer or negative labels', () => {
    expect(() => toLabelArray([0, 1], 3, 'y')).toThrow(/y has 2 entries but the features have 3 rows/);
    expect(() => toLabelArray([0, -1], 2, 'y')).toThrow(/entry 1 is -1/);
    expect(() => toLabelArray([0.5], 1, 'y')).toThrow(/entry 0 is 0.5/);
  });
});
