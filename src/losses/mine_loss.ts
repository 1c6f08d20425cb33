import * as tf from '@tensorflow/tfjs';

import { stopGradient } from '../nn/stop_gradient.js';
import { readOptions } from '../data/options.js';
import { checkNumber, checkTensor } from '../data/checks.js';

function checkStatistics(tJoint: tf.Tensor, tMarginal: tf.Tensor, context: string): void {
  checkTensor(tJoint, 'tJoint', context);
  checkTensor(tMarginal, 'tMarginal', context);
  const ok = (t: tf.Tensor) => t.rank === 1 || (t.rank === 2 && t.shape[1] === 1);
  if (!ok(tJoint) || !ok(tMarginal)) {
    throw new Error(`${context}: statistics must be [batch] or [batch, 1], got [${tJoint.shape}] and [${tMarginal.shape}].`);
  }
  if (tJoint.shape[0] === 0 || tMarginal.shape[0] === 0) throw new Error(`${context}: empty batch.`);
}

/**
 * The Donsker–Varadhan lower bound on mutual information (Belghazi et al. 2018, "MINE", eq. 2):
 *
 *   I(X; Y) ≥ E_P[T] − log E_Q[e^T],
 *
 * with T evaluated on joint samples (x, y) ~ P_XY (`tJoint`) and on samples of the product of
 * marginals (x, ỹ) ~ P_X ⊗ P_Y (`tMarginal`, e.g. y shuffled within the batch). The log-mean-exp
 * is computed stably (log Σ e^T − log n).
 */
export function mineLowerBound(tJoint: tf.Tensor, tMarginal: tf.Tensor): tf.Scalar {
  checkStatistics(tJoint, tMarginal, 'mineLowerBound');
  return tf.tidy(() => {
    const marginal = tMarginal.reshape([-1]);
    const logMeanExp = tf.sub(tf.logSumExp(marginal), Math.log(marginal.shape[0]));
    return tf.sub(tf.mean(tJoint), logMeanExp) as tf.Scalar;
  });
}

/** Options of {@link mineLoss}. */
export interface MineLossOptions {
  /**
   * `'moving-average'` (default): MINE's bias-corrected gradient; `'dv'`: the plain negative
   * Donsker–Varadhan bound, whose minibatch gradient is biased.
   */
  gradient?: 'moving-average' | 'dv';
  /** Rate α of the moving average of E_Q[e^T]. Default 0.01. */
  alpha?: number;
}

/** What {@link mineLoss} returns. */
export interface MineLossResult {
  /** The surrogate to minimise (its gradient is MINE's). */
  loss: tf.Scalar;
  /** The Donsker–Varadhan bound of this batch (the estimate, to log). */
  lowerBound: tf.Scalar;
  /** The updated moving average of E_Q[e^T], to pass to the next step. */
  movingAverage: tf.Scalar;
}

/**
 * MINE's training loss with the bias-corrected gradient (Belghazi et al. 2018, section 3.2):
 * the gradient of the DV bound, E_P[∇T] − E_Q[e^T ∇T] / E_Q[e^T], is biased on minibatches because
 * of the denominator; MINE replaces it by a moving average
 *
 *   ma ← (1 − α)·ma + α·mean_batch(e^{T_marginal})     (ma starts at 1, carried across steps)
 *
 * and descends the surrogate  L = −(mean(T_joint) − mean(e^{T_marginal}) / sg(ma)), where sg
 * holds ma constant. With `gradient: 'dv'` the loss is the plain −DV bound. The returned
 * `lowerBound` is the batch's DV bound either way.
 *
 * @param movingAverage the previous ma (a scalar tensor or number; 1 at the first step).
 */
export function mineLoss(tJoint: tf.Tensor, tMarginal: tf.Tensor, movingAverage: tf.Scalar | number, options: MineLossOptions = {}): MineLossResult {
  options = readOptions(options, 'mineLoss');
  checkStatistics(tJoint, tMarginal, 'mineLoss');
  if (movingAverage instanceof tf.Tensor) checkTensor(movingAverage, 'movingAverage', 'mineLoss', 0, 'a scalar tensor or a number');
  else checkNumber(movingAverage, 'movingAverage', 'mineLoss', { min: Number.MIN_VALUE });
  const { gradient = 'moving-average', alpha = 0.01 } = options;
  if (!(alpha > 0 && alpha <= 1)) throw new Error(`mineLoss: alpha must be in (0, 1], got ${alpha}.`);
  if (gradient !== 'moving-average' && gradient !== 'dv') throw new Error(`mineLoss: gradient must be 'moving-average' or 'dv', got '${String(gradient)}'.`);
  return tf.tidy(() => {
    const lowerBound = mineLowerBound(tJoint, tMarginal);
    const meanExp = tf.mean(tf.exp(tMarginal)) as tf.Scalar;
    const updated = tf.add(tf.mul(1 - alpha, movingAverage), tf.mul(alpha, stopGradient(meanExp))) as tf.Scalar;
    const loss =
      gradient === 'dv'
        ? (tf.neg(lowerBound) as tf.Scalar)
        : (tf.neg(tf.sub(tf.mean(tJoint), tf.div(meanExp, stopGradient(updated)))) as tf.Scalar);
    return { loss, lowerBound, movingAverage: updated };
  });
}
