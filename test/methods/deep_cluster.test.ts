import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { kmeans } from '../../src/cluster/kmeans.js';
import { uniformClusterSampler } from '../../src/data/cluster_sampler.js';
import { DeepCluster } from '../../src/methods/deep_cluster.js';
import { clusterAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { nmi } from '../../src/metrics/nmi.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('faiss-style empty-cluster split (what DeepCluster clusters with)', () => {
  it('gives an empty cluster a perturbed copy of a populated centroid, the original perturbed the other way', () => {
    const x = [[0.9, 1], [1.1, 1], [1, 0.9], [1, 1.1], [4.9, 5], [5.1, 5], [5, 4.9], [5, 5.1]];
    const e = 1 / 1024;
    const result = kmeans(x, 3, { initialization: [[1, 1], [5, 5], [100, 100]], emptyClusterStrategy: 'split', maxIterations: 1, seed: 3 });
    expect(result.emptyClusterEvents).toBe(1);
    const [c0, c1, c2] = result.centroids;
    // The copy went to cluster 2; the source (blob at 1 or at 5) moved the opposite way.
    const source = Math.abs(c2[0] - 1) < 0.1 ? c0 : c1;
    const m = source === c0 ? 1 : 5;
    expect(c2[0]).toBeCloseTo(m * (1 + e), 12);
    expect(c2[1]).toBeCloseTo(m * (1 - e), 12);
    expect(source[0]).toBeCloseTo(m * (1 - e), 12);
    expect(source[1]).toBeCloseTo(m * (1 + e), 12);
    expect(Array.from(result.clusterSizes).sort()).toEqual([2, 2, 4]);
  });
});

describe('uniformClusterSampler', () => {
  it('draws every non-empty cluster equally often, with replacement only for small clusters', () => {
    // Cluster 0: 10 rows, cluster 1: 3 rows, cluster 2: empty, cluster 3: 7 rows.
    const assignments = [...Array(10).fill(0), ...Array(3).fill(1), ...Array(7).fill(3)];
    const drawn = uniformClusterSampler(assignments, 4, 18, 5);
    expect(drawn).toHaveLength(18);
    const perCluster = [0, 0, 0, 0];
    for (const row of drawn) perCluster[assignments[row]]++;
    expect(perCluster).toEqual([6, 6, 0, 6]);
    // Cluster 0 (10 ≥ 6 rows) is sampled without replacement: 6 distinct rows.
    expect(new Set(Array.from(drawn).filter((r) => assignments[r] === 0)).size).toBe(6);
    // Cluster 1 (3 < 6 rows) must repeat rows.
    expect(new Set(Array.from(drawn).filter((r) => assignments[r] === 1)).size).toBeLessThanOrEqual(3);
    expect(Array.from(uniformClusterSampler(assignments, 4, 18, 5))).toEqual(Array.from(drawn));
    expect(() => uniformClusterSampler([0, 5], 4, 2, 0)).toThrow(/assignment 5 of row 1 is not in \[0, 4\)/);
  });
});

describe('DeepCluster', () => {
  const data = blobImages(60, { side: 8, classes: 3, seed: 4 });
  const options = { numClusters: 3, backbone: [4, 'M', 8, 'M', 8, 'M'] as Array<number | 'M'>, featureSize: 16, pcaComponents: 8, seed: 1 };

  it('re-clusters every epoch, logs stability and label scores, and leaks no tensors', async () => {
    const method = new DeepCluster(options);
    // The pseudo-labels of every epoch, as the epoch ends (the next epoch replaces them).
    const epochAssignments: Int32Array[] = [];
    const keepAssignments = () => {
      epochAssignments.push(Int32Array.from(method.assignments!));
    };
    const logs = await method.fit(data, { epochs: 1, batchSize: 20, progress: 'none', onEpochEnd: keepAssignments });
    expect(method.clusterHistory).toHaveLength(1);
    expect(Number.isNaN(method.clusterHistory[0].stabilityNmi)).toBe(true);
    expect(method.clusterHistory[0].clusterSizes.reduce((a, b) => a + b, 0)).toBe(60);
    // The label scores are those of the epoch's pseudo-labels. (That DeepCluster learns is checked
    // in test/methods/learning/deep_cluster.test.ts, with planted bugs that fail it.)
    expect(logs[0].labelNmi).toBeCloseTo(nmi(data.labels!, epochAssignments[0]), 12);
    expect(logs[0].labelAccuracy).toBeCloseTo(clusterAccuracy(data.labels!, epochAssignments[0]).accuracy, 12);
    const before = tf.memory().numTensors;
    const more = await method.fit(data, { epochs: 2, batchSize: 20, progress: 'none', onEpochEnd: keepAssignments });
    expect(tf.memory().numTensors).toBe(before);
    expect(method.clusterHistory).toHaveLength(3);
    // Stability: NMI between an epoch's pseudo-labels and the previous epoch's.
    expect(more[0].stabilityNmi).toBeCloseTo(nmi(epochAssignments[0], epochAssignments[1]), 12);
    expect(more[1].stabilityNmi).toBeCloseTo(nmi(epochAssignments[1], epochAssignments[2]), 12);
    const predicted = await method.predict(data);
    expect(predicted).toHaveLength(60);
    expect(Math.max(...predicted)).toBeLessThan(3);
    const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-dc-'));
    await method.save(directory);
    const loaded = await DeepCluster.load(directory);
    expect(Array.from(await loaded.predict(data))).toEqual(Array.from(predicted));
    expect(loaded.clusterHistory).toHaveLength(3);
    rmSync(directory, { recursive: true, force: true });
    loaded.dispose();
    method.dispose();
  });

  it('trains with class-weighted cross-entropy and Sobel input too', async () => {
    const method = new DeepCluster({ ...options, balance: 'weighted', sobel: true });
    const logs = await method.fit(data, { epochs: 2, batchSize: 20, progress: 'none' });
    expect(logs.every((l) => Number.isFinite(l.loss))).toBe(true);
    method.dispose();
  });

  it('trains on random crops by default, on the plain images with augmentation none; a method saved before the option loads with none', async () => {
    expect(new DeepCluster(options).config.augmentation).toBe('random-crop');
    // Same seed, same data: the crops make the losses differ from the plain images' and repeat exactly.
    const lossesOf = async (augmentation?: 'random-crop' | 'none') => {
      const method = new DeepCluster({ ...options, augmentation });
      const logs = await method.fit(data, { epochs: 2, batchSize: 20, progress: 'none' });
      method.dispose();
      return logs.map((l) => l.loss);
    };
    const cropped = await lossesOf();
    expect(await lossesOf('random-crop')).toEqual(cropped);
    const plain = await lossesOf('none');
    expect(plain[1]).not.toBe(cropped[1]);
    expect(() => new DeepCluster({ augmentation: 'flip' as 'none' })).toThrow("DeepCluster: augmentation must be 'random-crop' or 'none', got 'flip'.");

    // A method.json from before the option has no augmentation in its config: it trained on plain images, and loads so.
    const method = new DeepCluster({ ...options, augmentation: 'none' });
    await method.fit(data, { epochs: 1, batchSize: 20, progress: 'none' });
    const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-dc-legacy-'));
    await method.save(directory);
    const file = path.join(directory, 'method.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
    expect(saved.config.augmentation).toBe('none');
    delete saved.config.augmentation;
    writeFileSync(file, JSON.stringify(saved));
    const loaded = await DeepCluster.load(directory);
    expect(loaded.config.augmentation).toBe('none');
    loaded.dispose();
    // A method saved with the default keeps it.
    const cropping = new DeepCluster(options);
    await cropping.fit(data, { epochs: 1, batchSize: 20, progress: 'none' });
    await cropping.save(directory);
    const reloaded = await DeepCluster.load(directory);
    expect(reloaded.config.augmentation).toBe('random-crop');
    reloaded.dispose();
    cropping.dispose();
    method.dispose();
    rmSync(directory, { recursive: true, force: true });
  });

  it('rejects k > n and bad options with clear messages', async () => {
    await expect(new DeepCluster({ ...options, numClusters: 61 }).fit(data, { epochs: 1, progress: 'none' })).rejects.toThrow(/numClusters \(61\) is larger than the dataset \(60 images\)/);
    expect(() => new DeepCluster({ numClusters: 1 })).toThrow(/numClusters must be an integer ≥ 2/);
    expect(() => new DeepCluster({ balance: 'none' as 'uniform' })).toThrow(/balance must be/);
    await expect(new DeepCluster().predict(data)).rejects.toThrow(/no clustering yet/);
  });
});
