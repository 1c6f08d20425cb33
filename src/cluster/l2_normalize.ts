import { type Float64Matrix, type MatrixInput, toFloat64Matrix } from './matrix.js';
import { readOptions } from '../data/options.js';

/** Options of {@link l2Normalize}. */
export interface L2NormalizeOptions {
  /**
   * Lower bound on the norm a row is divided by: rows are divided by `max(‖row‖, epsilon)`, so
   * all-zero rows stay zero instead of becoming NaN (as PyTorch's `F.normalize`). Default `1e-12`.
   */
  epsilon?: number;
}

/**
 * Scales every row to unit Euclidean norm (rows with norm below `epsilon` are divided by
 * `epsilon` instead, so zero rows stay zero).
 *
 * @example
 * ```ts
 * const unit = l2Normalize([[3, 4], [0, 2]]); // { data: [0.6, 0.8, 0, 1], rows: 2, cols: 2 }
 * ```
 * @param x the rows (nested arrays or `{ data, rows, cols }`); not modified.
 * @param options see {@link L2NormalizeOptions}.
 * @returns a new row-major matrix of the same shape.
 * @throws when `x` is empty, ragged or contains NaN / infinity (naming the row), or `epsilon` is negative.
 */
export function l2Normalize(x: MatrixInput, options: L2NormalizeOptions = {}): Float64Matrix {
  options = readOptions(options, 'l2Normalize');
  const { epsilon = 1e-12 } = options;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new Error(`l2Normalize: epsilon must be a finite number ≥ 0, got ${epsilon}.`);
  const m = toFloat64Matrix(x, 'l2Normalize: x', { copy: true });
  const { data, rows, cols } = m;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[off + j] * data[off + j];
    const norm = Math.sqrt(s);
    const divisor = norm > epsilon ? norm : epsilon;
    if (divisor === 0) continue;
    for (let j = 0; j < cols; j++) data[off + j] /= divisor;
  }
  return m;
}
