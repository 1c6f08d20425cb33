/**
 * The one row-major matrix type of the library: what inference returns (`encode` → float32), what
 * clustering, PCA and the probes take and return (float32 or float64).
 */

/** A flat row-major matrix: entry (i, j) lives at `data[i * cols + j]`. */
export interface Matrix<TData extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** Row-major values; its length must be `rows * cols`. */
  data: TData;
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features). */
  cols: number;
}
