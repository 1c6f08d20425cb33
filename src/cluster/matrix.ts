import type { Matrix } from '../core/matrix.js';
import { readOptions } from '../data/options.js';
import { describeArgument } from '../data/checks.js';
/**
 * A tiny row-major matrix type shared by the clustering utilities and the probes.
 *
 * Every function here accepts either plain nested arrays (`number[][]`, or an array of typed-array
 * rows) or a flat row-major buffer with its shape ({@link DenseMatrix}), and normalises it with
 * {@link toFloat64Matrix}, which checks the shape and rejects NaN / infinite entries with the
 * offending row index.
 */

/** A flat row-major matrix: entry (i, j) lives at `data[i * cols + j]` (the core {@link Matrix}). */
export type DenseMatrix = Matrix;

/** A row-major float64 matrix: what the functions in this folder return. */
export type Float64Matrix = Matrix<Float64Array>;

/**
 * A matrix argument: nested rows (`number[][]`, `Float32Array[]`, …), all of the same length, or a
 * flat {@link DenseMatrix} such as `{ data: images, rows: 10000, cols: 784 }`.
 */
export type MatrixInput = ReadonlyArray<ArrayLike<number>> | DenseMatrix;

/** Options of {@link toFloat64Matrix}. */
export interface ToFloat64MatrixOptions {
  /**
   * Always copy the values. Default `false`: a {@link DenseMatrix} that already holds a
   * `Float64Array` is returned without copying (the caller must then not mutate the result).
   */
  copy?: boolean;
  /** Accept a matrix with zero rows. Default `false` (an empty input is an error). */
  allowEmpty?: boolean;
  /** Skip the NaN / infinity scan (for data already validated). Default `false`. */
  skipFiniteCheck?: boolean;
}

/** Whether `x` is a flat {@link DenseMatrix} (rather than nested rows). */
export function isDenseMatrix(x: MatrixInput): x is DenseMatrix {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && typeof (x as DenseMatrix).rows === 'number' && typeof (x as DenseMatrix).cols === 'number';
}

/** The number of rows of a matrix argument, without validating or copying it. */
export function matrixRows(x: MatrixInput): number {
  if (!isDenseMatrix(x) && !Array.isArray(x)) throw new Error(`matrix: expected an array of rows or { data, rows, cols }, got ${describeValue(x)}.`);
  return isDenseMatrix(x) ? x.rows : x.length;
}

/**
 * Validates a matrix argument and returns it as a row-major {@link Float64Matrix}.
 *
 * @param x nested rows or a flat {@link DenseMatrix}.
 * @param name how error messages call the argument, e.g. `'kmeans: x'`.
 * @param options see {@link ToFloat64MatrixOptions}.
 * @throws when `x` is empty (unless `allowEmpty`), has no columns, ragged rows, a `data` length
 *   other than `rows * cols`, a non-integer shape, or a NaN / infinite entry (naming row and column).
 */
export function toFloat64Matrix(x: MatrixInput, name = 'matrix', options: ToFloat64MatrixOptions = {}): Float64Matrix {
  const { copy = false, allowEmpty = false, skipFiniteCheck = false } = readOptions(options, 'toFloat64Matrix');
  let result: Float64Matrix;
  if (isDenseMatrix(x)) {
    const { data, rows, cols } = x;
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new Error(`${name}: rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}.`);
    }
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new Error(`${name}: data must be a Float32Array or Float64Array.`);
    }
    if (data.length !== rows * cols) {
      throw new Error(`${name}: data has length ${data.length}, expected rows * cols = ${rows} * ${cols} = ${rows * cols}.`);
    }
    const values = data instanceof Float64Array && !copy ? data : Float64Array.from(data);
    result = { data: values, rows, cols };
  } else {
    if (!Array.isArray(x)) throw new Error(`${name}: expected an array of rows or { data, rows, cols }, got ${describeValue(x)}.`);
    const rows = x.length;
    const cols = rows > 0 ? (x[0]?.length ?? 0) : 0;
    const values = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = x[i];
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
        throw new Error(`${name}: row ${i} is not an array (got ${describeValue(row)}).`);
      }
      if (row.length !== cols) {
        throw new Error(`${name}: row ${i} has ${row.length} values but row 0 has ${cols} (rows must all have the same length).`);
      }
      const offset = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new Error(`${name}: row ${i} holds ${describeValue(v)} at column ${j}, not a number.`);
        values[offset + j] = v;
      }
    }
    result = { data: values, rows, cols };
  }
  if (result.rows === 0) {
    if (!allowEmpty) throw new Error(`${name} is empty (0 rows).`);
    return result;
  }
  if (result.cols === 0) throw new Error(`${name} has no columns.`);
  if (!skipFiniteCheck) assertFinite(result, name);
  return result;
}

/** A short description of a value for an error message: `null`, `the string 'x'`, `a Float32Array`… */
export const describeValue = describeArgument;

/**
 * Throws if any entry is NaN or infinite, naming the first such row and column.
 *
 * @param m the matrix to scan.
 * @param name how the error message calls it.
 */
export function assertFinite(m: DenseMatrix, name = 'matrix'): void {
  const { data, cols } = m;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    // `v - v` is NaN exactly for NaN and ±Infinity.
    if (v - v !== 0) {
      const row = Math.floor(k / cols);
      const what = Number.isNaN(v) ? 'NaN' : String(v);
      throw new Error(`${name}: row ${row} contains ${what} (column ${k - row * cols}).`);
    }
  }
}

/**
 * Checks a flat {@link DenseMatrix} without copying it: integer rows and cols, a Float32Array or
 * Float64Array of exactly rows × cols values.
 *
 * @param name how error messages call it, e.g. `'toRows: m'`.
 */
export function checkDenseMatrix(m: unknown, name: string): asserts m is DenseMatrix {
  if (!isDenseMatrix(m as MatrixInput)) throw new Error(`${name}: expected a matrix { data, rows, cols }, got ${describeValue(m)}.`);
  const { data, rows, cols } = m as DenseMatrix;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) throw new Error(`${name}: rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}.`);
  if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new Error(`${name}: data must be a Float32Array or Float64Array, got ${describeValue(data)}.`);
  if (data.length !== rows * cols) throw new Error(`${name}: data has length ${data.length}, expected rows * cols = ${rows} * ${cols} = ${rows * cols}.`);
}

/** Converts a row-major matrix into plain nested arrays (`number[][]`). */
export function toRows(m: DenseMatrix): number[][] {
  checkDenseMatrix(m, 'toRows: m');
  const out: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return out;
}

/**
 * Validates a label vector: integers in `[0, 2^31)`, one per row.
 *
 * @param labels class index per sample.
 * @param expectedLength the number of rows the labels must match.
 * @param name how error messages call the argument.
 * @returns the labels as an `Int32Array` (a copy).
 */
export function toLabelArray(labels: ArrayLike<number>, expectedLength: number, name = 'labels'): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new Error(`${name}: expected an array of class indices, got ${describeValue(labels)}.`);
  }
  if (labels.length !== expectedLength) {
    throw new Error(`${name} has ${labels.length} entries but the features have ${expectedLength} rows.`);
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new Error(`${name}: entry ${i} is ${v}; labels must be non-negative integers.`);
    }
    out[i] = v;
  }
  return out;
}
