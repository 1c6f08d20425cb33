import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { Float64Matrix } from '../../src/cluster/matrix.js';
import { fitPcaWhiten, pcaWhiten } from '../../src/cluster/pca_whiten.js';
import { createRandom } from '../../src/data/random.js';

interface PcaFixture {
  name: string;
  nComponents: number;
  x: number[][];
  mean: number[];
  components: number[][];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  projected: number[][];
  whitened: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/cluster-sklearn.json', import.meta.url), 'utf8')) as { pca: PcaFixture[] };

/** n × d correlated Gaussian data: z·M + offset. */
function correlated(n: number, d: number, seed: number): Float64Matrix {
  const random = createRandom(seed);
  const mixing = Array.from({ length: d }, () => Array.from({ length: d }, () => random.normal()));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: d }, () => random.normal());
    for (let j = 0; j < d; j++) {
      let s = 5 + j;
      for (let t = 0; t < d; t++) s += z[t] * mixing[t][j];
      data[i * d + j] = s;
    }
  }
  return { data, rows: n, cols: d };
}

/** Column covariance (n − 1 normalisation) of a row-major matrix. */
function covariance(m: Float64Matrix): number[][] {
  const { data, rows, cols } = m;
  const mean = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j] / rows;
  const c = Array.from({ length: cols }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < cols; a++) {
      for (let b = 0; b < cols; b++) c[a][b] += ((data[i * cols + a] - mean[a]) * (data[i * cols + b] - mean[b])) / (rows - 1);
    }
  }
  return c;
}

/** Sign (±1) that aligns column `c` of `ours` (rows × cols) with `reference`. */
function columnSign(ours: Float64Matrix, reference: number[][], c: number): number {
  let dot = 0;
  for (let i = 0; i < ours.rows; i++) dot += ours.data[i * ours.cols + c] * reference[i][c];
  return dot < 0 ? -1 : 1;
}

describe('fitPcaWhiten against scikit-learn PCA', () => {
  for (const c of fixture.pca) {
    it(`matches mean, variances, axes and projections (${c.name})`, () => {
      const model = fitPcaWhiten(c.x, { nComponents: c.nComponents, whiten: false });
      const scale = Math.max(...c.explainedVariance);
      model.mean.forEach((v, j) => expect(v).toBeCloseTo(c.mean[j], 9));
      model.explainedVariance.forEach((v, i) => expect(Math.abs(v - c.explainedVariance[i]) / scale).toBeLessThan(1e-9));
      model.explainedVarianceRatio.forEach((v, i) => expect(v).toBeCloseTo(c.explainedVarianceRatio[i], 9));
      model.components.forEach((axis, i) => {
        const sign = Math.sign(axis.reduce((s, v, j) => s + v * c.components[i][j], 0));
        axis.forEach((v, j) => expect(sign * v).toBeCloseTo(c.components[i][j], 7));
      });
      const projected = model.transform(c.x);
      const whitened = pcaWhiten(c.x, { nComponents: c.nComponents, epsilon: 0 });
      expect([projected.rows, projected.cols]).toEqual([c.x.length, c.nComponents]);
      for (let k = 0; k < c.nComponents; k++) {
        const s1 = columnSign(projected, c.projected, k);
        const s2 = columnSign(whitened, c.whitened, k);
        for (let i = 0; i < c.x.length; i++) {
          expect(s1 * projected.data[i * c.nComponents + k]).toBeCloseTo(c.projected[i][k], 6);
          expect(s2 * whitened.data[i * c.nComponents + k]).toBeCloseTo(c.whitened[i][k], 6);
        }
      }
    });
  }
});

describe('pcaWhiten', () => {
  it('whitens training data to identity covariance (up to the epsilon shrinkage)', () => {
    const x = correlated(500, 10, 1);
    const epsilon = 1e-5;
    const result = pcaWhiten(x, { nComponents: 6, epsilon });
    const cov = covariance(result);
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 6; b++) {
        const lambda = result.model.explainedVariance[a];
        const expected = a === b ? lambda / (lambda + epsilon) : 0;
        expect(Math.abs(cov[a][b] - expected)).toBeLessThan(1e-9);
        expect(Math.abs(cov[a][b] - (a === b ? 1 : 0))).toBeLessThan(1e-4);
      }
    }
  });

  it('without whitening, projected variances are the eigenvalues and axes are orthonormal', () => {
    const x = correlated(300, 8, 2);
    const result = pcaWhiten(x, { whiten: false });
    expect(result.cols).toBe(8);
    const cov = covariance(result);
    for (let a = 0; a < 8; a++) {
      expect(cov[a][a]).toBeCloseTo(result.model.explainedVariance[a], 8);
      for (let b = 0; b < 8; b++) {
        const dot = result.model.components[a].reduce((s, v, j) => s + v * result.model.components[b][j], 0);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    const ratios = Array.from(result.model.explainedVarianceRatio);
    expect(ratios.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    for (let a = 1; a < 8; a++) expect(ratios[a]).toBeLessThanOrEqual(ratios[a - 1]);
  });

  it('transform applies the fitted model to new rows', () => {
    const x = correlated(200, 6, 3);
    const model = fitPcaWhiten(x, { nComponents: 3 });
    const again = model.transform(x);
    expect(Array.from(again.data)).toEqual(Array.from(pcaWhiten(x, { nComponents: 3 }).data));
    const one = model.transform([Array.from(x.data.subarray(6, 12))]);
    one.data.forEach((v, k) => expect(v).toBeCloseTo(again.data[3 + k], 12));
  });

  it('gives the same model by the covariance and Gram methods, and on sparse vs dense data', () => {
    const x = correlated(40, 12, 4);
    const viaCov = fitPcaWhiten(x, { nComponents: 5, method: 'covariance' });
    const viaGram = fitPcaWhiten(x, { nComponents: 5, method: 'gram' });
    viaCov.components.forEach((axis, i) => axis.forEach((v, j) => expect(viaGram.components[i][j]).toBeCloseTo(v, 8)));
    viaCov.explainedVariance.forEach((v, i) => expect(viaGram.explainedVariance[i]).toBeCloseTo(v, 8));

    // Mostly-zero data go through the sparse covariance; shifting them makes them dense.
    const random = createRandom(5);
    const sparse = new Float64Array(100 * 20).map(() => (random.next() < 0.2 ? random.normal() : 0));
    const a = fitPcaWhiten({ data: sparse, rows: 100, cols: 20 }, { nComponents: 4 });
    const b = fitPcaWhiten({ data: sparse.map((v) => v + 2), rows: 100, cols: 20 }, { nComponents: 4 });
    a.components.forEach((axis, i) => axis.forEach((v, j) => expect(b.components[i][j]).toBeCloseTo(v, 8)));
    a.explainedVariance.forEach((v, i) => expect(b.explainedVariance[i]).toBeCloseTo(v, 9));
  });

  it('handles fewer rows than columns, including rank-deficient data', () => {
    const x = correlated(6, 15, 6);
    const result = pcaWhiten(x, { epsilon: 0 });
    expect(result.cols).toBe(5);
    const cov = covariance(result);
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) expect(cov[a][b]).toBeCloseTo(a === b ? 1 : 0, 8);
    // Three distinct rows, duplicated: rank 2, so the third axis is degenerate but still orthonormal.
    const base = [[1, 0, 2, 0, 1], [0, 3, 1, 1, 0], [2, 2, 2, 0, 5]];
    const rankTwo = pcaWhiten([...base, ...base], { nComponents: 3, whiten: false });
    expect(rankTwo.model.explainedVariance[2]).toBeCloseTo(0, 10);
    expect(rankTwo.model.components[2].reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 10);
    expect(Array.from(rankTwo.data).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad nComponents, single rows, NaN rows and mismatched transform input', () => {
    const x = correlated(10, 4, 7);
    expect(() => fitPcaWhiten(x, { nComponents: 5 })).toThrow(/nComponents must be an integer in \[1, min\(cols, rows - 1\)\] = \[1, 4\], got 5/);
    expect(() => fitPcaWhiten(x, { nComponents: 0 })).toThrow(/nComponents/);
    expect(() => fitPcaWhiten([[1, 2, 3]])).toThrow(/at least 2 rows/);
    expect(() => fitPcaWhiten([[1, 2], [NaN, 3], [4, 5]])).toThrow(/row 1 contains NaN/);
    expect(() => fitPcaWhiten(x, { epsilon: -1 })).toThrow(/epsilon/);
    expect(() => fitPcaWhiten(x).transform([[1, 2, 3]])).toThrow(/y has 3 columns, the model was fitted on 4/);
  });
});
