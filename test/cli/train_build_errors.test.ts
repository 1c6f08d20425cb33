import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { loadMnist } from '../../src/data/mnist.js';
import { fitMethod, METHODS, normalizeMethodOptions, resolveMethodOptions } from '../../src/cli/method_registry.js';
import type { MethodName } from '../../src/cli/method_registry.js';
import { runCli, temporaryDirectory } from './helpers.js';

// `train` builds the method's networks before it writes run.json: options the build refuses
// (here: backbones that shrink 28x28 MNIST to 0x0) are usage errors (exit 2) that leave no run.
// wasm is the backend the issue saw crash; the build refuses before any tensor op runs.
const root = temporaryDirectory();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TOO_DEEP: Record<string, string[]> = {
  iic: ['train', 'iic', '--backbone', '4,M,4,M,4,M,4,M,4,M', '--sub-heads', '1', '--overcluster', '0', '--limit', '64', '--epochs', '1', '--batch-size', '32'],
  'relational-reasoning': ['train', 'relational-reasoning', '--channels', '4,4,4,4,4', '--limit', '64', '--epochs', '1', '--batch-size', '16', '--views', '2'],
};
const EXPECTED_MESSAGE: Record<string, RegExp> = {
  iic: /error: iic: IIC \(backbone on 24x24 views of 28x28 images\): layer 'iic_backbone_pool9' receives a 1x1 feature map .* use at most 4 'M' \(max-pool\) entries/,
  'relational-reasoning': /error: relational-reasoning: RelationalReasoning \(conv4 backbone\): layer 'relational_conv4_pool4' receives a 1x1 feature map .* use at most 4 blocks/,
};
const common = ['--backend', 'wasm', '--progress', 'none'];

/** Every file under `directory` with its bytes (to see that nothing changed). */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(directory, full), readFileSync(full).toString('base64'));
    }
  };
  walk(directory);
  return files;
}

describe('train: a backbone too deep for the images', () => {
  for (const method of Object.keys(TOO_DEEP)) {
    it(`${method}: exits 2 naming the layer and the fix, and leaves no run folder`, async () => {
      const out = path.join(root, `new-${method}`, 'nested');
      const result = await runCli(...TOO_DEEP[method]!, ...common, '--out', out);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(EXPECTED_MESSAGE[method]!);
      expect(result.stderr).toMatch(/Run 'tfjs-unsupervised train --help' for usage\./);
      expect(result.stdout).not.toMatch(/training /);
      // The topmost folder the run created goes too.
      expect(existsSync(path.join(root, `new-${method}`))).toBe(false);
    });
  }

  it('leaves a folder that existed before as it was: empty, or an earlier run under --overwrite', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const first = await runCli(...TOO_DEEP.iic!, ...common, '--out', empty);
    expect(first.code, first.stderr).toBe(2);
    expect(readdirSync(empty)).toEqual([]);

    const earlier = path.join(root, 'earlier');
    const trained = await runCli('train', 'autoencoder', '--layers', '8,4', '--limit', '32', '--epochs', '1', '--batch-size', '16', ...common, '--out', earlier);
    expect(trained.code, trained.stderr).toBe(0);
    const before = snapshot(earlier);
    expect([...before.keys()]).toContain('run.json');
    const second = await runCli(...TOO_DEEP['relational-reasoning']!, ...common, '--overwrite', '--out', earlier);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(EXPECTED_MESSAGE['relational-reasoning']!);
    expect(snapshot(earlier)).toEqual(before);
  });

  it('the same backbones one block shallower train (the check refuses only what cannot work)', async () => {
    const out = path.join(root, 'shallower');
    const result = await runCli('train', 'iic', '--backbone', '4,M,4,M,4,M,4,M', '--sub-heads', '1', '--overcluster', '0', '--limit', '64', '--epochs', '1', '--steps-per-epoch', '1', '--batch-size', '32', ...common, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(out, 'checkpoints', 'epoch-000001'))).toBe(true);
  });
});

describe('building before fit (as train now does) changes no weight', () => {
  // One tiny setting per method; a method built first and one built by fit end bit-identical.
  const tiny: Record<MethodName, Record<string, string | boolean>> = {
    autoencoder: { layers: '8,4' },
    'filter-distinguisher': { channels: '2,2', 'hidden-channels': '4', 'samples-per-level': '32' },
    'relational-reasoning': { channels: '4,4', views: '2', 'head-units': '8' },
    iic: { backbone: '4,M,4,M', 'sub-heads': '1', overcluster: '0' },
    mine: { latent: '4', 'statistics-units': '8' },
    deepcluster: { clusters: '3', 'feature-size': '8', pca: '4' },
  };

  for (const name of Object.keys(tiny) as MethodName[]) {
    it(name, async () => {
      await initBackend({ backend: 'wasm' });
      const dataset = await loadMnist({ split: 'train', limit: 32 });
      const entry = METHODS[name];
      const options = resolveMethodOptions(entry, normalizeMethodOptions(entry, tiny[name]));
      const weights = async (buildFirst: boolean): Promise<Float32Array[]> => {
        const method = entry.create({ seed: 4, shape: dataset.shape, options });
        try {
          if (buildFirst) method.initialize(dataset);
          await fitMethod(entry, method, dataset, { batchSize: 16, seed: 4, stepsPerEpoch: 2, progress: { mode: 'none' } }, 1, options);
          const directory = path.join(root, `${name}-${String(buildFirst)}`);
          await method.save(directory);
          return readdirSync(directory)
            .filter((file) => file.endsWith('.bin'))
            .sort()
            .map((file) => new Float32Array(new Uint8Array(readFileSync(path.join(directory, file))).buffer));
        } finally {
          method.dispose();
        }
      };
      const before = tf.memory().numTensors;
      const built = await weights(true);
      const unbuilt = await weights(false);
      expect(built.length).toBeGreaterThan(0);
      expect(built).toEqual(unbuilt);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
