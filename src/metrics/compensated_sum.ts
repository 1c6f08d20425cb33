/**
 * Compensated (Neumaier) summation: a running sum whose error stays within an ulp or so of the
 * exact sum however many terms are added (used for entropies, mutual information and EMI).
 */
export class Sum {
  private total = 0;
  private compensation = 0;

  /** Adds `value`. */
  add(value: number): void {
    const t = this.total + value;
    this.compensation += Math.abs(this.total) >= Math.abs(value) ? this.total - t + value : value - t + this.total;
    this.total = t;
  }

  /** The sum so far. */
  get value(): number {
    return this.total + this.compensation;
  }
}
