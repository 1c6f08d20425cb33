import { describe, expect, it } from 'vitest';

import { buildContingency, checkSameLength, contingencyTable, encodeLabels, relabel } from '../../src/metrics/labels.js';
import { randomInts } from './helpers.js';

describe('relabel', () => {
  it('maps negative, shifted and gappy labels to 0..k-1 in increasing order', () => {
    const { codes, values, sizes } = relabel([10, -3, 10, 7, -3, 10]);
    expect(Array.from(codes)).toEqual([2, 0, 2, 1, 0, 2]);
    expect(values).toEqual([-3, 7, 10]);
    expect(Array.from(sizes)).toEqual([2, 1, 3]);
  });

  it('accepts typed arrays', () => {
    expect(relabel(Int32Array.from([5, 5, 2])).values).toEqual([2, 5]);
    expect(Array.from(relabel(Uint8Array.from([0, 255, 0])).codes)).toEqual([0, 1, 0]);
    expect(Array.from(relabel(Float64Array.from([-1, 1])).codes)).toEqual([0, 1]);
  });

  it('gives the same result on the sparse path (labels spread far beyond n)', () => {
    const wide = [1e12, -5e11, 3, 1e12, 3];
    const { codes, values, sizes } = relabel(wide);
    expect(values).toEqual([-5e11, 3, 1e12]);
    expect(Array.from(codes)).toEqual([2, 0, 1, 2, 1]);
    expect(Array.from(sizes)).toEqual([1, 2, 2]);
    // -0 and 0 are one label on both paths.
    expect(relabel([0, -0, 1]).values).toEqual([0, 1]);
    expect(relabel([0, -0, 1e15]).values).toEqual([0, 1e15]);
  });

  it('rejects empty input, NaN, infinities and non-integers, naming the entry', () => {
    expect(() => relabel([])).toThrow('relabel: labels is empty; need at least one label.');
    expect(() => relabel([0, Number.NaN])).toThrow('relabel: labels[1] is NaN, not a finite integer label.');
    expect(() => relabel([Infinity])).toThrow('labels[0] is Infinity, not a finite integer label');
    expect(() => relabel([1, -Infinity])).toThrow('labels[1] is -Infinity');
    expect(() => encodeLabels([0, 0.5], 'yPred', 'nmi')).toThrow('nmi: yPred[1] is 0.5, not a finite integer label.');
    expect(() => relabel(['1'] as unknown as number[])).toThrow('labels[0] is "1" (string)');
  });
});

describe('checkSameLength', () => {
  it('names both lengths on a mismatch and rejects empty input', () => {
    expect(() => checkSameLength([0, 1, 2], [0, 1], 'ari')).toThrow('ari: yTrue has 3 labels but yPred has 2; they must have the same length.');
    expect(() => checkSameLength([], [], 'nmi')).toThrow('nmi: yTrue and yPred are empty');
    expect(() => checkSameLength([1], [2], 'nmi')).not.toThrow();
  });
});

describe('contingencyTable', () => {
  it('matches its documented example', () => {
    const table = contingencyTable([1, 1, 3], [7, 8, 8]);
    expect({ ...table, classSizes: Array.from(table.classSizes), clusterSizes: Array.from(table.clusterSizes), cellRows: Array.from(table.cellRows), cellCols: Array.from(table.cellCols), cellCounts: Array.from(table.cellCounts) }).toEqual({
      n: 3, classes: [1, 3], clusters: [7, 8], classSizes: [2, 1], clusterSizes: [1, 2], cellRows: [0, 0, 1], cellCols: [0, 1, 1], cellCounts: [1, 1, 1],
    });
  });

  it('lists the non-zero cells row-major with class and cluster sizes', () => {
    const table = contingencyTable([1, 1, 3, 3, 3], [-2, 8, 8, 8, -2]);
    expect(table.n).toBe(5);
    expect(table.classes).toEqual([1, 3]);
    expect(table.clusters).toEqual([-2, 8]);
    expect(Array.from(table.classSizes)).toEqual([2, 3]);
    expect(Array.from(table.clusterSizes)).toEqual([2, 3]);
    expect(Array.from(table.cellRows)).toEqual([0, 0, 1, 1]);
    expect(Array.from(table.cellCols)).toEqual([0, 1, 0, 1]);
    expect(Array.from(table.cellCounts)).toEqual([1, 1, 1, 2]);
  });

  it('builds the same table as naive counting, on the dense and on the sorted-key path', () => {
    const next = randomInts(99);
    const naive = (t: number[], p: number[]): string[] => {
      const counts = new Map<string, number>();
      t.forEach((c, i) => counts.set(`${c},${p[i]}`, (counts.get(`${c},${p[i]}`) ?? 0) + 1));
      return [...counts].map(([key, count]) => `${key}:${count}`).sort();
    };
    const cells = (table: ReturnType<typeof contingencyTable>): string[] =>
      Array.from(table.cellCounts, (count, k) => `${table.classes[table.cellRows[k]]},${table.clusters[table.cellCols[k]]}:${count}`).sort();
    // Dense: 10 × 12 cells for 2000 samples. Sorted keys: ~380 × ~410 cells > 4 · 600 + 65536.
    for (const [n, k1, k2, sparse] of [[2000, 10, 12, false], [600, 600, 700, true]] as const) {
      const t = Array.from({ length: n }, () => next(k1) * 3 - 11);
      const p = Array.from({ length: n }, () => next(k2) - 100);
      const table = contingencyTable(t, p);
      expect(table.classes.length * table.clusters.length > 4 * n + 65536).toBe(sparse);
      expect(cells(table)).toEqual(naive(t, p));
      // Row-major order.
      for (let k = 1; k < table.cellCounts.length; k++) {
        const before = table.cellRows[k - 1] * table.clusters.length + table.cellCols[k - 1];
        expect(table.cellRows[k] * table.clusters.length + table.cellCols[k]).toBeGreaterThan(before);
      }
    }
  });

  it('handles a million all-singleton labels (sparse cells, no n × n table; its time: npm run bench -- --only timings)', () => {
    const n = 1_000_000;
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    const table = contingencyTable(ids, ids);
    expect(table.cellCounts.length).toBe(n);
    expect(table.classes.length).toBe(n);
  });

  it('rejects mismatched lengths, empty input and bad labels with the caller named', () => {
    expect(() => contingencyTable([0], [0, 1])).toThrow('contingencyTable: yTrue has 1 labels but yPred has 2');
    expect(() => buildContingency([0, 1], [0], 'nmi')).toThrow('nmi: yTrue has 2 labels but yPred has 1');
    expect(() => buildContingency([], [], 'ami')).toThrow('ami: yTrue and yPred are empty');
    expect(() => buildContingency([0, 1], [0, Number.NaN], 'ari')).toThrow('ari: yPred[1] is NaN');
  });
});
