import * as tf from '@tensorflow/tfjs';
import { checkTensor } from '../data/checks.js';

/**
 * Reduces per-sample errors [batch] to a scalar mean, optionally through a hinge at `cutoff`:
 * mean_i max(0, e_i − cutoff). Samples already reconstructed better than the cutoff then stop
 * contributing (their gradient is zero), so training focuses on the samples still poorly fitted.
 * Without a cutoff it is the plain mean.
 */
export function reducePerSample(errors: tf.Tensor1D, cutoff?: number): tf.Scalar {
  return tf.tidy(() => {
    if (cutoff === undefined) return tf.mean(errors) as tf.Scalar;
    if (typeof cutoff !== 'number' || !Number.isFinite(cutoff) || cutoff < 0) throw new Error(`reconstruction loss: cutoff must be a finite non-negative number, got ${String(cutoff)}.`);
    return tf.mean(tf.relu(tf.sub(errors, cutoff))) as tf.Scalar;
  });
}

/** Checks that a target and a prediction have the same shape with a batch axis; flattens both to [batch, d]. */
export function flattenPair(target: tf.Tensor, prediction: tf.Tensor, context: string): [tf.Tensor2D, tf.Tensor2D] {
  checkTensor(target, 'target', context);
  checkTensor(prediction, 'reconstruction', context);
  if (target.rank < 1 || !tf.util.arraysEqual(target.shape, prediction.shape)) {
    throw new Error(`${context}: target and reconstruction must have the same shape, got [${target.shape}] and [${prediction.shape}].`);
  }
  const batch = target.shape[0];
  if (batch === 0) throw new Error(`${context}: empty batch.`);
  return [target.reshape([batch, -1]), prediction.reshape([batch, -1])];
}
