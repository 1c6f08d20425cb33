import * as tf from '@tensorflow/tfjs';
import { readOptions } from '../data/options.js';
import { checkTensor } from '../data/checks.js';

/** Options of {@link focalLoss}. */
export interface FocalLossOptions {
  /**
   * Focusing parameter γ ≥ 0 of the modulating factor (1 − p_t)^γ: the larger, the less the
   * well-classified entries count. γ = 0 gives α-weighted cross-entropy. Default 2 (Lin et al.'s
   * and the relational-reasoning code's choice).
   */
  gamma?: number;
  /**
   * Class weight α ∈ [0, 1]: positives (target 1) are weighted α, negatives 1 − α. The default 0.5
   * weights both classes equally, so it halves the loss (the value the relational-reasoning code
   * uses, Patacchiola & Storkey 2020). Default 0.5.
   */
  alpha?: number;
}

function checkPair(targets: tf.Tensor, logits: tf.Tensor, context: string): void {
  checkTensor(targets, 'targets', context);
  checkTensor(logits, 'logits', context);
  if (!tf.util.arraysEqual(targets.shape, logits.shape)) {
    throw new Error(`${context}: targets and logits must have the same shape, got [${targets.shape}] and [${logits.shape}].`);
  }
  if (logits.size === 0) throw new Error(`${context}: empty input (shape [${logits.shape}]).`);
}

/**
 * Sigmoid focal loss on logits (Lin, Goyal, Girshick, He & Dollár 2017, "Focal Loss for Dense
 * Object Detection", eq. 5), the loss of self-supervised relational reasoning (Patacchiola &
 * Storkey 2020, "Self-Supervised Relational Reasoning for Representation Learning", section 3):
 *
 *   p = σ(s),  p_t = y·p + (1 − y)·(1 − p),  α_t = y·α + (1 − y)·(1 − α),
 *   FL = mean over entries of  −α_t · (1 − p_t)^γ · log p_t,
 *
 * where −log p_t is the binary cross-entropy of target y and logit s, computed stably as
 * softplus(s) − s·y, and 1 − p_t as y·σ(−s) + (1 − y)·σ(s) (no cancellation for confident
 * logits). Targets may be soft (in [0, 1]); the formula then follows the reference code, which
 * multiplies the per-entry BCE by the factors above. With γ = 0 it is α_t-weighted BCE, so with
 * γ = 0 and α = 0.5 exactly half the mean BCE.
 *
 * @param targets labels in [0, 1], any shape.
 * @param logits pre-sigmoid scores, the shape of `targets`.
 * @returns the mean focal loss, a scalar.
 * @throws when the shapes differ, the input is empty, γ < 0 or α ∉ [0, 1].
 */
export function focalLoss(targets: tf.Tensor, logits: tf.Tensor, options: FocalLossOptions = {}): tf.Scalar {
  options = readOptions(options, 'focalLoss');
  checkPair(targets, logits, 'focalLoss');
  const { gamma = 2, alpha = 0.5 } = options;
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`focalLoss: gamma must be a finite number ≥ 0, got ${gamma}.`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`focalLoss: alpha must be in [0, 1], got ${alpha}.`);
  return tf.tidy(() => {
    const y = tf.cast(targets, 'float32');
    const s = tf.cast(logits, 'float32');
    const crossEntropy = tf.sub(tf.softplus(s), tf.mul(s, y));
    const weight = tf.add(tf.mul(y, alpha), tf.mul(tf.sub(1, y), 1 - alpha));
    let terms = tf.mul(weight, crossEntropy);
    if (gamma > 0) {
      const oneMinusPt = tf.add(tf.mul(y, tf.sigmoid(tf.neg(s))), tf.mul(tf.sub(1, y), tf.sigmoid(s)));
      // The floor keeps the gradient of x^γ finite for γ < 1 where σ underflows to 0.
      terms = tf.mul(tf.pow(tf.maximum(oneMinusPt, 1e-30), gamma), terms);
    }
    return tf.mean(terms) as tf.Scalar;
  });
}
