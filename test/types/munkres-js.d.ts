/**
 * Types of the CommonJS package `munkres-js` 1.2.2 (no bundled declarations). Its
 * `module.exports` is the function `computeMunkres` with helpers attached, so ES modules import
 * it as a default import: `import computeMunkres from 'munkres-js';`.
 */
declare module 'munkres-js' {
  /**
   * Solves the assignment problem for a cost matrix (minimum total cost). A rectangular matrix is
   * padded to a square one with `options.padValue` (default 0); the input is not modified.
   *
   * @returns the chosen [row, column] pairs, min(rows, columns) of them, in row order.
   */
  function computeMunkres(costMatrix: number[][], options?: computeMunkres.MunkresOptions): Array<[number, number]>;

  namespace computeMunkres {
    /** Options of {@link computeMunkres}. */
    interface MunkresOptions {
      /** Value padding a rectangular matrix to a square one. Default 0 (a falsy value means 0). */
      padValue?: number;
    }

    /** The package version, `"1.2.2"`. */
    const version: string;

    /**
     * Turns a profit matrix into a cost matrix by applying `inversion` to every entry (default:
     * `maximum − value`, the maximum taken over the whole matrix).
     */
    function make_cost_matrix(profitMatrix: number[][], inversion?: (value: number) => number): number[][];

    /** Formats a matrix as right-aligned, space-separated columns, one line per row. */
    function format_matrix(matrix: number[][]): string;

    /** The solver class behind {@link computeMunkres} (kept by the package for backwards compatibility). */
    class Munkres {
      constructor();
      /** Same as {@link computeMunkres}. */
      compute(costMatrix: number[][], options?: MunkresOptions): Array<[number, number]>;
      /** Pads a possibly non-square matrix to a square one with `padValue` (default 0). */
      pad_matrix(matrix: number[][], padValue?: number): number[][];
    }
  }

  export = computeMunkres;
}
