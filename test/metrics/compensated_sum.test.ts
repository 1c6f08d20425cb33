import { describe, expect, it } from 'vitest';

import { Sum } from '../../src/metrics/compensated_sum.js';

describe('Sum (Neumaier summation)', () => {
  it('keeps the low-order bits that plain summation loses', () => {
    const sum = new Sum();
    for (const v of [1e16, 1, -1e16]) sum.add(v);
    expect(sum.value).toBe(1);
    const tenths = new Sum();
    for (let i = 0; i < 10; i++) tenths.add(0.1);
    expect(tenths.value).toBe(1);
  });

  it('starts at 0 and sums ordinary numbers exactly', () => {
    const sum = new Sum();
    expect(sum.value).toBe(0);
    [3, -1, 2.5].forEach((v) => sum.add(v));
    expect(sum.value).toBe(4.5);
  });
});
