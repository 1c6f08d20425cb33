/** The shared small things every layer may import: the row-major matrix type and the seeded RNG. */
export type { Matrix } from './matrix.js';
export { createRandom, checkSeed, seededRandom } from './random.js';
export type { MutableArrayLike, Random } from './random.js';
