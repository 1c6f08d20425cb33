import * as tf from '@tensorflow/tfjs';
import { readOptions } from '../data/options.js';
import { checkTensor } from '../data/checks.js';

/** Options of {@link iicLoss}. */
export interface IicLossOptions {
  /**
   * Weight of the marginal entropy terms (the paper's λ; 1 = plain mutual information, > 1
   * pushes harder towards balanced clusters). Default 1.
   */
  lambda?: number;
  /** Floor of P and of both marginals before the logarithm (no log 0, no NaN for empty clusters). Default 1e-7. */
  epsilon?: number;
}

function checkAssignments(z: tf.Tensor, zt: tf.Tensor, context: string): void {
  checkTensor(z, 'z', context);
  checkTensor(zt, 'zt', context);
  if (z.rank !== 2 || zt.rank !== 2) {
    throw new Error(`${context}: z and zt must be 2-D [batch, clusters] probabilities, got shapes [${z.shape}] and [${zt.shape}].`);
  }
  if (z.shape[0] !== zt.shape[0] || z.shape[1] !== zt.shape[1]) {
    throw new Error(`${context}: z and zt must have the same shape, got [${z.shape}] and [${zt.shape}].`);
  }
  if (z.shape[0] === 0 || z.shape[1] === 0) throw new Error(`${context}: empty batch or zero clusters, shape [${z.shape}].`);
}

/** Throws, naming `context`, unless λ of the IIC loss is a finite number ≥ 0. */
export function checkIicLambda(lambda: number, context: string): void {
  if (!Number.isFinite(lambda) || lambda < 0) throw new Error(`${context}: lambda must be a finite number ≥ 0, got ${lambda}.`);
}

/**
 * The symmetric joint distribution of IIC (Ji, Henriques & Vedaldi 2019, "Invariant Information
 * Clustering", eq. 3): P = Σ_i z_i z'_iᵀ over the batch, symmetrised (P + Pᵀ)/2 and normalised to
 * sum 1. `z`, `zt` are [batch, K] cluster probabilities of an image and of its transform; P is K x K.
 */
export function iicJointDistribution(z: tf.Tensor2D, zt: tf.Tensor2D): tf.Tensor2D {
  checkAssignments(z, zt, 'iicJointDistribution');
  return tf.tidy(() => {
    const p = tf.matMul(z, zt, true, false);
    const symmetric = tf.div(tf.add(p, p.transpose()), 2);
    return tf.div(symmetric, tf.sum(symmetric)) as tf.Tensor2D;
  });
}

/**
 * The IIC objective's mutual-information term for a joint P (K x K, sums to 1):
 * I_λ(P) = Σ_ij P_ij (log P_ij − λ log P_i − λ log P_j), with P, P_i = Σ_j P_ij and P_j = Σ_i P_ij
 * clamped at `epsilon`. With λ = 1 it is the mutual information I(z; z').
 */
export function iicMutualInformation(p: tf.Tensor2D, options: IicLossOptions = {}): tf.Scalar {
  options = readOptions(options, 'iicMutualInformation');
  checkTensor(p, 'p', 'iicMutualInformation');
  if (p.rank !== 2 || p.shape[0] !== p.shape[1]) throw new Error(`iicMutualInformation: P must be square K x K, got shape [${p.shape}].`);
  const { lambda = 1, epsilon = 1e-7 } = options;
  checkIicLambda(lambda, 'iicMutualInformation');
  if (!Number.isFinite(epsilon) || epsilon <= 0) throw new Error(`iicMutualInformation: epsilon must be a finite number > 0, got ${epsilon}.`);
  return tf.tidy(() => {
    const pi = tf.maximum(tf.sum(p, 1, true), epsilon);
    const pj = tf.maximum(tf.sum(p, 0, true), epsilon);
    const pc = tf.maximum(p, epsilon);
    const terms = tf.sub(tf.log(pc), tf.mul(lambda, tf.add(tf.log(pi), tf.log(pj))));
    return tf.sum(tf.mul(pc, terms)) as tf.Scalar;
  });
}

/**
 * Invariant Information Clustering loss (Ji et al. 2019): the negative mutual information between
 * the cluster assignments of images `z` and of their transformed versions `zt`,
 *
 *   L = −Σ_ij P_ij (log P_ij − λ log P_i − λ log P_j),  P = sym(Σ_batch z zᵗᵀ) / sum.
 *
 * Minimising it makes assignments confident, consistent under the transform, and balanced.
 * Its minimum for K clusters is −ln K (λ = 1): reached when every image goes to one cluster with
 * certainty, its transform to the same one, and clusters are equally used. In general
 * L_λ = −I(z; z') − (λ − 1)(H(P_i) + H(P_j)): λ > 1 rewards balanced clusters more (minimum
 * −(2λ − 1) ln K), which helps keep two classes from sharing one cluster.
 *
 * @param z [batch, K] softmax outputs for the images.
 * @param zt [batch, K] softmax outputs for the transformed images (same order).
 */
export function iicLoss(z: tf.Tensor2D, zt: tf.Tensor2D, options: IicLossOptions = {}): tf.Scalar {
  checkAssignments(z, zt, 'iicLoss');
  return tf.tidy(() => tf.neg(iicMutualInformation(iicJointDistribution(z, zt), options)));
}
