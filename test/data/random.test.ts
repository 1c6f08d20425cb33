import { describe, expect, it } from 'vitest';

import { createRandom } from '../../src/data/random.js';
import type { Random } from '../../src/data/random.js';

/** A fingerprint of a stream that touches every method. */
function stream(random: Random): unknown[] {
  return [random.next(), random.int(1000), random.normal(), random.normal(), Array.from(random.permutation(7)), random.shuffle([1, 2, 3, 4, 5]), random.choice('abcdef')];
}

describe('createRandom', () => {
  it('is deterministic for a seed (every method) and differs across seeds', () => {
    for (const seed of [0, 1, -1, 42, 0.5, 2 ** 31, 2 ** 40]) expect(stream(createRandom(seed))).toEqual(stream(createRandom(seed)));
    const reference = stream(createRandom(42));
    for (const seed of [0, 41, 43, 42.5, 2 ** 32 + 42]) expect(stream(createRandom(seed))).not.toEqual(reference);
    expect(stream(createRandom())).toEqual(stream(createRandom(0)));
  });

  it('keeps its stream stable across versions (seeded results elsewhere depend on it)', () => {
    const r = createRandom(42);
    expect([r.next(), r.next(), r.int(1000), Array.from(r.permutation(8))]).toEqual([0.23955312534235418, 0.5859209857881069, 93, [0, 2, 7, 6, 4, 5, 3, 1]]);
    const z = createRandom(0);
    expect([z.next(), z.normal()]).toEqual([0.9791452463250607, -0.13381742330935342]);
    expect(Array.from(createRandom(7).permutation(10))).toEqual([4, 9, 0, 8, 7, 2, 5, 6, 3, 1]);
  });

  it('draws uniform numbers in [0, 1) and uniform integers (chi-square)', () => {
    const r = createRandom(1);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = r.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      buckets[r.int(10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    // χ² with 9 degrees of freedom: P(χ² > 27.9) = 0.001.
    const chiSquare = buckets.reduce((s, count) => s + (count - n / 10) ** 2 / (n / 10), 0);
    expect(chiSquare).toBeLessThan(27.9);
  });

  it('draws standard normals (mean 0, variance 1, symmetric tails)', () => {
    const r = createRandom(2);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    let beyondTwo = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      if (!Number.isFinite(z)) throw new Error(`normal() gave ${z} at draw ${i}`);
      sum += z;
      sumSquares += z * z;
      if (Math.abs(z) > 2) beyondTwo++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.02);
    expect(beyondTwo / n).toBeCloseTo(0.0455, 2);
  });

  it('shuffles plain and typed arrays in place into permutations, every order about equally often', () => {
    const r = createRandom(3);
    const plain = [1, 2, 3, 4, 5, 6];
    expect(r.shuffle(plain)).toBe(plain);
    expect([...plain].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const typed = Float32Array.from([0.5, 1.5, 2.5, 3.5]);
    expect(r.shuffle(typed)).toBe(typed);
    expect(Array.from(typed).sort()).toEqual([0.5, 1.5, 2.5, 3.5]);
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const count of counts.values()) expect(Math.abs(count - n / 6)).toBeLessThan(400);
    expect(r.shuffle([])).toEqual([]);
  });

  it('makes permutations of 0..n−1 and chooses elements uniformly', () => {
    const r = createRandom(4);
    const p = r.permutation(1000);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(r.permutation(0)).toHaveLength(0);
    const seen = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const c = r.choice(['x', 'y', 'z']);
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
    for (const count of seen.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
    expect(r.choice(Int32Array.of(9))).toBe(9);
  });

  it('rejects invalid seeds and arguments with clear messages', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed must be a finite number, got NaN/);
    expect(() => createRandom(Infinity)).toThrow(/seed must be a finite number/);
    const r = createRandom(5);
    expect(() => r.int(0)).toThrow(/Random.int: n must be an integer in \[1, 2\^32\], got 0/);
    expect(() => r.int(2.5)).toThrow(/got 2.5/);
    expect(() => r.permutation(-1)).toThrow(/Random.permutation: n must be a non-negative integer/);
    expect(() => r.choice([])).toThrow(/Random.choice: cannot choose from an empty array/);
  });
});
