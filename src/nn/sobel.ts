import * as tf from '@tensorflow/tfjs';
import { checkImageTensor } from '../data/checks.js';

/**
 * DeepCluster's fixed Sobel input (Caron et al. 2018): images are turned to grayscale (mean of the
 * channels) and filtered by the horizontal and vertical 3x3 Sobel kernels, giving 2 channels of
 * edges. Not trainable; removes colour as a trivial clustering cue.
 *
 * @param images [n, h, w, c].
 * @returns [n, h, w, 2] ('same' padding).
 */
export function sobelFilter(images: tf.Tensor4D): tf.Tensor4D {
  checkImageTensor(images, 'sobelFilter');
  return tf.tidy(() => {
    const gray = images.shape[3] === 1 ? images : (tf.mean(images, 3, true) as tf.Tensor4D);
    // [kh, kw, in = 1, out = 2]: Gx then Gy.
    const gx = [1, 0, -1, 2, 0, -2, 1, 0, -1];
    const gy = [1, 2, 1, 0, 0, 0, -1, -2, -1];
    const kernel = tf.tensor4d(gx.flatMap((x, i) => [x, gy[i]]), [3, 3, 1, 2]);
    return tf.conv2d(gray, kernel, 1, 'same');
  });
}
