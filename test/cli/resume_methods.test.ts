import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, runCliCrashingAt, temporaryDirectory } from './helpers.js';

// Tiny configurations on the wasm backend: every method with state beyond its weights resumes
// exactly (DeepCluster's pseudo-labels, IIC's sub-head losses, MINE's moving average, the filter
// distinguisher's stage in progress), after a crash at the end of an epoch.
const root = temporaryDirectory();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = ['--limit', '96', '--backend', 'wasm', '--seed', '5'];
const cases: Array<{ name: string; args: string[]; crashAt: number[] }> = [
  { name: 'deepcluster', args: ['--epochs', '3', '--batch-size', '32', '--backbone', '4,M,8', '--feature-size', '16', '--pca', '8', '--clusters', '4'], crashAt: [3] },
  { name: 'iic', args: ['--epochs', '3', '--batch-size', '32', '--backbone', '4,M,8', '--clusters', '4', '--overcluster', '6', '--sub-heads', '2'], crashAt: [2] },
  { name: 'mine', args: ['--epochs', '3', '--batch-size', '32', '--backbone', '4,M,8', '--latent', '4', '--statistics-units', '16'], crashAt: [3] },
  { name: 'relational-reasoning', args: ['--epochs', '3', '--batch-size', '16', '--channels', '4,8', '--views', '2', '--head-units', '8'], crashAt: [2] },
  // Two levels of two epochs each: crash inside a level, and right after the first level's last epoch.
  { name: 'filter-distinguisher', args: ['--batch-size', '16', '--channels', '4,2', '--hidden-channels', '8', '--samples-per-level', '192'], crashAt: [2, 3] },
];

/** The bytes of every file of a checkpoint that must match: weights, optimiser state. */
async function checkpointBytes(run: string): Promise<Record<string, Buffer>> {
  const { latest } = await findLatestCheckpoint(run);
  expect(latest).toBeDefined();
  const files: Record<string, Buffer> = { 'optimizer.bin': readFileSync(path.join(latest!.directory, 'optimizer.bin')) };
  for (const name of readdirSync(latest!.modelDirectory)) if (name.endsWith('.bin')) files[name] = readFileSync(path.join(latest!.modelDirectory, name));
  return files;
}

function metrics(run: string): Array<Record<string, number>> {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number>)
    .map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest);
}

describe('resuming every method after a crash gives the uninterrupted run’s weights', () => {
  for (const { name, args, crashAt } of cases) {
    it(name, async () => {
      const whole = path.join(root, `${name}-whole`);
      const first = await runCli('train', name, ...data, ...args, '--out', whole, '--progress', 'none');
      expect(first.code, first.stderr).toBe(0);
      const expected = await checkpointBytes(whole);
      expect(Object.keys(expected).length).toBeGreaterThan(1);
      for (const crash of crashAt) {
        const run = path.join(root, `${name}-crash${crash}`);
        const crashed = await runCliCrashingAt(crash, 'train', name, ...data, ...args, '--out', run);
        expect(crashed.code).toBe(1);
        expect(crashed.stderr).toMatch(/error: simulated crash/);
        expect((await findLatestCheckpoint(run)).latest?.manifest.epoch).toBe(crash - 1);
        const resumed = await runCli('train', '--out', run, '--resume', '--backend', 'wasm', '--progress', 'none');
        expect(resumed.code, resumed.stderr).toBe(0);
        const actual = await checkpointBytes(run);
        expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
        for (const file of Object.keys(expected)) expect(actual[file].equals(expected[file]), `${file} differs`).toBe(true);
        expect(metrics(run)).toEqual(metrics(whole));
      }
    });
  }
});
