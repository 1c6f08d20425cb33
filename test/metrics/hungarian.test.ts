import { describe, expect, it } from 'vitest';

import computeMunkres from 'munkres-js';

import { linearSumAssignment } from '../../src/metrics/hungarian.js';
import { extraFixture, mainFixture, randomInts } from './helpers.js';

/** Best total over all injective assignments of the short side, by brute force. */
function bruteForce(cost: number[][], maximize: boolean): number {
  const transposed = cost.length > cost[0].length;
  const m = transposed ? cost[0].map((_, c) => cost.map((row) => row[c])) : cost;
  const used = new Array<boolean>(m[0].length).fill(false);
  let best = maximize ? -Infinity : Infinity;
  const search = (r: number, total: number): void => {
    if (r === m.length) {
      best = maximize ? Math.max(best, total) : Math.min(best, total);
      return;
    }
    for (let c = 0; c < m[0].length; c++) {
      if (!used[c]) {
        used[c] = true;
        search(r + 1, total + m[r][c]);
        used[c] = false;
      }
    }
  };
  search(0, 0);
  return best;
}

describe(`linearSumAssignment against ${mainFixture.reference}`, () => {
  mainFixture.assignment.forEach((a, i) => {
    it(`case ${i} (${a.cost.length}x${a.cost[0].length}): rows, cols equal, total within 1e-6`, () => {
      const result = linearSumAssignment(a.cost);
      expect(Math.abs(result.totalCost - a.minCost)).toBeLessThan(1e-6);
      expect(result.rows).toEqual(a.rows);
      expect(result.cols).toEqual(a.cols);
    });
  });

  extraFixture.assignment.forEach((a) => {
    it(`${a.name}${a.maximize ? ' (maximize)' : ''}: rows, cols equal, total within 1e-6`, () => {
      const result = linearSumAssignment(a.cost, { maximize: a.maximize });
      expect(Math.abs(result.totalCost - a.total)).toBeLessThan(1e-6);
      expect(result.rows).toEqual(a.rows);
      expect(result.cols).toEqual(a.cols);
    });
  });
});

describe('linearSumAssignment', () => {
  it('solves a small square problem (documented example)', () => {
    expect(linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]])).toEqual({ rows: [0, 1, 2], cols: [1, 0, 2], totalCost: 5 });
    expect(linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]], { maximize: true }).totalCost).toBe(11);
  });

  it('finds the brute-force optimum on random square and rectangular matrices, both directions', () => {
    const next = randomInts(2024);
    const shapes: Array<[number, number]> = [[1, 1], [2, 2], [3, 5], [5, 3], [4, 4], [6, 6], [2, 9], [9, 2], [3, 14], [14, 3], [5, 7]];
    for (const [rows, cols] of shapes) {
      for (let trial = 0; trial < 4; trial++) {
        // Small integer costs: many ties, negatives included.
        const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => next(11) - 5));
        for (const maximize of [false, true]) {
          const result = linearSumAssignment(cost, { maximize });
          expect(result.totalCost).toBe(bruteForce(cost, maximize));
          expect(result.rows.length).toBe(Math.min(rows, cols));
          expect(new Set(result.rows).size).toBe(result.rows.length);
          expect(new Set(result.cols).size).toBe(result.cols.length);
          expect([...result.rows].sort((a, b) => a - b)).toEqual(result.rows);
          expect(result.rows.reduce((sum, r, i) => sum + cost[r][result.cols[i]], 0)).toBe(result.totalCost);
        }
      }
    }
  });

  it('accepts typed-array rows and leaves the input untouched', () => {
    const cost = [Float64Array.from([3, 1]), Float64Array.from([1, 3])];
    expect(linearSumAssignment(cost)).toEqual({ rows: [0, 1], cols: [1, 0], totalCost: 2 });
    expect(Array.from(cost[0])).toEqual([3, 1]);
  });

  it('returns an empty assignment for a matrix with no rows or no columns (as scipy)', () => {
    expect(linearSumAssignment([])).toEqual({ rows: [], cols: [], totalCost: 0 });
    expect(linearSumAssignment([[], []])).toEqual({ rows: [], cols: [], totalCost: 0 });
  });

  it('solves 2000 × 10 and its transpose to the same total (its time: npm run bench -- --only timings)', () => {
    const next = randomInts(5);
    const cost = Array.from({ length: 2000 }, () => Array.from({ length: 10 }, () => next(1_000_000) / 1000));
    const result = linearSumAssignment(cost);
    // Each column's own minimum is a lower bound of its share.
    const lowerBound = cost[0].map((_, c) => Math.min(...cost.map((row) => row[c]))).reduce((a, b) => a + b, 0);
    expect(result.totalCost).toBeGreaterThanOrEqual(lowerBound - 1e-9);
    const wide = linearSumAssignment(cost[0].map((_, c) => cost.map((row) => row[c])));
    expect(wide.totalCost).toBeCloseTo(result.totalCost, 9);
  });

  it('agrees with munkres-js (an independent Hungarian implementation) on random 40 × 40 and 25 × 60 matrices', () => {
    const next = randomInts(77);
    for (const [rows, cols] of [[40, 40], [25, 60], [60, 25]] as Array<[number, number]>) {
      const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => next(10_000) / 100 - 50));
      const ours = linearSumAssignment(cost).totalCost;
      // munkres-js pads to a square and needs non-negative entries: shift by +50.
      const shifted = cost.map((row) => row.map((v) => v + 50));
      const reference = computeMunkres(shifted).reduce((sum, [r, c]) => sum + cost[r][c], 0);
      expect(ours).toBeCloseTo(reference, 9);
    }
  });

  it('rejects ragged matrices and non-finite entries', () => {
    expect(() => linearSumAssignment([[1, 2], [3]])).toThrow('linearSumAssignment: row 1 has 1 entries but row 0 has 2; the matrix must be rectangular.');
    expect(() => linearSumAssignment([[1, Number.NaN]])).toThrow('linearSumAssignment: entry [0][1] is NaN; entries must be finite numbers.');
    expect(() => linearSumAssignment([[Infinity, 1]])).toThrow('entry [0][0] is Infinity');
    expect(() => linearSumAssignment([[1.5e308, -1.5e308], [0, 0]])).toThrow('linearSumAssignment: entries span from -1.5e+308 to 1.5e+308, whose difference overflows a double; rescale the matrix.');
  });
});
