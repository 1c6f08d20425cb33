import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { METHOD_NAMES } from '../../src/cli/method_registry.js';
import { runCli, temporaryDirectory } from './helpers.js';

const root = temporaryDirectory();
const run = path.join(root, 'ae');
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const trained = await runCli('train', 'autoencoder', '--limit', '256', '--epochs', '2', '--layers', '32,8', '--batch-size', '64', '--backend', 'cpu', '--progress', 'lines', '--out', run);
  expect(trained.code, trained.stderr).toBe(0);
  // The backend and device come first; progress lines go to stderr.
  expect(trained.stdout.split('\n')[0]).toBe('backend cpu (cpu) via @tensorflow/tfjs-backend-cpu');
  expect(trained.stdout).toMatch(/training autoencoder on mnist-train \(256 images, 28x28x1\): 2 epochs, batch 64, seed 0/);
  expect(trained.stderr).toMatch(/Autoencoder epoch 1\/2 loss [\d.]+ \(\d+s, \d+ samples\/s\)/);
  expect(trained.stderr).toMatch(/Autoencoder epoch 2\/2 loss/);
});

describe('tfjs-unsupervised usage errors exit with code 2 and a message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['train', 'kmeans'], /Unknown method 'kmeans'; choose one of: autoencoder, filter-distinguisher, relational-reasoning, iic, mine, deepcluster/],
    [['train'], /train needs a method/],
    [['train', 'autoencoder', '--epochs', 'ten'], /--epochs must be a positive integer; got 'ten'/],
    [['train', 'autoencoder', '--epochs', '0'], /--epochs must be ≥ 1; got 0/],
    [['train', 'autoencoder', '--learning-rate=0'], /--learning-rate must be > 0; got 0/],
    [['train', 'autoencoder', '--epochs'], /Option '--epochs <value>' argument missing/],
    [['train', 'autoencoder', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['train', 'autoencoder', '--clusters', '5'], /--clusters does not apply to autoencoder \(its options: --layers, --architecture, --code-size, --loss\)/],
    [['train', 'iic', '--head-schedule', 'sometimes'], /--head-schedule must be one of alternate, joint; got 'sometimes'/],
    [['train', 'iic', '--backbone', '16,X'], /--backbone must be F, small, or a list/],
    [['train', 'iic', '--lambda=-1'], /--lambda must be ≥ 0; got -1/],
    [['train', 'autoencoder', '--backend', 'webgl', '--out', path.join(root, 'x')], /Unknown backend 'webgl'/],
    [['train', 'autoencoder', '--dataset', 'idx:/no/such/folder', '--backend', 'cpu', '--out', path.join(root, 'y')], /--dataset idx:\/no\/such\/folder: the folder \/no\/such\/folder does not exist/],
    [['train', 'autoencoder', '--dataset', 'cifar10', '--backend', 'cpu'], /--dataset cifar10 needs a folder: cifar10:<dir>/],
    [['train', 'autoencoder', '--dataset', 'imagenet', '--backend', 'cpu'], /Unknown dataset 'imagenet'; use mnist \| idx:<dir> \| cifar10:<dir> \| stl10:<dir>/],
    [['train', 'autoencoder', 'iic'], /train takes one method/],
    [['train', 'autoencoder', '--layers', '32,x', '--backend', 'cpu'], /--layers must be a comma-separated list of positive integers/],
    [['eval'], /eval takes one run directory; got none/],
    [['eval', path.join(root, 'missing'), '--backend', 'cpu'], /Run directory .*missing does not exist/],
    [['eval', root, '--backend', 'cpu'], /is not a run directory \(no run\.json\)/],
    [['eval', run, '--split', 'validation'], /--split must be one of test, train; got 'validation'/],
    [['embed', run, '--backend', 'cpu'], /embed needs --out FILE/],
    [['plot', run, '--format', 'gif'], /--format must be one of svg, png, both; got 'gif'/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' ').replace(root, '<tmp>'), async () => {
      const result = await runCli(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/Run 'tfjs-unsupervised (train|eval|embed|plot) --help' for usage\./);
    });
  }

  it('prints help for every command, and per method', async () => {
    for (const command of ['train', 'eval', 'embed', 'plot', 'backend']) {
      const help = await runCli(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: tfjs-unsupervised ${command}`));
    }
    const train = (await runCli('train', '--help')).stdout;
    for (const flag of ['--dataset', '--epochs', '--batch-size', '--limit', '--seed', '--backend', '--out', '--resume', '--overwrite']) expect(train).toContain(flag);
    for (const method of METHOD_NAMES) expect(train).toContain(`${method} options:`);
    const iic = (await runCli('train', 'iic', '--help')).stdout;
    expect(iic).toMatch(/Defaults: --epochs 10, --batch-size 256/);
    expect(iic).toMatch(/--sub-heads N\s+sub-heads per head \(default 2\)/);
    expect(iic).not.toContain('autoencoder options:');
    expect((await runCli('--help')).stdout).toMatch(/Commands:\n {2}train/);
  });
});

describe('train picks its defaults by backend and says so', () => {
  it("trains IIC with the CPU recipe on a CPU backend, prints it and stores it in run.json; --paper needs a paper recipe", async () => {
    const out = path.join(root, 'iic');
    const result = await runCli('train', 'iic', '--limit', '32', '--epochs', '1', '--steps-per-epoch', '1', '--batch-size', '8', '--sub-heads', '1', '--overcluster', '0', '--backend', 'cpu', '--progress', 'none', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/defaults: iic's cpu recipe \(CPU backend; --paper: the paper's\); your flags win/);
    const settings = result.stdout.replace(/\n {2}/g, ' ');
    expect(settings).toMatch(/--epochs 1 --batch-size 8 --learning-rate 0\.001 --backbone small .*--sub-heads 1 --head-schedule joint --repeats 2 --lambda 1\.5/);
    const header = result.stdout.split('\n').filter((line) => line.startsWith('defaults:') || line.startsWith('  '));
    expect(header.length).toBeGreaterThanOrEqual(3);
    for (const line of header) expect(line.length).toBeLessThanOrEqual(80);
    const config = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(config.recipe.name).toBe('cpu');
    expect(config.recipe.note).toMatch(/2-core CPU/);
    expect(config).toMatchObject({ epochs: 1, batchSize: 8, learningRate: 0.001, methodOptions: { backbone: 'small', lambda: 1.5, repeats: 2, 'head-schedule': 'joint', 'sub-heads': 1 } });
    const noPaper = await runCli('train', 'autoencoder', '--paper', '--limit', '32', '--backend', 'cpu', '--out', path.join(root, 'ae-paper'));
    expect(noPaper.code).toBe(2);
    expect(noPaper.stderr).toMatch(/--paper: autoencoder has no paper recipe/);
  });
});

describe('eval, embed and plot on a trained run', () => {
  it('eval scores clusters and probes, prints a table and writes eval.json', async () => {
    const result = await runCli('eval', run, '--limit', '300', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/autoencoder, 2 epochs \(checkpoints\/epoch-000002\), mnist test split, 300 images/);
    // Each score beside the untrained network's (same backbone and seed).
    expect(result.stdout).toMatch(/score\s+trained\s+random init\s+of/);
    expect(result.stdout).toMatch(/accuracy \(Hungarian\)\s+0\.\d{4}\s+0\.\d{4}\s+k-means \(k=10\) on the 8-d embeddings/);
    expect(result.stdout).toMatch(/linear probe accuracy\s+0\.\d{4}\s+0\.\d{4}\s+fitted on 300 train, scored on 300 test images/);
    const report = JSON.parse(readFileSync(path.join(run, 'eval.json'), 'utf8'));
    for (const value of [report.randomInit.clustering.accuracy, report.randomInit.linearProbe.accuracy, report.randomInit.knnProbe.accuracy]) {
      expect(result.stdout).toContain(` ${value.toFixed(4)} `);
    }
    expect(report).toMatchObject({ method: 'autoencoder', split: 'test', images: 300, embeddingSize: 8, epochsTrained: 2, clustering: { source: 'kmeans', clusters: 10 } });
    for (const value of [report.clustering.accuracy, report.clustering.nmi, report.linearProbe.accuracy, report.knnProbe.accuracy]) {
      expect(result.stdout).toContain(` ${value.toFixed(4)} `); // the table shows eval.json's score (learning: test/methods/learning/)
      expect(value).toBeLessThanOrEqual(1);
    }
    // Clustering on the train split, no probes.
    const train = await runCli('eval', run, '--split', 'train', '--limit', '200', '--no-probes', '--backend', 'cpu');
    expect(train.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(run, 'eval.json'), 'utf8'))).not.toHaveProperty('linearProbe');
    const bare = await runCli('eval', run, '--limit', '200', '--no-probes', '--no-baseline', '--backend', 'cpu');
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).not.toContain('random init');
    expect(JSON.parse(readFileSync(path.join(run, 'eval.json'), 'utf8'))).not.toHaveProperty('randomInit');
  });

  it("eval's random-init baseline is the network training started from (same seed)", async () => {
    // A learning rate too small to move the weights: trained and random-init scores coincide.
    const still = path.join(root, 'still');
    const trained = await runCli('train', 'autoencoder', '--limit', '128', '--epochs', '1', '--layers', '16,4', '--batch-size', '64', '--learning-rate', '1e-12', '--seed', '3', '--backend', 'cpu', '--progress', 'none', '--out', still);
    expect(trained.code, trained.stderr).toBe(0);
    const result = await runCli('eval', still, '--limit', '150', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(still, 'eval.json'), 'utf8'));
    expect(report.seed).toBe(3);
    expect(report.randomInit.clustering).toEqual({ accuracy: report.clustering.accuracy, nmi: report.clustering.nmi, ari: report.clustering.ari });
    expect(report.randomInit.linearProbe.accuracy).toBe(report.linearProbe.accuracy);
    expect(report.randomInit.knnProbe.accuracy).toBe(report.knnProbe.accuracy);
  });

  it('embed writes float32 little-endian features with a header and labels', async () => {
    const out = path.join(root, 'features', 'features.bin');
    const result = await runCli('embed', run, '--out', out, '--limit', '50', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    const header = JSON.parse(readFileSync(path.join(root, 'features', 'features.json'), 'utf8'));
    expect(header).toMatchObject({ rows: 50, cols: 8, dtype: 'float32', endianness: 'little', split: 'test', method: 'autoencoder', file: 'features.bin', labels: 'features.labels.bin' });
    const bytes = readFileSync(out);
    expect(bytes.byteLength).toBe(50 * 8 * 4);
    const first = bytes.readFloatLE(0);
    expect(Number.isFinite(first)).toBe(true);
    const labels = readFileSync(path.join(root, 'features', 'features.labels.bin'));
    expect(labels.readInt32LE(0)).toBe(7); // MNIST's first test digit
  });

  it('plot writes the training curves, embedding and confusion matrix', async () => {
    const result = await runCli('plot', run, '--limit', '200', '--format', 'svg', '--backend', 'cpu');
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['training_curves', 'embedding', 'confusion_matrix']) {
      const file = path.join(run, 'plots', `${name}.svg`);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(1000);
      expect(result.stdout).toContain(`${name}.svg`);
    }
  });
});
