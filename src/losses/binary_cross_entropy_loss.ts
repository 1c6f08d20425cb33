import * as tf from '@tensorflow/tfjs';

import type { ReconstructionLossOptions } from './mse_loss.js';
import { flattenPair, reducePerSample } from './per_sample_reduction.js';
import { readOptions } from '../data/options.js';

/** Options of {@link binaryCrossEntropyLoss}. */
export interface BinaryCrossEntropyOptions extends ReconstructionLossOptions {
  /** The reconstruction is logits (pre-sigmoid) rather than probabilities. Default `false`. */
  fromLogits?: boolean;
  /** Probabilities are clipped to [epsilon, 1 − epsilon] before the logarithm. Default 1e-7. */
  epsilon?: number;
}

/**
 * Per-sample binary cross-entropy of targets in [0, 1] against reconstructed probabilities:
 * e_i = −(1/d) Σ_j [x_ij log x̂_ij + (1 − x_ij) log(1 − x̂_ij)]. With `fromLogits`, the stable form
 * max(s, 0) − s·x + log(1 + e^−|s|) of logits s. Returns [batch].
 */
export function perSampleBinaryCrossEntropy(target: tf.Tensor, reconstruction: tf.Tensor, options: BinaryCrossEntropyOptions = {}): tf.Tensor1D {
  options = readOptions(options, 'perSampleBinaryCrossEntropy', { fromLogits: 'boolean', epsilon: 'number', cutoff: 'number' });
  const { fromLogits = false, epsilon = 1e-7 } = options;
  return tf.tidy(() => {
    const [t, r] = flattenPair(target, reconstruction, 'perSampleBinaryCrossEntropy');
    if (fromLogits) {
      const terms = tf.add(tf.sub(tf.relu(r), tf.mul(r, t)), tf.log1p(tf.exp(tf.neg(tf.abs(r)))));
      return tf.mean(terms, 1) as tf.Tensor1D;
    }
    const p = tf.clipByValue(r, epsilon, 1 - epsilon);
    const terms = tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(terms, 1)) as tf.Tensor1D;
  });
}

/**
 * Binary cross-entropy reconstruction loss for inputs in [0, 1] (e.g. MNIST pixels):
 * L = mean_i e_i, or with a cutoff c, L = mean_i max(0, e_i − c), where e_i is
 * {@link perSampleBinaryCrossEntropy}. Note that its minimum is the targets' own entropy, not 0,
 * for targets strictly between 0 and 1.
 */
export function binaryCrossEntropyLoss(target: tf.Tensor, reconstruction: tf.Tensor, options: BinaryCrossEntropyOptions = {}): tf.Scalar {
  options = readOptions(options, 'binaryCrossEntropyLoss', { fromLogits: 'boolean', epsilon: 'number', cutoff: 'number' });
  return tf.tidy(() => reducePerSample(perSampleBinaryCrossEntropy(target, reconstruction, options), options.cutoff));
}
