/**
 * An array whose elements can be read and written by index: plain arrays and typed arrays alike
 * (what {@link Random.shuffle} accepts).
 */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * A seeded pseudo-random source: the one place randomness enters the library's JavaScript code
 * (shuffling, batching, sampling, augmentation parameters, k-means seeding). Created by
 * {@link createRandom}; every method draws from the same stream, so the sequence of calls matters.
 */
export interface Random {
  /** A uniform number in [0, 1), with 32 bits of resolution. */
  next(): number;
  /**
   * A uniform integer in [0, n).
   *
   * @param n a positive integer, at most 2^32.
   * @throws when `n` is not such an integer.
   */
  int(n: number): number;
  /** A standard normal sample (Box–Muller; draws two uniforms every second call). */
  normal(): number;
  /**
   * Shuffles an array (plain or typed) in place with Fisher–Yates, every order equally likely,
   * and returns the same array.
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A;
  /** A uniformly random permutation of 0..n−1 (Fisher–Yates), as a new Int32Array. */
  permutation(n: number): Int32Array;
  /**
   * A uniformly chosen element of a non-empty array.
   *
   * @throws when the array is empty.
   */
  choice<T>(array: ArrayLike<T>): T;
}

/** splitmix32: spreads a user seed over 32 bits so that nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 0x100000000;

/**
 * The 32-bit state a seed is hashed from: the integer part's low 32 bits (two's complement), the
 * fractional part's first 32 bits, and, only for integer parts outside [−2^31, 2^32), a hash of
 * the higher bits (so that seeds in the usual range keep their historical streams).
 */
function seedWord(seed: number): number {
  const whole = Math.floor(seed);
  let word = whole ^ Math.floor((seed % 1) * TWO_POW_32);
  if (whole >= TWO_POW_32 || whole < -0x80000000) word ^= splitmix32(Math.floor(whole / TWO_POW_32))();
  return word;
}

/**
 * A deterministic pseudo-random number generator: sfc32 (Chris Doty-Humphrey's small fast
 * chaotic generator, 128-bit state), seeded through splitmix32 and warmed up by 12 draws. The
 * same seed always gives the same stream, on every platform; nearby seeds give unrelated streams.
 * Not cryptographically secure.
 *
 * Seeds are reduced to 32 bits: integer seeds in [−2^31, 2^32) act through their 32-bit two's
 * complement (so `-1` and `2**32 - 1` coincide), larger ones also mix in their higher bits, and a
 * fractional part contributes its first 32 bits.
 *
 * @param seed any finite number. Default 0.
 * @throws when `seed` is NaN or infinite.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * const order = random.permutation(10); // the same order for seed 42, every run
 * ```
 */
export function createRandom(seed = 0): Random {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`createRandom: seed must be a finite number, got ${String(seed)}.`);
  const mix = splitmix32(seedWord(seed));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / TWO_POW_32;
  };
  for (let i = 0; i < 12; i++) next();
  let spare: number | undefined;
  const random: Random = {
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new Error(`Random.int: n must be an integer in [1, 2^32], got ${n}.`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    permutation(n: number): Int32Array {
      if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`Random.permutation: n must be a non-negative integer, got ${n}.`);
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      return random.shuffle(p);
    },
    choice<T>(array: ArrayLike<T>): T {
      if (array.length === 0) throw new Error('Random.choice: cannot choose from an empty array.');
      return array[Math.floor(next() * array.length)];
    },
  };
  return random;
}

/**
 * Checks a seed given to a method, a network builder or a fit: a safe integer (seeds are hashed as
 * integers, so 0.5 would act as 0 and NaN as 0 without a word). Returns it.
 *
 * @param context the start of the error message, e.g. `'IIC: seed'`.
 * @throws an error naming `context` and the value otherwise.
 */
export function checkSeed(seed: unknown, context: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new Error(`${context} must be an integer, got ${typeof seed === 'number' ? String(seed) : typeof seed === 'string' ? `'${seed}'` : seed === null ? 'null' : typeof seed}.`);
  }
  return seed;
}

/**
 * {@link createRandom} for a seed passed to a function of the library: the seed must be a finite
 * number (no default), and an error names `context` rather than `createRandom`.
 *
 * @throws `"<context>: seed must be a finite number, got NaN."` and the like.
 */
export function seededRandom(seed: unknown, context: string): Random {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`${context}: seed must be a finite number, got ${typeof seed === 'string' ? `the string '${seed}'` : seed === null ? 'null' : typeof seed === 'number' ? String(seed) : typeof seed}.`);
  }
  return createRandom(seed);
}
