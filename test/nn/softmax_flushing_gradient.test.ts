import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { denseSoftmaxFlushingGradient, SOFTMAX_GRADIENT_FLUSH_BELOW, softmaxFlushingGradient } from '../../src/nn/softmax_flushing_gradient.js';
import { gradientError, leakedTensors } from '../helpers/gradient_check.js';

afterAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Logits whose softmax puts probabilities far below 1e-30 on some classes (a confident head). */
const CONFIDENT_LOGITS = [
  [0, -75, -90, 3, -2],
  [40, -40, 0, 1, -60],
  [0.5, 0.1, -0.3, 0.2, 0],
];

/** Where two arrays differ (+0 and −0 equal). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let count = a.length === b.length ? 0 : 1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

function softmaxDense(units: number, features: number, seed: number): tf.Sequential {
  const head = tf.sequential();
  head.add(tf.layers.dense({ inputShape: [features], units, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed }), biasInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: seed + 1 }) }));
  return head;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`softmaxFlushingGradient on ${backend}`, () => {
    it('has tf.softmax’s value, bit for bit', async () => {
      await initBackend({ backend });
      const logits = tf.tensor2d(CONFIDENT_LOGITS);
      const [ours, reference] = [softmaxFlushingGradient(logits), tf.softmax(logits)];
      expect(differences(ours.dataSync(), reference.dataSync())).toBe(0);
      tf.dispose([logits, ours, reference]);
    });

    it('has tf.softmax’s gradient, bit for bit, except entries below 1e-30, which are zero', async () => {
      await initBackend({ backend });
      const logits = tf.tensor2d(CONFIDENT_LOGITS);
      const upstream = tf.tensor2d([
        [1, -2, 3, 0.5, 4],
        [-1, 2, 0.25, 3, -5],
        [2, 1, -1, 0.5, 3],
      ]);
      const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(softmaxFlushingGradient(x as tf.Tensor2D), upstream)))(logits).dataSync();
      const reference = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), upstream)))(logits).dataSync();
      let flushed = 0;
      for (let i = 0; i < reference.length; i++) {
        if (Math.abs(reference[i]) < SOFTMAX_GRADIENT_FLUSH_BELOW) {
          expect(ours[i]).toBe(0);
          if (reference[i] !== 0) flushed++;
        } else {
          expect(ours[i]).toBe(reference[i]);
        }
      }
      // The case exercises the flush: tiny non-zero entries existed and became zero.
      expect(flushed).toBeGreaterThan(0);
      tf.dispose([logits, upstream]);
    });

    it('has the gradient of finite differences where nothing is tiny', async () => {
      await initBackend({ backend });
      const logits = tf.tensor2d([[0.3, -0.2, 0.9], [1.2, 0.1, -0.7]]);
      const weights = tf.tensor2d([[1, -2, 0.5], [0.3, 2, -1]]);
      const error = await gradientError((x) => tf.sum(tf.mul(softmaxFlushingGradient(x as tf.Tensor2D), weights)), logits);
      expect(error).toBeLessThan(2e-2);
      tf.dispose([logits, weights]);
    });
  });

  describe(`denseSoftmaxFlushingGradient on ${backend}`, () => {
    it('equals the layer’s own apply, value and gradients (input, kernel, bias), bit for bit', async () => {
      await initBackend({ backend });
      const head = softmaxDense(7, 12, 3);
      const layer = head.layers[0];
      const input = tf.randomNormal([9, 12], 0, 1, 'float32', 4) as tf.Tensor2D;
      const upstream = tf.randomNormal([9, 7], 0, 1, 'float32', 5);
      const variables = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
      const run = (apply: (x: tf.Tensor2D) => tf.Tensor) => {
        const value = apply(input);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(apply(input), upstream)) as tf.Scalar, variables);
        const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(apply(x as tf.Tensor2D), upstream)))(input);
        const arrays = [value, inputGradient, ...variables.map((v) => grads[v.name])].map((t) => t.dataSync().slice());
        tf.dispose([value, inputGradient, ...Object.values(grads)]);
        return arrays;
      };
      const ours = run((x) => denseSoftmaxFlushingGradient(layer, x));
      const reference = run((x) => head.apply(x, { training: true }) as tf.Tensor);
      expect(ours.length).toBe(4);
      for (let i = 0; i < reference.length; i++) expect(differences(ours[i], reference[i])).toBe(0);
      head.dispose();
      tf.dispose([input, upstream]);
    });

    it('leaks no tensors', async () => {
      await initBackend({ backend });
      const head = softmaxDense(4, 6, 7);
      const input = tf.randomNormal([5, 6], 0, 1, 'float32', 8) as tf.Tensor2D;
      const leaked = await leakedTensors(() => {
        for (let step = 0; step < 3; step++) {
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.log(denseSoftmaxFlushingGradient(head.layers[0], input))) as tf.Scalar);
          tf.dispose([value, ...Object.values(grads)]);
        }
      });
      expect(leaked).toBe(0);
      head.dispose();
      input.dispose();
    });
  });
}

describe('denseSoftmaxFlushingGradient: bad input', () => {
  it('names the layer that is not a softmax Dense with a bias, and a wrong input', async () => {
    await initBackend({ backend: 'cpu' });
    const input = tf.zeros([2, 3]) as tf.Tensor2D;
    const relu = tf.layers.dense({ units: 2, activation: 'relu', name: 'relu_dense' });
    relu.apply(tf.input({ shape: [3] }));
    expect(() => denseSoftmaxFlushingGradient(relu, input)).toThrow(/denseSoftmaxFlushingGradient: expected a built Dense layer with a bias and softmax activation, got Dense 'relu_dense' \(activation relu/);
    expect(() => denseSoftmaxFlushingGradient(null as unknown as tf.layers.Layer, input)).toThrow(/layer must be a tf.layers.Layer .*, got null/);
    const unbuilt = tf.layers.dense({ units: 2, activation: 'softmax', name: 'unbuilt' });
    expect(() => denseSoftmaxFlushingGradient(unbuilt, input)).toThrow(/'unbuilt' \(activation softmax, 0 trainable weights\)/);
    const noBias = tf.layers.dense({ units: 2, activation: 'softmax', useBias: false, name: 'no_bias' });
    noBias.apply(tf.input({ shape: [3] }));
    expect(() => denseSoftmaxFlushingGradient(noBias, input)).toThrow(/'no_bias'/);
    const flatten = tf.layers.flatten({ name: 'flat' });
    flatten.apply(tf.input({ shape: [3, 1] }));
    expect(() => denseSoftmaxFlushingGradient(flatten, input)).toThrow(/got Flatten 'flat'/);
    const head = softmaxDense(2, 4, 1);
    expect(() => denseSoftmaxFlushingGradient(head.layers[0], input)).toThrow(/input \[2,3\] has 3 features, layer '.*' takes 4/);
    expect(() => denseSoftmaxFlushingGradient(head.layers[0], tf.zeros([4]) as unknown as tf.Tensor2D)).toThrow(/input/);
    expect(() => softmaxFlushingGradient(null as unknown as tf.Tensor2D)).toThrow(/softmaxFlushingGradient: logits/);
    head.dispose();
    input.dispose();
  });
});
