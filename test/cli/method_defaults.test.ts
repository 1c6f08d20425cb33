import { describe, expect, it } from 'vitest';

import { METHODS, registerMethod, resolveMethodOptions } from '../../src/cli/method_registry.js';
import { Autoencoder, AUTOENCODER_FIT_DEFAULTS } from '../../src/methods/autoencoder.js';
import { DEEP_CLUSTER_FIT_DEFAULTS, DeepCluster } from '../../src/methods/deep_cluster.js';
import { FILTER_DISTINGUISHER_FIT_DEFAULTS, FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { IIC, IIC_DEFAULTS } from '../../src/methods/iic.js';
import { MINE, MINE_FIT_DEFAULTS } from '../../src/methods/mine.js';
import { MINE_ENCODER_FIT_DEFAULTS, MineEncoder } from '../../src/methods/mine_encoder.js';
import { RELATIONAL_REASONING_FIT_DEFAULTS, RelationalReasoning } from '../../src/methods/relational_reasoning.js';
import type { FitDefaults, UnsupervisedMethod } from '../../src/train/unsupervised_method.js';
import { ToyAutoencoder } from './toy_method.js';

// One source of truth for options: the CLI's defaults (its flags' defaults and `defaults`) must
// give the class's own defaults, so the two cannot drift apart unnoticed. The toy method of
// docs/ARCHITECTURE.md registers itself on import, so the loop below covers a registered method too.
const classes: Record<string, { create: () => UnsupervisedMethod<{ size: number }>; fitDefaults: FitDefaults }> = {
  autoencoder: { create: () => new Autoencoder(), fitDefaults: AUTOENCODER_FIT_DEFAULTS },
  'filter-distinguisher': { create: () => new FilterDistinguisher(), fitDefaults: FILTER_DISTINGUISHER_FIT_DEFAULTS },
  'relational-reasoning': { create: () => new RelationalReasoning(), fitDefaults: RELATIONAL_REASONING_FIT_DEFAULTS },
  iic: { create: () => new IIC(), fitDefaults: IIC_DEFAULTS },
  mine: { create: () => new MineEncoder(), fitDefaults: MINE_ENCODER_FIT_DEFAULTS },
  deepcluster: { create: () => new DeepCluster(), fitDefaults: DEEP_CLUSTER_FIT_DEFAULTS },
  toy: { create: () => new ToyAutoencoder(), fitDefaults: new ToyAutoencoder().fitDefaults },
};

/** The fit defaults as plain numbers (a constant may carry more fields, e.g. IIC_DEFAULTS). */
const fitDefaultsOf = ({ epochs, batchSize, learningRate }: FitDefaults) => ({ epochs, batchSize, learningRate });

describe('the CLI registry and the method classes agree on defaults', () => {
  it('covers every registered method', () => {
    expect(Object.keys(METHODS).sort()).toEqual(Object.keys(classes).sort());
  });

  for (const [name, entry] of Object.entries(METHODS)) {
    it(`${name}: the flags' defaults build the class's default configuration; --epochs and --batch-size default to the class's fitDefaults`, () => {
      const fromCli = entry.create({ seed: 0, shape: [28, 28, 1], options: resolveMethodOptions(entry, {}) });
      const fromClass = classes[name].create();
      expect(JSON.parse(JSON.stringify(fromCli.config))).toEqual(JSON.parse(JSON.stringify(fromClass.config)));
      // The class reads its module's exported constant, and the registry gives the class's values.
      expect(fromClass.fitDefaults).toEqual(fitDefaultsOf(classes[name].fitDefaults));
      expect({ epochs: entry.defaults.epochs, batchSize: entry.defaults.batchSize }).toEqual({ epochs: fromClass.fitDefaults.epochs, batchSize: fromClass.fitDefaults.batchSize });
      // A method trained in stages has no default number of epochs, and only such a method.
      expect(entry.defaults.epochs === undefined).toBe(!entry.epochBased);
      fromCli.dispose();
      fromClass.dispose();
    });
  }

  it('MINE (not in the CLI) reads its module constant too', () => {
    const mine = new MINE();
    expect(mine.fitDefaults).toEqual(fitDefaultsOf(MINE_FIT_DEFAULTS));
    mine.dispose();
  });

  it('registerMethod refuses defaults that do not fit the kind of method', () => {
    const base = { summary: '', epochBased: true, options: [], create: () => new ToyAutoencoder(), load: (d: string) => ToyAutoencoder.load(d) };
    expect(() => registerMethod({ ...base, name: 'toy-a', className: 'ToyA', defaults: { epochs: undefined, batchSize: 32 } })).toThrow(
      'registerMethod: defaults.epochs must be a positive integer for an epoch-based method (the class\'s fitDefaults.epochs), got undefined.',
    );
    expect(() => registerMethod({ ...base, name: 'toy-b', className: 'ToyB', epochBased: false, defaults: { epochs: 3, batchSize: 32 } })).toThrow(/defaults.epochs must be undefined for a method that is not epoch-based/);
    expect(() => registerMethod({ ...base, name: 'toy-c', className: 'ToyC', defaults: { epochs: 3, batchSize: 0 } })).toThrow(/defaults.batchSize must be a positive integer/);
  });
});

describe('help gives the one default', () => {
  it("filter-distinguisher: no --epochs default, its per-level budget from the class's constant", async () => {
    const { trainHelp } = await import('../../src/cli/commands/train_help.js');
    const help = trainHelp(METHODS['filter-distinguisher']);
    expect(help.summary).toMatch(/Defaults: --batch-size 16\./);
    expect(help.summary).not.toMatch(/--epochs \d/);
    const budget = help.groups!.flatMap((g) => g.options).find((o) => o.name === 'samples-per-level');
    expect(budget?.description).toContain(`else ${FILTER_DISTINGUISHER_FIT_DEFAULTS.samplesPerLevel})`);
  });
});
