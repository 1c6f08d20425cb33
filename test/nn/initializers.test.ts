import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { deriveSeed, seededHeInitializer, seededKernelInitializer } from '../../src/nn/initializers.js';
import type { Initializer } from '../../src/nn/initializers.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

async function draw(initializer: Initializer | string): Promise<Float32Array> {
  if (typeof initializer === 'string') throw new Error('expected a seeded initializer');
  const weights = initializer.apply([8, 4]);
  const values = (await weights.data()) as Float32Array;
  weights.dispose();
  return values;
}

describe('deriveSeed', () => {
  it('is deterministic, differs by index and by seed, and stays a non-negative 31-bit integer', () => {
    expect(deriveSeed(7, 3)).toBe(deriveSeed(7, 3));
    const seeds = new Set([0, 1, 2, 3, 4].flatMap((s) => [0, 1, 2, 3, 4].map((i) => deriveSeed(s, i))));
    expect(seeds.size).toBe(25);
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(2 ** 31);
    }
  });

  it('names a seed or index that is not an integer', () => {
    expect(() => deriveSeed(Number.NaN, 0)).toThrow(/deriveSeed: seed must be an integer/);
    expect(() => deriveSeed(1, 0.5)).toThrow(/deriveSeed: index must be an integer/);
  });
});

describe('seeded initializers', () => {
  it('give the same weights for the same seed and layer index, other weights otherwise', async () => {
    const a = await draw(seededKernelInitializer(5, 0));
    const b = await draw(seededKernelInitializer(5, 0));
    const c = await draw(seededKernelInitializer(5, 1));
    const d = await draw(seededKernelInitializer(6, 0));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(Array.from(d)).not.toEqual(Array.from(a));
  });

  it('draw Glorot-uniform and He-normal scales', async () => {
    // Glorot uniform on [8, 4]: limit sqrt(6 / (8 + 4)) ≈ 0.707.
    const glorot = await draw(seededKernelInitializer(1, 0));
    expect(Math.max(...glorot.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 12) + 1e-6);
    // He normal (truncated) on fan-in 8: standard deviation about sqrt(2 / 8) = 0.5; all within 2 sd.
    const he = await draw(seededHeInitializer(1, 0));
    expect(Math.max(...he.map(Math.abs))).toBeLessThanOrEqual(2 * Math.sqrt(2 / 8) + 1e-6);
    expect(Array.from(he)).not.toEqual(Array.from(glorot));
  });

  it('fall back to the unseeded initializers when no seed is given, still checking the index', () => {
    expect(seededKernelInitializer(undefined, 0)).toBe('glorotUniform');
    expect(seededHeInitializer(undefined, 0)).toBe('heNormal');
    expect(() => seededKernelInitializer(undefined, Number.NaN)).toThrow(/index/);
  });
});
