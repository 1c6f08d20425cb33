import { describe, expect, it } from 'vitest';

import { ari } from '../../src/metrics/ari.js';
import { extraFixture, generatedLabels, mainFixture, randomInts, renamed } from './helpers.js';

describe(`ari against ${mainFixture.reference}`, () => {
  // Exact integer pair counts, rounded like Python: the results agree to the last bit.
  mainFixture.clustering.forEach((c, i) => {
    it(`case ${i} (n = ${c.labelsTrue.length}) equals scikit-learn exactly`, () => {
      expect(ari(c.labelsTrue, c.labelsPred)).toBe(c.ari);
    });
  });

  extraFixture.clustering.forEach((c) => {
    it(`${c.name} equals scikit-learn exactly`, () => {
      expect(ari(c.labelsTrue, c.labelsPred)).toBe(c.ari);
    });
  });

  extraFixture.generated.forEach((c) => {
    it(`${c.name} equals scikit-learn exactly`, () => {
      const { labelsTrue, labelsPred } = generatedLabels(c.generator);
      expect(ari(labelsTrue, labelsPred)).toBe(c.ari);
    });
  });
});

/** The classical Hubert–Arabie formula, as an independent check. */
function hubertArabie(t: number[], p: number[]): number {
  const pairs = (x: number): number => (x * (x - 1)) / 2;
  const count = (keys: string[]): number[] => [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>()).values()];
  const index = count(t.map((v, i) => `${v},${p[i]}`)).reduce((s, x) => s + pairs(x), 0);
  const a = count(t.map(String)).reduce((s, x) => s + pairs(x), 0);
  const b = count(p.map(String)).reduce((s, x) => s + pairs(x), 0);
  const expected = (a * b) / pairs(t.length);
  return (index - expected) / ((a + b) / 2 - expected);
}

describe('ari', () => {
  it('is 1 in scikit-learn’s special cases: one cluster each, all singletons each, identical partitions', () => {
    expect(ari([0, 0, 0], [1, 1, 1])).toBe(1);
    expect(ari([0, 1, 2, 3], [3, 2, 1, 0])).toBe(1);
    expect(ari([5], [-5])).toBe(1);
    expect(ari([0, 0, 1, 1, 1], [9, 9, -2, -2, -2])).toBe(1);
  });

  it('is 0 when one labeling is a single cluster and −0.5 for the crossed halves', () => {
    expect(ari([0, 0, 1, 1, 2], [4, 4, 4, 4, 4])).toBe(0);
    expect(ari([0, 1, 2, 3], [0, 0, 0, 0])).toBe(0);
    expect(ari([0, 0, 1, 1], [0, 1, 0, 1])).toBe(-0.5);
  });

  it('agrees with the Hubert–Arabie formula on random labelings', () => {
    const next = randomInts(31);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + next(60);
      const t = Array.from({ length: n }, () => next(4));
      const p = Array.from({ length: n }, () => next(6));
      expect(ari(t, p)).toBeCloseTo(hubertArabie(t, p), 12);
    }
  });

  it('is symmetric and invariant to renaming clusters or classes', () => {
    for (const c of mainFixture.clustering) {
      expect(ari(renamed(c.labelsTrue, 5), renamed(c.labelsPred, 9))).toBeCloseTo(c.ari, 15);
      expect(ari(c.labelsPred, c.labelsTrue)).toBeCloseTo(c.ari, 15);
    }
  });

  it('rejects bad input with clear messages', () => {
    expect(() => ari([0, 1, 2], [0, 1])).toThrow('ari: yTrue has 3 labels but yPred has 2');
    expect(() => ari([], [])).toThrow('ari: yTrue and yPred are empty');
    expect(() => ari([0, 1], [Number.NaN, 1])).toThrow('ari: yPred[0] is NaN');
    expect(() => ari([0, -Infinity], [0, 1])).toThrow('ari: yTrue[1] is -Infinity');
  });

  it('handles a million all-singleton labels against 10 classes (its time: npm run bench -- --only timings)', () => {
    const n = 1_000_000;
    const ids = Int32Array.from({ length: n }, (_, i) => i);
    const classes = Int32Array.from({ length: n }, (_, i) => i % 10);
    expect(ari(classes, ids)).toBe(0);
  });
});
