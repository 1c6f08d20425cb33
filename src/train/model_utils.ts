import * as tf from '@tensorflow/tfjs';

import type { FeatureMatrix } from './unsupervised_method.js';
import { describeArgument } from '../data/checks.js';
import { checkDenseMatrix } from '../cluster/matrix.js';

/** The trainable tf.Variables behind layers or models (their LayerVariables' values), in order. */
export function trainableVariablesOf(...owners: Array<tf.layers.Layer | tf.LayersModel>): tf.Variable[] {
  owners.forEach((owner: unknown, i) => {
    if (!(owner instanceof tf.layers.Layer || owner instanceof tf.LayersModel)) {
      throw new Error(`trainableVariablesOf: argument ${i} must be a tf.layers.Layer or a tf.LayersModel, got ${describeArgument(owner)}.`);
    }
  });
  return owners.flatMap((owner) => owner.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}

/** Index of the largest entry of every row of a matrix (first on ties), e.g. cluster ids from probabilities. */
export function argmaxRows(matrix: FeatureMatrix): Int32Array {
  checkDenseMatrix(matrix, 'argmaxRows: matrix');
  const { data, rows, cols } = matrix;
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[i * cols + c] > data[i * cols + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
