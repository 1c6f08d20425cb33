import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { className, describeArgument } from '../../src/data/checks.js';
import { Autoencoder } from '../../src/index.js';

/**
 * How a wrong argument is described in error messages. A minifying bundler renames classes (an
 * Autoencoder's constructor becomes `t`), so classes are described by names it leaves alone: a
 * method class's static `methodName`, a TF.js class's registered `className`.
 */
describe('describeArgument', () => {
  it('describes a class renamed as a minifier would by its static methodName', () => {
    // What a minified bundle makes of a method class: a short constructor name, the methodName kept.
    const t = class extends Autoencoder {
      static override readonly methodName = 'Autoencoder';
    };
    const renamed = new t({ layers: [4, 2], seed: 0 });
    expect(renamed.constructor.name).toBe('t');
    expect(describeArgument(renamed)).toBe('an Autoencoder');
    expect(describeArgument(new Autoencoder({ layers: [4, 2], seed: 0 }))).toBe('an Autoencoder');
  });

  it('describes TF.js objects by the names TF.js exports them under, renamed or not', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const input = tf.input({ shape: [2] });
    const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    expect([model, functional, model.layers[0], tf.train.adam(), tf.train.sgd(0.1)].map(describeArgument)).toEqual(['a Sequential', 'a LayersModel', 'a Dense', 'an AdamOptimizer', 'a SGDOptimizer']);
    // A renamed subclass of a TF.js layer keeps the layer's registered class name.
    const e = class extends tf.layers.Layer {
      static className = 'Scale';
    };
    expect(e.name).toBe('e');
    expect(className(new e({}))).toBe('Scale');
    model.dispose();
    functional.dispose();
  });

  it('falls back to the constructor name, and describes plain values as before', () => {
    expect(describeArgument(new Int32Array(2))).toBe('an Int32Array');
    expect(describeArgument(new Map())).toBe('a Map');
    expect(describeArgument({})).toBe('an object');
    expect(describeArgument(Object.create(null))).toBe('an object');
    expect(className(Object.create(null) as object)).toBeUndefined();
    expect(describeArgument(null)).toBe('null');
    expect(describeArgument('abc')).toBe("the string 'abc'");
    expect(describeArgument([1, 2])).toBe('an array of 2');
    const before = tf.memory().numTensors;
    const tensor = tf.zeros([2, 3]);
    expect(describeArgument(tensor)).toBe('a tensor of shape [2,3]');
    tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
