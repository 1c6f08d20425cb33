import * as tf from '@tensorflow/tfjs';

import { flattenPair, reducePerSample } from './per_sample_reduction.js';
import { readOptions } from '../data/options.js';

/** Options of the reconstruction losses. */
export interface ReconstructionLossOptions {
  /**
   * Hinge on the per-sample error: a sample whose error is below `cutoff` contributes nothing,
   * above it contributes `error − cutoff`. Default: none (plain mean).
   */
  cutoff?: number;
}

/**
 * Per-sample mean squared error: e_i = (1/d) Σ_j (x_ij − x̂_ij)², for inputs of any shape
 * [batch, ...] (flattened per sample). Returns [batch].
 */
export function perSampleSquaredError(target: tf.Tensor, reconstruction: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const [t, r] = flattenPair(target, reconstruction, 'perSampleSquaredError');
    return tf.mean(tf.squaredDifference(t, r), 1) as tf.Tensor1D;
  });
}

/**
 * Mean squared reconstruction error of an autoencoder: L = mean_i e_i with
 * e_i = (1/d) Σ_j (x_ij − x̂_ij)², or with a cutoff c, L = mean_i max(0, e_i − c).
 * (The classic autoencoder objective, e.g. Hinton & Salakhutdinov 2006; DEC's pretraining, Xie et al. 2016.)
 */
export function mseLoss(target: tf.Tensor, reconstruction: tf.Tensor, options: ReconstructionLossOptions = {}): tf.Scalar {
  options = readOptions(options, 'mseLoss', { cutoff: 'number' });
  return tf.tidy(() => reducePerSample(perSampleSquaredError(target, reconstruction), options.cutoff));
}
