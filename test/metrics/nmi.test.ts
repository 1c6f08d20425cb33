import { describe, expect, it } from 'vitest';

import { entropy, mutualInformation, nmi } from '../../src/metrics/nmi.js';
import type { NmiAverage } from '../../src/metrics/nmi.js';
import { extraFixture, generatedLabels, mainFixture, renamed } from './helpers.js';

const TOLERANCE = 1e-9;

describe(`nmi against ${mainFixture.reference}`, () => {
  mainFixture.clustering.forEach((c, i) => {
    it(`case ${i} (n = ${c.labelsTrue.length}): arithmetic and geometric within 1e-9`, () => {
      expect(Math.abs(nmi(c.labelsTrue, c.labelsPred) - c.nmi)).toBeLessThan(TOLERANCE);
      expect(Math.abs(nmi(c.labelsTrue, c.labelsPred, { average: 'arithmetic' }) - c.nmi)).toBeLessThan(TOLERANCE);
      expect(Math.abs(nmi(c.labelsTrue, c.labelsPred, { average: 'geometric' }) - c.nmiGeometric)).toBeLessThan(TOLERANCE);
    });
  });

  extraFixture.clustering.forEach((c) => {
    it(`${c.name}: every average, mutual information and entropies within 1e-9`, () => {
      for (const [average, expected] of Object.entries(c.nmi)) {
        expect(Math.abs(nmi(c.labelsTrue, c.labelsPred, { average: average as NmiAverage }) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(Math.abs(mutualInformation(c.labelsTrue, c.labelsPred) - c.mutualInformation)).toBeLessThan(TOLERANCE);
      expect(Math.abs(entropy(c.labelsTrue) - c.entropyTrue)).toBeLessThan(TOLERANCE);
      expect(Math.abs(entropy(c.labelsPred) - c.entropyPred)).toBeLessThan(TOLERANCE);
    });
  });

  extraFixture.generated.forEach((c) => {
    it(`${c.name}: every average within 1e-9`, () => {
      const { labelsTrue, labelsPred } = generatedLabels(c.generator);
      for (const [average, expected] of Object.entries(c.nmi)) {
        expect(Math.abs(nmi(labelsTrue, labelsPred, { average: average as NmiAverage }) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(Math.abs(mutualInformation(labelsTrue, labelsPred) - c.mutualInformation)).toBeLessThan(TOLERANCE);
      expect(Math.abs(entropy(labelsTrue) - c.entropyTrue)).toBeLessThan(TOLERANCE);
    });
  });
});

describe('nmi special cases (as scikit-learn)', () => {
  it('is 1 when both labelings are a single cluster, whatever the labels', () => {
    expect(nmi([0, 0, 0], [5, 5, 5])).toBe(1);
    expect(nmi([-4], [9])).toBe(1);
    expect(nmi([2, 2], [2, 2], { average: 'geometric' })).toBe(1);
  });

  it('is exactly 0 when only one labeling is a single cluster, for every average', () => {
    for (const average of ['arithmetic', 'geometric', 'min', 'max'] as const) {
      expect(nmi([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 0, 0], { average })).toBe(0);
      expect(nmi([3, 3, 3, 3], [0, 1, 2, 3], { average })).toBe(0);
    }
  });

  it('is exactly 0 for independent labelings whose mutual information rounds to 0', () => {
    expect(nmi([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(mutualInformation([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
  });

  it('is 1 for identical partitions, all singletons included, never above 1', () => {
    expect(nmi([0, 1, 2, 3], [3, 2, 1, 0])).toBe(1);
    for (const c of mainFixture.clustering) expect(nmi(c.labelsTrue, renamed(c.labelsTrue))).toBeCloseTo(1, 14);
    for (const c of mainFixture.clustering) expect(nmi(c.labelsTrue, c.labelsTrue)).toBeLessThanOrEqual(1);
  });

  it('matches the hand formula for truth in pairs vs all singletons', () => {
    const labels = [0, 0, 1, 1, 2, 2];
    // I = H(true) = log 3, H(pred) = log 6.
    expect(nmi(labels, [0, 1, 2, 3, 4, 5])).toBeCloseTo((2 * Math.log(3)) / (Math.log(3) + Math.log(6)), 14);
    expect(nmi(labels, [0, 1, 2, 3, 4, 5], { average: 'min' })).toBeCloseTo(1, 14);
    expect(nmi(labels, [0, 1, 2, 3, 4, 5], { average: 'max' })).toBeCloseTo(Math.log(3) / Math.log(6), 14);
    expect(nmi(labels, [0, 1, 2, 3, 4, 5], { average: 'geometric' })).toBeCloseTo(Math.log(3) / Math.sqrt(Math.log(3) * Math.log(6)), 14);
  });

  it('is symmetric and invariant to renaming clusters or classes', () => {
    for (const c of mainFixture.clustering) {
      expect(Math.abs(nmi(renamed(c.labelsTrue, 3), renamed(c.labelsPred, 11)) - c.nmi)).toBeLessThan(TOLERANCE);
      expect(Math.abs(nmi(c.labelsPred, c.labelsTrue) - c.nmi)).toBeLessThan(TOLERANCE);
      expect(Math.abs(mutualInformation(c.labelsTrue, renamed(c.labelsPred)) - mutualInformation(c.labelsTrue, c.labelsPred))).toBeLessThan(1e-12);
    }
  });
});

describe('entropy and mutualInformation', () => {
  it('give the textbook values', () => {
    expect(entropy([0, 0, 1, 1])).toBeCloseTo(Math.LN2, 15);
    expect(entropy([7, 7, 7])).toBe(0);
    expect(entropy([0, 1, 2, 3, 4])).toBeCloseTo(Math.log(5), 15);
    expect(mutualInformation([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(Math.LN2, 15);
    expect(mutualInformation([0, 0, 1, 1], [0, 0, 0, 0])).toBe(0);
  });

  it('reject bad input', () => {
    expect(() => entropy([])).toThrow('entropy: labels is empty');
    expect(() => entropy([1, Number.NaN])).toThrow('entropy: labels[1] is NaN');
    expect(() => mutualInformation([0], [0, 1])).toThrow('mutualInformation: yTrue has 1 labels but yPred has 2');
  });
});

describe('nmi input checks and scale', () => {
  it('rejects length mismatches, empty input, NaN, non-integers and unknown averages', () => {
    expect(() => nmi([0, 1], [0])).toThrow('nmi: yTrue has 2 labels but yPred has 1; they must have the same length.');
    expect(() => nmi([], [])).toThrow('nmi: yTrue and yPred are empty');
    expect(() => nmi([0, Number.NaN], [0, 1])).toThrow('nmi: yTrue[1] is NaN, not a finite integer label.');
    expect(() => nmi([0, 1], [0, 1.5])).toThrow('nmi: yPred[1] is 1.5, not a finite integer label.');
    expect(() => nmi([0, 1], [0, 1], { average: 'median' as NmiAverage })).toThrow("nmi: unknown average 'median'; use 'arithmetic', 'geometric', 'min' or 'max'.");
  });

  it('scores a million labels, 10 classes (its time: npm run bench -- --only timings)', () => {
    const n = 1_000_000;
    const t = Int32Array.from({ length: n }, (_, i) => i % 10);
    // Periods 10 and 13 are coprime: near-independent labelings.
    const p = Int32Array.from({ length: n }, (_, i) => (i * 7) % 13);
    const score = nmi(t, p);
    expect(score).toBeLessThan(1e-4);
  });
});
