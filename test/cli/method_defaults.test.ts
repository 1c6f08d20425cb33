import { describe, expect, it } from 'vitest';

import { METHODS, resolveMethodOptions } from '../../src/cli/method_registry.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC } from '../../src/methods/iic.js';
import { MineEncoder } from '../../src/methods/mine_encoder.js';
import { RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import type { UnsupervisedMethod } from '../../src/train/unsupervised_method.js';

// One source of truth for options: the CLI's defaults (its flags' defaults and `defaults`) must
// give the class's own defaults, so the two cannot drift apart unnoticed.
const classes: Record<string, () => UnsupervisedMethod<{ size: number }>> = {
  autoencoder: () => new Autoencoder(),
  'filter-distinguisher': () => new FilterDistinguisher(),
  'relational-reasoning': () => new RelationalReasoning(),
  iic: () => new IIC(),
  mine: () => new MineEncoder(),
  deepcluster: () => new DeepCluster(),
};

describe('the CLI registry and the method classes agree on defaults', () => {
  for (const [name, entry] of Object.entries(METHODS)) {
    it(`${name}: the flags' defaults build the class's default configuration, and fit's defaults match`, () => {
      const fromCli = entry.create({ seed: 0, shape: [28, 28, 1], options: resolveMethodOptions(entry, {}) });
      const fromClass = classes[name]();
      expect(JSON.parse(JSON.stringify(fromCli.config))).toEqual(JSON.parse(JSON.stringify(fromClass.config)));
      expect(entry.defaults.batchSize).toBe(fromClass.fitDefaults.batchSize);
      if (entry.epochBased) expect(entry.defaults.epochs).toBe(fromClass.fitDefaults.epochs);
      fromCli.dispose();
      fromClass.dispose();
    });
  }
});
