import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { viewsForShape } from '../../src/cli/method_registry.js';
import { mnistDirectory } from '../../src/data/mnist.js';
import { runCli, temporaryDirectory } from './helpers.js';

const root = temporaryDirectory();
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A CIFAR-10-format folder of random images: `records` per batch file. */
function fakeCifar10(folder: string, records: number): void {
  mkdirSync(folder, { recursive: true });
  let state = 1;
  const byte = () => (state = (state * 1103515245 + 12345) % 2 ** 31) % 256;
  for (const name of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
    const bytes = new Uint8Array(records * 3073);
    for (let r = 0; r < records; r++) {
      bytes[r * 3073] = r % 10;
      for (let i = 1; i < 3073; i++) bytes[r * 3073 + i] = byte();
    }
    writeFileSync(path.join(folder, name), bytes);
  }
}

describe('CLI datasets', () => {
  it('trains and evaluates on cifar10:<dir> (32x32x3: the input width and IIC views adapt)', async () => {
    const cifar = path.join(root, 'cifar-10-batches-bin');
    fakeCifar10(cifar, 20);
    const ae = path.join(root, 'cifar-ae');
    const trained = await runCli('train', 'autoencoder', '--dataset', `cifar10:${root}`, '--limit', '40', '--epochs', '1', '--layers', '16,4', '--batch-size', '20', '--backend', 'cpu', '--progress', 'none', '--out', ae);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/on cifar10-train \(40 images, 32x32x3\)/);
    const run = JSON.parse(readFileSync(path.join(ae, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ dataset: `cifar10:${root}`, trainImages: 40, shape: [32, 32, 3], methodOptions: { layers: '16,4' } });
    const evaluated = await runCli('eval', ae, '--limit', '20', '--backend', 'cpu');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/cifar10:.* test split, 20 images/);

    expect(viewsForShape([32, 32, 3])).toEqual({ centerCrop: 23, outputSize: 27, randomCropSizes: [18, 23, 27] });
    expect(viewsForShape([28, 28, 1])).toEqual({});
    const iic = await runCli('train', 'iic', '--dataset', `cifar10:${cifar}`, '--limit', '20', '--epochs', '1', '--backbone', '4,M', '--sub-heads', '1', '--overcluster', '0', '--lambda', '1.5', '--backend', 'cpu', '--progress', 'none', '--out', path.join(root, 'cifar-iic'));
    expect(iic.code, iic.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(root, 'cifar-iic', 'checkpoints', 'epoch-000001', 'model', 'method.json'), 'utf8'));
    expect(saved.config).toMatchObject({ lambda: 1.5, subHeads: 1, overclusterClusters: 0, views: { centerCrop: 23, outputSize: 27 } });
  });

  it('reads idx:<dir> (MNIST-named IDX files, e.g. Fashion-MNIST) and names a folder that lacks them', async () => {
    const trained = await runCli('train', 'autoencoder', '--dataset', `idx:${mnistDirectory()}`, '--limit', '32', '--epochs', '1', '--layers', '8', '--backend', 'cpu', '--progress', 'none', '--out', path.join(root, 'idx'));
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/on data-train \(32 images, 28x28x1\)/);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const missing = await runCli('train', 'autoencoder', '--dataset', `idx:${empty}`, '--backend', 'cpu', '--progress', 'none', '--out', path.join(root, 'idx2'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot load the train split of idx:.*empty: loadMnist: .*train-images-idx3-ubyte not found/);
    const stl = await runCli('train', 'autoencoder', '--dataset', `stl10:${empty}`, '--backend', 'cpu', '--progress', 'none', '--out', path.join(root, 'stl'));
    expect(stl.code).toBe(2);
    expect(stl.stderr).toMatch(/Cannot load the train split of stl10:.*train_X\.bin/);
  });
});
