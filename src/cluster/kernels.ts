/**
 * Internal dense / sparse row kernels shared by k-means, PCA and the probes (not part of the public
 * API). Rows whose data are mostly zeros (such as MNIST pixels) get a CSR copy so that dot products
 * run over the non-zero entries only.
 */
import type { Float64Matrix } from './matrix.js';

/** Rows with a precomputed squared norm and, when sparse enough, a CSR copy of the non-zeros. */
export interface PreparedRows {
  data: Float64Array;
  n: number;
  d: number;
  sqNorms: Float64Array;
  csr: { indptr: Int32Array; indices: Int32Array; values: Float64Array } | null;
}

/** Fraction of non-zero entries below which the dot products iterate over non-zeros only. */
export const SPARSE_DENSITY = 0.5;

/** Precomputes row norms and (for sparse data) a compressed-sparse-row copy. */
export function prepareRows(m: Float64Matrix): PreparedRows {
  const { data, rows: n, cols: d } = m;
  const sqNorms = new Float64Array(n);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[off + j];
      if (v !== 0) {
        s += v * v;
        nnz++;
      }
    }
    sqNorms[i] = s;
  }
  let csr: PreparedRows['csr'] = null;
  if (nnz < SPARSE_DENSITY * n * d) {
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    let t = 0;
    for (let i = 0; i < n; i++) {
      const off = i * d;
      for (let j = 0; j < d; j++) {
        const v = data[off + j];
        if (v !== 0) {
          indices[t] = j;
          values[t] = v;
          t++;
        }
      }
      indptr[i + 1] = t;
    }
    csr = { indptr, indices, values };
  }
  return { data, n, d, sqNorms, csr };
}

/**
 * `out[c] = x_i · centre_c` for the `k` centres stored transposed in `centersT` (d × k, so that
 * `centersT[j * k + c]` is coordinate j of centre c).
 */
export function rowDots(p: PreparedRows, i: number, centersT: Float64Array, k: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) out[c] = 0;
  if (p.csr !== null) {
    const { indptr, indices, values } = p.csr;
    for (let t = indptr[i], end = indptr[i + 1]; t < end; t++) {
      const v = values[t];
      const base = indices[t] * k;
      for (let c = 0; c < k; c++) out[c] += v * centersT[base + c];
    }
  } else {
    const { data, d } = p;
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[off + j];
      if (v === 0) continue;
      const base = j * k;
      for (let c = 0; c < k; c++) out[c] += v * centersT[base + c];
    }
  }
}

