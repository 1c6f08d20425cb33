import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { METHODS } from '../../src/cli/method_registry.js';
import { AUTOENCODER_OPTION_TABLE, resolveAutoencoderConfig } from '../../src/methods/autoencoder.js';
import { DEEP_CLUSTER_OPTION_TABLE, resolveDeepClusterConfig } from '../../src/methods/deep_cluster.js';
import { FILTER_DISTINGUISHER_OPTION_TABLE, resolveFilterDistinguisherConfig } from '../../src/methods/filter_distinguisher.js';
import { IIC_OPTION_TABLE, resolveIicConfig } from '../../src/methods/iic.js';
import { MINE_ENCODER_OPTION_TABLE, resolveMineEncoderConfig } from '../../src/methods/mine_encoder.js';
import { RELATIONAL_REASONING_OPTION_TABLE, resolveRelationalReasoningConfig } from '../../src/methods/relational_reasoning.js';
import type { OptionRow } from '../../src/train/option_table.js';

// One source for every flag's range, choices and help: the method module's option table. The
// resolve functions check against it, the CLI's flags are generated from it, and no choice list
// is written a second time anywhere in src/.
const tables: Record<string, Record<string, OptionRow>> = {
  autoencoder: AUTOENCODER_OPTION_TABLE,
  'filter-distinguisher': FILTER_DISTINGUISHER_OPTION_TABLE,
  'relational-reasoning': RELATIONAL_REASONING_OPTION_TABLE,
  iic: IIC_OPTION_TABLE,
  mine: MINE_ENCODER_OPTION_TABLE,
  deepcluster: DEEP_CLUSTER_OPTION_TABLE,
};

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [readFileSync(file, 'utf8')] : [];
  });
}

describe("a method's option table", () => {
  for (const [name, table] of Object.entries(tables)) {
    it(`${name}: the CLI's flags are its rows, in order, with their kinds, ranges, choices and help`, () => {
      const specs = METHODS[name].options.map(({ name: flag, kind, min, exclusiveMin, choices, placeholder, description }) => ({ flag, kind, min, exclusiveMin, choices, placeholder, description }));
      const rows = Object.values(table).map(({ flag, kind, min, exclusiveMin, choices, placeholder, description }) => ({ flag, kind, min, exclusiveMin, choices, placeholder, description }));
      expect(specs).toEqual(rows);
    });
  }

  it('is what the resolve functions check against (their messages name the range or choices of the row)', () => {
    expect(() => resolveIicConfig({ numClusters: IIC_OPTION_TABLE.numClusters.min - 1 })).toThrow(`IIC: numClusters must be an integer ≥ ${IIC_OPTION_TABLE.numClusters.min}, got 1.`);
    expect(() => resolveIicConfig({ headSchedule: 'sometimes' as 'joint' })).toThrow("IIC: headSchedule must be 'alternate' or 'joint', got 'sometimes'.");
    expect(() => resolveIicConfig({ subHeads: 0 })).toThrow('IIC: subHeads must be a positive integer, got 0.');
    expect(() => resolveDeepClusterConfig({ balance: 'skewed' as 'uniform' })).toThrow("DeepCluster: balance must be 'uniform' or 'weighted', got 'skewed'.");
    expect(() => resolveDeepClusterConfig({ pcaComponents: 0 })).toThrow('DeepCluster: pcaComponents must be a positive integer, got 0.');
    expect(() => resolveMineEncoderConfig({ latentSize: 0 })).toThrow('MineEncoder: latentSize must be a positive integer, got 0.');
    expect(() => resolveRelationalReasoningConfig({ views: 1 })).toThrow('RelationalReasoning: views (K) must be an integer ≥ 2, got 1.');
    expect(() => resolveRelationalReasoningConfig({ aggregation: 'min' as 'max' })).toThrow("RelationalReasoning: aggregation must be 'cat', 'sum', 'mean' or 'max', got 'min'.");
    expect(() => resolveRelationalReasoningConfig({ backbone: 'vgg' as 'conv4' })).toThrow("RelationalReasoning: backbone must be 'conv4' or 'resnet', got 'vgg' (or give your own tf.LayersModel, or a function building one).");
    expect(() => resolveFilterDistinguisherConfig({ hiddenChannels: 0 })).toThrow('FilterDistinguisher: hiddenChannels must be a positive integer, got 0.');
    expect(() => resolveAutoencoderConfig({ architecture: 'rnn' as 'dense' })).toThrow("Autoencoder: architecture must be 'dense' or 'conv', got 'rnn'.");
  });

  it('holds the only copy of each choice list in src/', () => {
    const text = sources(src).join('\n');
    for (const table of Object.values(tables)) {
      for (const row of Object.values(table)) {
        if (row.choices === undefined) continue;
        const literal = `[${row.choices.map((c) => `'${c}'`).join(', ')}]`;
        const copies = text.split(literal).length - 1;
        // The table's own literal, or a named constant it refers to (RelationalReasoning's AGGREGATIONS).
        expect(copies, `${row.flag}: ${literal}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
