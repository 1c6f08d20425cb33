/**
 * The benchmark models of docs/ARCHITECTURE.md, built with the library's own blocks, each as a closure that
 * takes one optimiser step and returns the loss. They mirror bench/peers/torch_train_step.py.
 */
import * as tf from '@tensorflow/tfjs';

import { iicLoss } from '../src/losses/iic_loss.js';
import { batchNormalization } from '../src/nn/batch_normalization.js';
import { conv4 } from '../src/nn/conv4.js';
import { mlp } from '../src/nn/mlp.js';
import { vgg } from '../src/nn/vgg.js';
import { trainableVariablesOf } from '../src/train/model_utils.js';

export const BENCH_MODELS = ['iic-vgg', 'dense-ae', 'conv4-relational'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];
export const DEFAULT_BATCH: Record<BenchModel, number> = { 'iic-vgg': 256, 'dense-ae': 256, 'conv4-relational': 64 };

export interface BenchStep {
  /** Takes one Adam step; returns the loss (caller disposes). */
  step: () => tf.Scalar;
  dispose: () => void;
}

function adamStep(optimizer: tf.Optimizer, variables: tf.Variable[], loss: () => tf.Scalar): tf.Scalar {
  return optimizer.minimize(loss, true, variables) as tf.Scalar;
}

/** Builds one benchmark model with random inputs of the peer's shapes. */
export function buildBenchModel(name: BenchModel, batch: number = DEFAULT_BATCH[name]): BenchStep {
  const optimizer = tf.train.adam(1e-3);
  if (name === 'iic-vgg') {
    const net = tf.sequential({ layers: [vgg('F', { inputShape: [24, 24, 1], seed: 0 }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const x = tf.randomUniform([batch, 24, 24, 1], 0, 1, 'float32', 1);
    const xt = tf.randomUniform([batch, 24, 24, 1], 0, 1, 'float32', 2);
    const variables = trainableVariablesOf(net);
    return {
      step: () =>
        adamStep(optimizer, variables, () =>
          iicLoss(net.apply(x, { training: true }) as tf.Tensor2D, net.apply(xt, { training: true }) as tf.Tensor2D),
        ),
      dispose: () => {
        tf.dispose([x, xt]);
        net.dispose();
        optimizer.dispose();
      },
    };
  }
  if (name === 'dense-ae') {
    const dims = [784, 500, 500, 2000, 10];
    const encoder = mlp(dims, { seed: 0, name: 'enc' });
    const decoder = mlp([...dims].reverse(), { seed: 1, name: 'dec' });
    const net = tf.sequential({ layers: [encoder, decoder] });
    const x = tf.randomUniform([batch, 784], 0, 1, 'float32', 1);
    const variables = trainableVariablesOf(net);
    return {
      step: () => adamStep(optimizer, variables, () => tf.losses.meanSquaredError(x, net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar),
      dispose: () => {
        tf.dispose([x]);
        net.dispose();
        optimizer.dispose();
      },
    };
  }
  const k = 4;
  const backbone = conv4({ seed: 0 });
  const head = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [128], units: 256 }),
      batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.01 }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const x = tf.randomUniform([batch * k, 28, 28, 1], 0, 1, 'float32', 1);
  const variables = trainableVariablesOf(backbone, head);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pairs.push([i, j]);
  const target = tf.concat([tf.ones([pairs.length * batch, 1]), tf.zeros([pairs.length * batch, 1])]);
  return {
    step: () =>
      adamStep(optimizer, variables, () => {
        const features = backbone.apply(x, { training: true }) as tf.Tensor2D;
        const views = tf.split(features, k, 0);
        const positives = pairs.map(([i, j]) => tf.concat([views[i], views[j]], 1));
        const negatives = pairs.map(([i, j]) => tf.concat([views[i], tf.concat([views[j].slice([batch - 1, 0], [1, -1]), views[j].slice([0, 0], [batch - 1, -1])], 0)], 1));
        const logits = head.apply(tf.concat([...positives, ...negatives], 0), { training: true }) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(target, logits) as tf.Scalar;
      }),
    dispose: () => {
      tf.dispose([x, target]);
      backbone.dispose();
      head.dispose();
      optimizer.dispose();
    },
  };
}

/** Milliseconds per step after `warmup` steps, reading the loss after every step as the peer does (`loss.item()`). */
export async function timeSteps(model: BenchStep, steps: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    const loss = model.step();
    await loss.data();
    loss.dispose();
  }
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    const loss = model.step();
    await loss.data();
    loss.dispose();
  }
  return (performance.now() - started) / steps;
}
