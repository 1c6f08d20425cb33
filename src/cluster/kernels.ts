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
 * `out[c] = x_i · centre_c` for `k` row-major centres (`centers`, k × d). Four centres are taken
 * at a time with scalar accumulators, over the non-zeros of a sparse row or all entries of a dense
 * one (in V8 this is about 2× faster than accumulating into `out` over a transposed centre matrix).
 */
export function rowDots(p: PreparedRows, i: number, centers: Float64Array, k: number, out: Float64Array): void {
  const d = p.d;
  let c = 0;
  if (p.csr !== null) {
    const { indptr, indices, values } = p.csr;
    const begin = indptr[i];
    const end = indptr[i + 1];
    for (; c + 4 <= k; c += 4) {
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let t = begin; t < end; t++) {
        const v = values[t];
        const j = indices[t];
        a0 += v * centers[o0 + j];
        a1 += v * centers[o1 + j];
        a2 += v * centers[o2 + j];
        a3 += v * centers[o3 + j];
      }
      out[c] = a0;
      out[c + 1] = a1;
      out[c + 2] = a2;
      out[c + 3] = a3;
    }
    for (; c < k; c++) {
      const o = c * d;
      let a = 0;
      for (let t = begin; t < end; t++) a += values[t] * centers[o + indices[t]];
      out[c] = a;
    }
    return;
  }
  const data = p.data;
  const off = i * d;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < d; j++) {
      const v = data[off + j];
      a0 += v * centers[o0 + j];
      a1 += v * centers[o1 + j];
      a2 += v * centers[o2 + j];
      a3 += v * centers[o3 + j];
    }
    out[c] = a0;
    out[c + 1] = a1;
    out[c + 2] = a2;
    out[c + 3] = a3;
  }
  for (; c < k; c++) {
    const o = c * d;
    let a = 0;
    for (let j = 0; j < d; j++) a += data[off + j] * centers[o + j];
    out[c] = a;
  }
}
