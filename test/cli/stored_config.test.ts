import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { METHODS } from '../../src/cli/method_registry.js';
import { iicViewsForShape } from '../../src/data/augment/iic_views.js';
import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from './helpers.js';

// run.json stores the resolved configuration (issue 19): `methodConfig` is the method's `config`
// after defaults (IIC's views included), the learning rate is the one used, and --resume builds
// the method from the stored configuration (the checkpoint's), never by resolving flags again.
const root = temporaryDirectory('tfjs-unsupervised-stored-config-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const iic = ['iic', '--limit', '32', '--batch-size', '16', '--backbone', '4,M,8', '--clusters', '3', '--overcluster', '0', '--sub-heads', '1', '--backend', 'cpu', '--progress', 'none'];

type Json = Record<string, unknown>;
const readJsonFile = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

async function latestModel(run: string): Promise<{ config: Json; weights: Record<string, Buffer> }> {
  const { latest } = await findLatestCheckpoint(run);
  expect(latest).toBeDefined();
  const saved = readJsonFile(path.join(latest!.modelDirectory, 'method.json'));
  const weights: Record<string, Buffer> = {};
  for (const name of readdirSync(latest!.modelDirectory)) if (name.endsWith('.bin')) weights[name] = readFileSync(path.join(latest!.modelDirectory, name));
  return { config: saved.config as Json, weights };
}

describe('run.json stores the resolved configuration', () => {
  it('a new run writes methodConfig (the checkpoint\'s config, views included) and the learning rate it used', async () => {
    const run = path.join(root, 'new');
    const trained = await runCli('train', ...iic, '--epochs', '1', '--out', run);
    expect(trained.code, trained.stderr).toBe(0);
    const config = readJsonFile(path.join(run, 'run.json'));
    const { config: saved } = await latestModel(run);
    expect(config.methodConfig).toEqual(saved);
    expect(config.methodConfig).toMatchObject({ numClusters: 3, overclusterClusters: 0, subHeads: 1, headSchedule: 'joint', lambda: 1.5 });
    // IIC's views for 28x28 images, chosen when the run began.
    expect((config.methodConfig as Json).views).toEqual(JSON.parse(JSON.stringify(iicViewsForShape([28, 28, 1]))));
    // The CPU recipe's learning rate, a number (not null: "the method's default").
    expect(config.learningRate).toBe(1e-3);
  }, 60_000);

  it('--resume trains with the stored configuration even when the flags would resolve differently today', async () => {
    const resumed = path.join(root, 'resumed');
    const whole = path.join(root, 'whole');
    expect((await runCli('train', ...iic, '--epochs', '1', '--out', resumed)).code).toBe(0);
    const before = readJsonFile(path.join(resumed, 'run.json'));
    // The flags in run.json now say something else, and building the method from flags fails:
    // a resume that resolved them again would train another method, or fail.
    writeFileSync(path.join(resumed, 'run.json'), JSON.stringify({ ...before, methodOptions: { ...(before.methodOptions as Json), lambda: 3, clusters: 7 } }));
    const entry = METHODS.iic;
    const create = entry.create;
    entry.create = () => {
      throw new Error('resume resolved the flags again');
    };
    let again;
    try {
      again = await runCli('train', 'iic', '--out', resumed, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    } finally {
      entry.create = create;
    }
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resuming .* \(1 epoch done\), target 2 epochs/);
    expect((await runCli('train', ...iic, '--epochs', '2', '--out', whole)).code).toBe(0);
    const [a, b] = [await latestModel(resumed), await latestModel(whole)];
    expect(a.config).toEqual(before.methodConfig);
    expect(a.config).toEqual(b.config);
    expect(a.weights).toEqual(b.weights);
    expect(readJsonFile(path.join(resumed, 'run.json')).methodConfig).toEqual(before.methodConfig);
  }, 120_000);

  it('--resume refuses a run whose stored configuration no longer matches its checkpoint', async () => {
    const run = path.join(root, 'edited');
    expect((await runCli('train', ...iic, '--epochs', '1', '--out', run)).code).toBe(0);
    const config = readJsonFile(path.join(run, 'run.json'));
    writeFileSync(path.join(run, 'run.json'), JSON.stringify({ ...config, methodConfig: { ...(config.methodConfig as Json), lambda: 3 } }));
    const refused = await runCli('train', 'iic', '--out', run, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--resume: run\.json's methodConfig and epoch-000001's configuration differ in lambda; the run directory was changed after it began\. Restore run\.json, or start over with --overwrite\./);
  }, 60_000);

  it('filter-distinguisher without --epochs: no epoch target in run.json, the level budget in its options', async () => {
    const run = path.join(root, 'levels');
    const trained = await runCli('train', 'filter-distinguisher', '--limit', '32', '--batch-size', '16', '--channels', '4,2', '--hidden-channels', '4', '--samples-per-level', '32', '--backend', 'cpu', '--progress', 'none', '--out', run);
    expect(trained.code, trained.stderr).toBe(0);
    const config = readJsonFile(path.join(run, 'run.json'));
    expect(config).toMatchObject({ epochs: null, batchSize: 16, methodOptions: { 'samples-per-level': 32 }, methodConfig: { channels: [1, 4, 2], hiddenChannels: 4 } });
    expect(trained.stdout).toMatch(/training filter-distinguisher on .*: levels of 32 samples, batch 16/);
    expect(trained.stdout).not.toMatch(/--epochs/);
    const again = await runCli('train', '--out', run, '--resume', '--backend', 'cpu', '--progress', 'none');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/target all levels/);
    expect(again.stdout).toMatch(/nothing to train: .* \(target all levels\)/);
    const counted = await runCli('train', '--out', run, '--resume', '--epochs', '3', '--backend', 'cpu', '--progress', 'none');
    expect(counted.code).toBe(2);
    expect(counted.stderr).toMatch(/--resume: filter-distinguisher trains in levels, not epochs; its --epochs set the level budget \(--samples-per-level 32\) when the run began\. Leave --epochs out\./);
  }, 60_000);
});
