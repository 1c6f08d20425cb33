/**
 * The seeded random source, kept under its old path: it lives in `src/core/random.ts` (the small
 * shared layer every folder imports).
 */
export { createRandom, checkSeed, seededRandom } from '../core/random.js';
export type { MutableArrayLike, Random } from '../core/random.js';
