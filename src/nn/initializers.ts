import * as tf from '@tensorflow/tfjs';
import { checkNumber, describeArgument } from '../data/checks.js';

/** A TensorFlow.js layers weight initializer. */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Seeded Glorot-uniform initializer for layer `index` of a model built with `seed`.
 * Every layer gets its own derived seed so that two layers never share initial weights,
 * while the whole model stays reproducible from one number.
 */
export function seededKernelInitializer(seed: number | undefined, index: number): Initializer | 'glorotUniform' {
  if (seed === undefined) {
    checkNumber(index, 'index', 'seededKernelInitializer', { integer: true });
    return 'glorotUniform';
  }
  return tf.initializers.glorotUniform({ seed: deriveSeed(seed, index) });
}

/**
 * Seeded He-normal initializer (fan-in scaled), the usual choice before ReLU in conv nets.
 * Falls back to tfjs's unseeded `heNormal` when `seed` is undefined.
 */
export function seededHeInitializer(seed: number | undefined, index: number): Initializer | 'heNormal' {
  if (seed === undefined) {
    checkNumber(index, 'index', 'seededHeInitializer', { integer: true });
    return 'heNormal';
  }
  return tf.initializers.heNormal({ seed: deriveSeed(seed, index) });
}

/** Derives a distinct 31-bit seed for position `index` from a base seed (integer hash). */
export function deriveSeed(seed: number, index: number): number {
  // Checked here because every seeded draw of the library passes through it: NaN would act as 0.
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new Error(`deriveSeed: seed must be an integer, got ${describeArgument(seed)}.`);
  if (typeof index !== 'number' || !Number.isSafeInteger(index)) throw new Error(`deriveSeed: index must be an integer, got ${describeArgument(index)}.`);
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
