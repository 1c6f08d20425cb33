import * as tf from '@tensorflow/tfjs';
import { checkNumber, checkObject, checkTensor, describeArgument } from '../checks.js';

/** Input corruption of a denoising autoencoder (Vincent et al. 2008). */
export interface NoiseOptions {
  /** Standard deviation of additive Gaussian noise. Default 0 (none). */
  gaussian?: number;
  /** Probability of setting each input value to 0 ("masking noise"). Default 0 (none). */
  masking?: number;
  /** Clip the corrupted input to [0, 1] (pixel range). Default `false`. */
  clip?: boolean;
}

/** Checks noise levels: `gaussian` ≥ 0, `masking` in [0, 1). */
export function validateNoise(noise: NoiseOptions, context: string): void {
  checkObject(noise, 'noise', context);
  const { gaussian = 0, masking = 0 } = noise;
  if (typeof gaussian !== 'number' || !Number.isFinite(gaussian) || gaussian < 0) throw new Error(`${context}: gaussian noise must be a standard deviation ≥ 0, got ${describeArgument(gaussian)}.`);
  if (typeof masking !== 'number' || !Number.isFinite(masking) || masking < 0 || masking >= 1) throw new Error(`${context}: masking noise must be a probability in [0, 1), got ${describeArgument(masking)}.`);
}

/**
 * Corrupts a batch: x + σ·ε with ε ~ N(0, 1), then each value zeroed with probability `masking`
 * (no rescaling: the network must fill the holes in). Seeded, so a batch's corruption repeats.
 */
export function addNoise(x: tf.Tensor, noise: NoiseOptions, seed: number): tf.Tensor {
  checkTensor(x, 'x', 'addNoise');
  validateNoise(noise, 'addNoise');
  checkNumber(seed, 'seed', 'addNoise', { integer: true });
  const { gaussian = 0, masking = 0, clip = false } = noise;
  return tf.tidy(() => {
    let y = x;
    if (gaussian > 0) y = tf.add(y, tf.randomNormal(x.shape, 0, gaussian, 'float32', seed));
    if (masking > 0) y = tf.mul(y, tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed + 1), masking), 'float32'));
    if (clip) y = tf.clipByValue(y, 0, 1);
    return y === x ? tf.clone(x) : y;
  });
}
