import * as tf from '@tensorflow/tfjs';

import { checkTensor, describeArgument } from '../data/checks.js';

/** {@link softmaxFlushingGradient} sets gradient entries of smaller magnitude than this to zero. */
export const SOFTMAX_GRADIENT_FLUSH_BELOW = 1e-30;

/**
 * Softmax over the last axis of [batch, classes] logits, with TensorFlow.js's own gradient
 * (∂L/∂logits = y·g − (Σ y·g)·y, g = ∂L/∂y, the same ops) except that its entries of magnitude
 * below {@link SOFTMAX_GRADIENT_FLUSH_BELOW} (1e-30) are set to zero. The value is `tf.softmax`'s.
 *
 * Why: a confident softmax puts probabilities of 1e-30 and far less on the other classes, and its
 * gradient carries them; in the products that follow (the dense layer's weight and input
 * gradients) such values make subnormal floats, which x86 CPUs compute in microcode: on wasm a
 * 768x1152ᵀ·768x50 product took 8.7 ms with a subnormal operand against 0.14 ms, and an IIC step of
 * a trained model 12 % longer than of a fresh one. TensorFlow's native CPU runtime flushes
 * subnormals to zero (FTZ/DAZ); WebAssembly cannot. What is flushed is below what float32 weights
 * and their Adam updates can register: a weight gradient of 1e-30 moves a weight by ~1e-27 at
 * learning rate 1e-3, far below a weight's last bit.
 *
 * @param logits [batch, classes].
 */
export function softmaxFlushingGradient(logits: tf.Tensor2D): tf.Tensor2D {
  checkTensor(logits, 'logits', 'softmaxFlushingGradient', 2);
  return flushingSoftmax(logits) as tf.Tensor2D;
}

const flushingSoftmax = tf.customGrad(((logits: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.softmax(logits, -1);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [probabilities] = saved;
      // tfjs-core's Softmax gradient, op for op.
      const dyTimesY = tf.mul(dy, probabilities);
      const gradient = tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [logits.rank - 1], true), probabilities));
      return tf.where(tf.less(tf.abs(gradient), SOFTMAX_GRADIENT_FLUSH_BELOW), tf.zerosLike(gradient), gradient);
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (logits: tf.Tensor) => tf.Tensor;

/** The parts of a tfjs-layers `Dense` layer {@link denseSoftmaxFlushingGradient} reads. */
interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

function denseSoftmaxWeights(layer: tf.layers.Layer): DenseWeights {
  const context = 'denseSoftmaxFlushingGradient';
  if (!(layer instanceof tf.layers.Layer)) throw new Error(`${context}: layer must be a tf.layers.Layer (a Dense layer with softmax activation), got ${describeArgument(layer)}.`);
  const config = layer.getConfig();
  const weights = layer.trainableWeights;
  if (layer.getClassName() !== 'Dense' || config.activation !== 'softmax' || config.useBias !== true || weights.length !== 2) {
    throw new Error(`${context}: expected a built Dense layer with a bias and softmax activation, got ${layer.getClassName()} '${layer.name}' (activation ${String(config.activation)}, ${weights.length} trainable weights).`);
  }
  const [kernel, bias] = weights.map((weight) => weight.read());
  if (kernel.rank !== 2 || bias.rank !== 1) throw new Error(`${context}: layer '${layer.name}' has weights of shapes [${kernel.shape}] and [${bias.shape}], expected a kernel and a bias.`);
  return { kernel: kernel as tf.Tensor2D, bias: bias as tf.Tensor1D };
}

/**
 * A softmax `Dense` layer applied to [batch, features] in training, with the gradient of
 * {@link softmaxFlushingGradient}: the same ops as the layer's own `apply` (product, bias, softmax)
 * and so the same values; only the logits' gradient has its tiniest entries set to zero.
 *
 * @param layer a built `tf.layers.dense` with `activation: 'softmax'` and a bias (the default).
 * @param input [batch, features], the layer's input size.
 * @throws a named error for any other layer or input.
 */
export function denseSoftmaxFlushingGradient(layer: tf.layers.Layer, input: tf.Tensor2D): tf.Tensor2D {
  const context = 'denseSoftmaxFlushingGradient';
  const { kernel, bias } = denseSoftmaxWeights(layer);
  checkTensor(input, 'input', context, 2);
  if (input.shape[1] !== kernel.shape[0]) throw new Error(`${context}: input [${input.shape}] has ${input.shape[1]} features, layer '${layer.name}' takes ${kernel.shape[0]}.`);
  return tf.tidy(() => {
    // tfjs-layers' Dense.call for an activation it cannot fuse: matMul, bias added, activation.
    const logits = tf.add(tf.fused.matMul({ a: input, b: kernel, transposeA: false, transposeB: false }), tf.reshape(bias, [1, bias.shape[0]]));
    return softmaxFlushingGradient(logits as tf.Tensor2D);
  });
}
