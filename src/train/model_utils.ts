import * as tf from '@tensorflow/tfjs';

import type { FeatureMatrix } from './unsupervised_method.js';

/** The trainable tf.Variables behind layers or models (their LayerVariables' values), in order. */
export function trainableVariablesOf(...owners: Array<tf.layers.Layer | tf.LayersModel>): tf.Variable[] {
  return owners.flatMap((owner) => owner.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}

/** Index of the largest entry of every row of a matrix (first on ties), e.g. cluster ids from probabilities. */
export function argmaxRows({ data, rows, cols }: FeatureMatrix): Int32Array {
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[i * cols + c] > data[i * cols + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
