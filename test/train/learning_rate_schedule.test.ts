import { describe, expect, it } from 'vitest';

import { cosineLearningRate } from '../../src/train/learning_rate_schedule.js';

describe('cosineLearningRate', () => {
  it('decays from 1 to the final factor along half a cosine, per step', () => {
    const schedule = cosineLearningRate(4);
    expect(schedule(0, 0)).toBe(1);
    expect(schedule(2, 0)).toBeCloseTo(0.5, 12);
    // t = 1: ½ (1 + cos(π/4)) = 0.8535533905932737
    expect(schedule(1, 0)).toBeCloseTo(0.8535533905932737, 12);
    expect(schedule(3, 0.5)).toBeCloseTo(0.5 * (1 + Math.cos((Math.PI * 3.5) / 4)), 12);
    expect(schedule(4, 0)).toBeCloseTo(0, 12);
    // After the schedule's end it stays at the final factor.
    expect(schedule(9, 0.3)).toBeCloseTo(0, 12);
  });

  it('warms up linearly, then decays to finalFactor', () => {
    const schedule = cosineLearningRate(5, { warmupEpochs: 1, finalFactor: 0.1 });
    expect(schedule(0, 0)).toBe(0);
    expect(schedule(0, 0.5)).toBeCloseTo(0.5, 12);
    expect(schedule(1, 0)).toBeCloseTo(1, 12);
    expect(schedule(3, 0)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(schedule(5, 0)).toBeCloseTo(0.1, 12);
  });

  it('rejects bad arguments with clear errors', () => {
    expect(() => cosineLearningRate(0)).toThrow(/totalEpochs must be a positive number, got 0/);
    expect(() => cosineLearningRate(3, { warmupEpochs: 3 })).toThrow(/warmupEpochs must be in \[0, totalEpochs = 3\), got 3/);
    expect(() => cosineLearningRate(3, { finalFactor: 2 })).toThrow(/finalFactor must be in \[0, 1\], got 2/);
  });
});
