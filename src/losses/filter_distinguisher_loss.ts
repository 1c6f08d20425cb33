import * as tf from '@tensorflow/tfjs';
import { readOptions } from '../data/options.js';
import { checkTensor } from '../data/checks.js';

/** Options of {@link filterDistinguisherLoss}. */
export interface FilterDistinguisherLossOptions {
  /** Norms are sqrt(‖f‖² + ε²): an all-zero map gives cosines of 0 and finite gradients, not NaN. Default 1e-6. */
  epsilon?: number;
}

/** The loss and its stopping signal. */
export interface FilterDistinguisherLossResult {
  /** Mean over the batch and over all C(C−1)/2 pairs of squared cosine similarities. */
  loss: tf.Scalar;
  /** The largest |cos| between two different maps of one image, averaged over the batch. */
  maxAbsCosine: tf.Scalar;
}

function checkFeatureMaps(featureMaps: tf.Tensor): void {
  checkTensor(featureMaps, 'featureMaps', 'filterDistinguisherLoss');
  if (featureMaps.rank !== 4) {
    throw new Error(`filterDistinguisherLoss: feature maps must be [batch, height, width, channels], got shape [${featureMaps.shape}].`);
  }
  const channels = featureMaps.shape[3] as number;
  if (channels < 2) throw new Error(`filterDistinguisherLoss: needs at least 2 channels to compare, got ${channels}.`);
  if (featureMaps.shape[0] === 0) throw new Error('filterDistinguisherLoss: empty batch.');
}

/**
 * Per-image cosine-similarity matrices of a level's feature maps: for each image, the C maps are
 * flattened to vectors f_c of length H·W, normalised (f_c / √(‖f_c‖² + ε²)), and
 * cos_ab = ⟨f̂_a, f̂_b⟩. Returns [batch, C, C].
 */
export function featureMapCosines(featureMaps: tf.Tensor4D, options: FilterDistinguisherLossOptions = {}): tf.Tensor3D {
  options = readOptions(options, 'featureMapCosines', { epsilon: 'number' });
  checkFeatureMaps(featureMaps);
  const { epsilon = 1e-6 } = options;
  return tf.tidy(() => {
    const [n, h, w, c] = featureMaps.shape;
    const flat = featureMaps.reshape([n, h * w, c]);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), epsilon * epsilon));
    const unit = tf.div(flat, norms);
    return tf.matMul(unit, unit, true, false) as tf.Tensor3D;
  });
}

/** A [C, C] mask with 1 above the diagonal (each unordered pair once). */
function upperTriangleMask(c: number): tf.Tensor2D {
  const values = new Float32Array(c * c);
  for (let a = 0; a < c; a++) for (let b = a + 1; b < c; b++) values[a * c + b] = 1;
  return tf.tensor2d(values, [c, c]);
}

/**
 * The filter distinguisher's loss (evrimozmermer/filter_distinguisher): a level's feature maps
 * for an image should be as different from each other as possible. For every image and every
 * pair a < b of its C maps, the squared cosine similarity cos²_ab is pushed to 0 (orthogonal maps):
 *
 *   L = (1 / N) Σ_n (2 / (C (C − 1))) Σ_{a<b} cos²_ab(n)
 *
 * L = 0 for mutually orthogonal maps and 1 for identical (or parallel) maps. Also returns the
 * batch mean of max_{a≠b} |cos_ab|, the signal that ends a training stage.
 *
 * @param featureMaps [batch, height, width, channels].
 */
export function filterDistinguisherLoss(featureMaps: tf.Tensor4D, options: FilterDistinguisherLossOptions = {}): FilterDistinguisherLossResult {
  options = readOptions(options, 'filterDistinguisherLoss');
  checkFeatureMaps(featureMaps);
  const c = featureMaps.shape[3];
  return tf.tidy(() => {
    const cosines = featureMapCosines(featureMaps, options);
    const mask = upperTriangleMask(c);
    const pairs = (c * (c - 1)) / 2;
    const perImage = tf.div(tf.sum(tf.mul(tf.square(cosines), mask), [1, 2]), pairs);
    const loss = tf.mean(perImage) as tf.Scalar;
    const maxAbsCosine = tf.mean(tf.max(tf.mul(tf.abs(cosines), mask), [1, 2])) as tf.Scalar;
    return { loss, maxAbsCosine };
  });
}

/** The loss term of {@link filterDistinguisherLoss} alone (for gradients). */
export function filterDistinguisherPairLoss(featureMaps: tf.Tensor4D, options: FilterDistinguisherLossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const { loss, maxAbsCosine } = filterDistinguisherLoss(featureMaps, options);
    maxAbsCosine.dispose();
    return loss;
  });
}
