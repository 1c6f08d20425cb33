/**
 * PCA with optional whitening (as in DeepCluster: PCA to 256 dimensions, whitening, then L2
 * normalisation before k-means), as a fit / transform pair.
 *
 * The eigendecomposition is `ml-pca`'s (`new PCA(covariance, { isCovarianceMatrix: true })`, a
 * symmetric EVD), but the covariance matrix is computed here on `Float64Array`s: `ml-pca`'s own
 * `method: 'covarianceMatrix'` took about 125 s on the 10 000 × 784 MNIST test images (its `XᵀX`
 * product goes through a generic transpose view) and `method: 'SVD'` is slower still, whereas the
 * covariance below takes well under a second on the same data (it skips zeros when the data are
 * sparse) and the 784 × 784 EVD about 3 s. When there are fewer rows than columns the n × n Gram
 * matrix is decomposed instead, and components are recovered as Xᵀu / ‖Xᵀu‖.
 *
 * `ml-pca` has no whitening; with `whiten` the projected components are divided by
 * `sqrt(eigenvalue + epsilon)`, so whitened training data have covariance diag(λ / (λ + ε)) ≈ I
 * (eigenvalues use the n − 1 normalisation, like scikit-learn's `PCA(whiten=True)`).
 */
import { PCA } from 'ml-pca';

import { prepareRows, SPARSE_DENSITY } from './kernels.js';
import { type Float64Matrix, type MatrixInput, toFloat64Matrix } from './matrix.js';
import { readOptions } from '../data/options.js';

/** Options of {@link fitPcaWhiten} and {@link pcaWhiten}. */
export interface PcaWhitenOptions {
  /**
   * Number of principal components kept, `1 ≤ nComponents ≤ min(cols, rows − 1)`.
   * Default: `min(cols, rows − 1)` (all components that centred data can have).
   */
  nComponents?: number;
  /** Divide each component by `sqrt(eigenvalue + epsilon)`. Default `true`. */
  whiten?: boolean;
  /** Added to the eigenvalues before whitening, so near-zero components are not blown up. Default `1e-5`. */
  epsilon?: number;
  /**
   * How the eigenvectors are found: `'covariance'` (d × d covariance matrix), `'gram'` (n × n Gram
   * matrix; cheaper when rows < cols), or `'auto'` (default: `'gram'` when rows < cols).
   */
  method?: 'auto' | 'covariance' | 'gram';
}

/** A fitted PCA (and whitening) model: see {@link fitPcaWhiten}. */
export interface PcaWhitenModel {
  /** Number of input columns the model expects. */
  readonly nFeatures: number;
  /** Number of output columns. */
  readonly nComponents: number;
  /** Whether {@link PcaWhitenModel.transform} whitens. */
  readonly whiten: boolean;
  /** The epsilon added to the eigenvalues when whitening. */
  readonly epsilon: number;
  /** Per-column mean of the training data (length `nFeatures`). */
  readonly mean: Float64Array;
  /**
   * Principal axes, `nComponents` unit rows of length `nFeatures`, by decreasing variance. Each
   * axis is signed so that its largest-magnitude entry is positive.
   */
  readonly components: number[][];
  /** Variance of the training data along each axis (eigenvalues of the covariance, n − 1 normalisation). */
  readonly explainedVariance: Float64Array;
  /** `explainedVariance` divided by the total variance of the training data. */
  readonly explainedVarianceRatio: Float64Array;
  /**
   * Projects rows onto the principal axes (after subtracting `mean`), whitening if the model does.
   *
   * @param y rows with `nFeatures` columns.
   * @returns a `rows × nComponents` matrix.
   * @throws when `y` is empty, non-finite, or has a different number of columns.
   */
  transform(y: MatrixInput): Float64Matrix;
}

/** The result of {@link pcaWhiten}: the transformed training data and the fitted model. */
export interface PcaWhitenResult extends Float64Matrix {
  /** The fitted model, to transform other data the same way. */
  model: PcaWhitenModel;
}

/** Relative eigenvalue below which a Gram-matrix component is treated as degenerate. */
const DEGENERATE = 1e-12;

/**
 * Covariance matrix (n − 1 normalisation) of the rows of `m`, d × d, row-major.
 * Sparse data: Σ xxᵀ over non-zero pairs, minus n·μμᵀ. Dense data: centred rows, four at a time.
 */
function covarianceMatrix(m: Float64Matrix, mean: Float64Array): Float64Array {
  const { rows: n, cols: d, data } = m;
  const c = new Float64Array(d * d);
  const prepared = prepareRows(m);
  if (prepared.csr !== null) {
    const { indptr, indices, values } = prepared.csr;
    for (let i = 0; i < n; i++) {
      const end = indptr[i + 1];
      for (let s = indptr[i]; s < end; s++) {
        const va = values[s];
        const base = indices[s] * d;
        for (let t = s; t < end; t++) c[base + indices[t]] += va * values[t];
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) c[a * d + b] -= n * mean[a] * mean[b];
    }
  } else {
    const r0 = new Float64Array(d);
    const r1 = new Float64Array(d);
    const r2 = new Float64Array(d);
    const r3 = new Float64Array(d);
    const blocks = [r0, r1, r2, r3];
    for (let i0 = 0; i0 < n; i0 += 4) {
      for (let q = 0; q < 4; q++) {
        const row = blocks[q];
        const i = i0 + q;
        if (i < n) {
          const off = i * d;
          for (let j = 0; j < d; j++) row[j] = data[off + j] - mean[j];
        } else row.fill(0);
      }
      for (let a = 0; a < d; a++) {
        const v0 = r0[a];
        const v1 = r1[a];
        const v2 = r2[a];
        const v3 = r3[a];
        const base = a * d;
        for (let b = a; b < d; b++) c[base + b] += v0 * r0[b] + v1 * r1[b] + v2 * r2[b] + v3 * r3[b];
      }
    }
  }
  const scale = 1 / (n - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = c[a * d + b] * scale;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

/** Gram matrix of the centred rows divided by n − 1 (n × n, row-major). */
function gramMatrix(m: Float64Matrix, mean: Float64Array): { gram: Float64Array; centred: Float64Array } {
  const { rows: n, cols: d, data } = m;
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = data[i * d + j] - mean[j];
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ao = a * d;
    for (let b = a; b < n; b++) {
      const bo = b * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += centred[ao + j] * centred[bo + j];
      s /= n - 1;
      gram[a * n + b] = s;
      gram[b * n + a] = s;
    }
  }
  return { gram, centred };
}

/** Eigenvectors (as columns, descending eigenvalues) of a symmetric matrix, via ml-pca. */
function symmetricEigen(matrix: Float64Array, size: number): { vectors: number[][]; values: number[] } {
  const rows: number[][] = new Array(size);
  for (let i = 0; i < size; i++) rows[i] = Array.from(matrix.subarray(i * size, (i + 1) * size));
  const pca = new PCA(rows, { isCovarianceMatrix: true });
  return { vectors: pca.getEigenvectors().to2DArray(), values: pca.getEigenvalues() };
}

/** Replaces `axis` by a unit vector orthogonal to the previous axes (for degenerate components). */
function orthonormalCompletion(previous: Float64Array[], d: number): Float64Array {
  for (let e = 0; e < d; e++) {
    const v = new Float64Array(d);
    v[e] = 1;
    for (const u of previous) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += u[j] * v[j];
      for (let j = 0; j < d; j++) v[j] -= dot * u[j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    if (norm > 1e-6) {
      for (let j = 0; j < d; j++) v[j] /= norm;
      return v;
    }
  }
  return new Float64Array(d);
}

/**
 * Fits PCA (with whitening by default) on the rows of `x`.
 *
 * @example
 * ```ts
 * const pca = fitPcaWhiten(trainFeatures, { nComponents: 256 });
 * const whitened = pca.transform(testFeatures); // { data, rows, cols: 256 }
 * ```
 * @param x training rows, n × d with n ≥ 2.
 * @param options see {@link PcaWhitenOptions}.
 * @returns the fitted {@link PcaWhitenModel}.
 * @throws when `x` is empty, ragged, non-finite or has a single row, or when `nComponents` is not
 *   an integer in `[1, min(d, n − 1)]`, or `epsilon` is negative, or when whitening with
 *   `epsilon: 0` a kept component has zero variance (e.g. a constant column): its scale would be 1/0.
 */
export function fitPcaWhiten(x: MatrixInput, options: PcaWhitenOptions = {}): PcaWhitenModel {
  options = readOptions(options, 'fitPcaWhiten', { nComponents: 'number', whiten: 'boolean', epsilon: 'number', method: 'string' });
  const m = toFloat64Matrix(x, 'fitPcaWhiten: x');
  const { rows: n, cols: d } = m;
  if (n < 2) throw new Error(`fitPcaWhiten: needs at least 2 rows to estimate a covariance, got ${n}.`);
  const maxComponents = Math.min(d, n - 1);
  if (options === null || typeof options !== 'object') throw new Error(`fitPcaWhiten: options must be an object, got ${options === null ? 'null' : typeof options}.`);
  const { nComponents = maxComponents, whiten = true, epsilon = 1e-5, method = 'auto' } = options;
  if (!Number.isInteger(nComponents) || nComponents < 1 || nComponents > maxComponents) {
    throw new Error(
      `fitPcaWhiten: nComponents must be an integer in [1, min(cols, rows - 1)] = [1, ${maxComponents}], got ${nComponents}.`,
    );
  }
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new Error(`fitPcaWhiten: epsilon must be a finite number ≥ 0, got ${epsilon}.`);
  if (method !== 'auto' && method !== 'covariance' && method !== 'gram') {
    throw new Error(`fitPcaWhiten: unknown method '${String(method)}' (use 'auto', 'covariance' or 'gram').`);
  }

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let totalVariance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const diff = m.data[i * d + j] - mean[j];
      totalVariance += diff * diff;
    }
  }
  totalVariance /= n - 1;

  const useGram = method === 'gram' || (method === 'auto' && n < d);
  const axes: Float64Array[] = [];
  const variances = new Float64Array(nComponents);
  if (!useGram) {
    const { vectors, values } = symmetricEigen(covarianceMatrix(m, mean), d);
    for (let c = 0; c < nComponents; c++) {
      const axis = new Float64Array(d);
      for (let j = 0; j < d; j++) axis[j] = vectors[j][c];
      axes.push(axis);
      variances[c] = Math.max(0, values[c]);
    }
  } else {
    const { gram, centred } = gramMatrix(m, mean);
    const { vectors, values } = symmetricEigen(gram, n);
    const top = Math.max(0, values[0]);
    for (let c = 0; c < nComponents; c++) {
      const value = Math.max(0, values[c]);
      variances[c] = value;
      if (!(value > DEGENERATE * top)) {
        axes.push(orthonormalCompletion(axes, d));
        continue;
      }
      // Right singular vector: Xᵀu normalised.
      const axis = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const u = vectors[i][c];
        if (u === 0) continue;
        const off = i * d;
        for (let j = 0; j < d; j++) axis[j] += u * centred[off + j];
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += axis[j] * axis[j];
      norm = Math.sqrt(norm);
      for (let j = 0; j < d; j++) axis[j] /= norm;
      axes.push(axis);
    }
  }
  // Deterministic signs: the largest-magnitude entry of each axis is positive.
  for (const axis of axes) {
    let arg = 0;
    for (let j = 1; j < d; j++) if (Math.abs(axis[j]) > Math.abs(axis[arg])) arg = j;
    if (axis[arg] < 0) for (let j = 0; j < d; j++) axis[j] = -axis[j];
  }
  if (whiten && epsilon === 0) {
    // 1 / sqrt(0 + 0) would fill the component with NaN (0 · ∞) or huge values: name it instead.
    const flat = variances.findIndex((v) => !(v > DEGENERATE * variances[0]));
    if (flat >= 0) {
      throw new Error(
        `fitPcaWhiten: component ${flat + 1} of ${nComponents} has zero variance (the data vary in only ${flat} direction(s), e.g. a constant column) and epsilon is 0, ` +
          `so whitening would divide by zero; keep nComponents ≤ ${flat}${flat === 0 ? ' (the data are constant)' : ''}, use epsilon > 0 (default 1e-5), or whiten: false.`,
      );
    }
  }
  const ratio = new Float64Array(nComponents);
  for (let c = 0; c < nComponents; c++) ratio[c] = totalVariance > 0 ? variances[c] / totalVariance : 0;
  return createModel(mean, axes, variances, ratio, whiten, epsilon);
}

function createModel(
  mean: Float64Array,
  axes: Float64Array[],
  variances: Float64Array,
  ratio: Float64Array,
  whiten: boolean,
  epsilon: number,
): PcaWhitenModel {
  const d = mean.length;
  const p = axes.length;
  // Axes transposed (d × p) and pre-scaled by the whitening factors; offset = −mean·axes (scaled).
  const axesT = new Float64Array(d * p);
  const offset = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    const scale = whiten ? 1 / Math.sqrt(variances[c] + epsilon) : 1;
    const axis = axes[c];
    let dot = 0;
    for (let j = 0; j < d; j++) {
      axesT[j * p + c] = axis[j] * scale;
      dot += mean[j] * axis[j];
    }
    offset[c] = -dot * scale;
  }
  const components = axes.map((axis) => Array.from(axis));
  const transform = (y: MatrixInput): Float64Matrix => {
    const t = toFloat64Matrix(y, 'PcaWhitenModel.transform: y');
    if (t.cols !== d) throw new Error(`PcaWhitenModel.transform: y has ${t.cols} columns, the model was fitted on ${d}.`);
    const out = new Float64Array(t.rows * p);
    // (y − μ)A = yA − μA: the product skips the zeros of y, which keeps sparse inputs fast.
    let zeros = 0;
    for (let k = 0; k < t.data.length; k++) if (t.data[k] === 0) zeros++;
    const skipZeros = zeros > (1 - SPARSE_DENSITY) * t.data.length;
    for (let i = 0; i < t.rows; i++) {
      const oo = i * p;
      for (let c = 0; c < p; c++) out[oo + c] = offset[c];
      const io = i * d;
      for (let j = 0; j < d; j++) {
        const v = t.data[io + j];
        if (skipZeros && v === 0) continue;
        const base = j * p;
        for (let c = 0; c < p; c++) out[oo + c] += v * axesT[base + c];
      }
    }
    return { data: out, rows: t.rows, cols: p };
  };
  return {
    nFeatures: d,
    nComponents: p,
    whiten,
    epsilon,
    mean,
    components,
    explainedVariance: variances,
    explainedVarianceRatio: ratio,
    transform,
  };
}

/**
 * Fits PCA (whitening by default) on `x` and returns `x` transformed, with the model.
 *
 * @example
 * ```ts
 * const { data, rows, cols, model } = pcaWhiten(features, { nComponents: 256 });
 * ```
 * @param x training rows, n × d with n ≥ 2.
 * @param options see {@link PcaWhitenOptions}.
 * @returns `{ data, rows, cols, model }` with `cols = nComponents`.
 * @throws as {@link fitPcaWhiten}.
 */
export function pcaWhiten(x: MatrixInput, options: PcaWhitenOptions = {}): PcaWhitenResult {
  options = readOptions(options, 'pcaWhiten');
  const m = toFloat64Matrix(x, 'pcaWhiten: x');
  const model = fitPcaWhiten(m, options);
  return { ...model.transform(m), model };
}
