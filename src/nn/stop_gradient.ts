import * as tf from '@tensorflow/tfjs';

import { checkTensor } from '../data/checks.js';

/**
 * Identity in the forward pass, zero gradient in the backward pass (TensorFlow's
 * `tf.stop_gradient`, PyTorch's `.detach()`), which TensorFlow.js lacks: the value is used as a
 * constant by whatever differentiates through it.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  checkTensor(x, 'x', 'stopGradient');
  return detached(x) as T;
}

const detached = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
