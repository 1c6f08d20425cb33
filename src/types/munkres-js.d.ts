/** Types of the CommonJS package `munkres-js` (no bundled declarations). */
declare module 'munkres-js' {
  /**
   * Solves the assignment problem for a cost matrix (rectangular allowed: it is padded
   * internally) and returns the chosen [row, column] pairs, min(rows, cols) of them.
   */
  function computeMunkres(costMatrix: number[][], options?: { padValue?: number }): Array<[number, number]>;
  namespace computeMunkres {
    /** Turns a profit matrix into a cost matrix (default: max − value). */
    function make_cost_matrix(profitMatrix: number[][], inversion?: (value: number) => number): number[][];
  }
  export = computeMunkres;
}
