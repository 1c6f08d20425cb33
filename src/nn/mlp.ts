import * as tf from '@tensorflow/tfjs';

import { checkSeed } from '../core/random.js';
import { seededKernelInitializer } from './initializers.js';
import { readOptions } from '../data/options.js';

/** Activation names accepted by the builders in `nn/`. */
export type ActivationName = 'relu' | 'linear' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu';

/** Every {@link ActivationName}, for checking options. */
export const ACTIVATIONS: readonly ActivationName[] = ['relu', 'linear', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu'];

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Activation between layers. Default `'relu'`. */
  activation?: ActivationName;
  /** Activation of the last layer. Default `'linear'`. */
  outputActivation?: ActivationName;
  /** Seed of the weight initialisers (reproducible models). Default: unseeded. */
  seed?: number;
  /** Prefix of the layer names (they must be unique within a model). Default `'mlp'`. */
  name?: string;
}

/**
 * A multi-layer perceptron from a list of widths: `units[0]` is the input dimension, every
 * later entry a dense layer. `mlp([784, 500, 10])` = Dense(500, relu) → Dense(10, linear).
 *
 * @throws when fewer than two widths are given or a width is not a positive integer.
 */
export function mlp(units: readonly number[], options: MlpOptions = {}): tf.Sequential {
  options = readOptions(options, 'mlp');
  validateWidths(units, 'mlp');
  const { activation = 'relu', outputActivation = 'linear', seed, name = 'mlp' } = options;
  for (const [key, value] of [['activation', activation], ['outputActivation', outputActivation]] as const) {
    if (!ACTIVATIONS.includes(value)) throw new Error(`mlp: ${key} must be one of ${ACTIVATIONS.join(', ')}, got '${String(value)}'.`);
  }
  if (seed !== undefined) checkSeed(seed, 'mlp: seed');
  const model = tf.sequential({ name });
  for (let i = 1; i < units.length; i++) {
    const last = i === units.length - 1;
    model.add(
      tf.layers.dense({
        units: units[i],
        inputShape: i === 1 ? [units[0]] : undefined,
        activation: last ? outputActivation : activation,
        kernelInitializer: seededKernelInitializer(seed, i),
        name: `${name}_dense${i}`,
      }),
    );
  }
  return model;
}

/** Checks a list of layer widths: at least two positive integers. */
export function validateWidths(units: readonly number[], context: string): void {
  if (!Array.isArray(units) || units.length < 2) {
    throw new Error(`${context}: a layer list needs at least two widths (input and output), got ${JSON.stringify(units)}.`);
  }
  units.forEach((u, i) => {
    if (!Number.isInteger(u) || u < 1) {
      throw new Error(`${context}: layer width ${i} must be a positive integer, got ${String(u)} in ${JSON.stringify(units)}.`);
    }
  });
}
