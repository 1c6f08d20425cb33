import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { aggregatePairs, RelationalReasoning, relationPairs } from '../../src/methods/relational_reasoning.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-relational-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** 12x12 images: three classes lighting different thirds, plus noise. */
const data: ImageDataset = blobImages(48, { side: 12, classes: 3, seed: 1 });
const tiny = { channels: [4, 8], headUnits: 16, views: 3, seed: 0 };

describe('relationPairs', () => {
  it('builds K(K−1)/2·b positives (same image, views i < j) and as many negatives (never the same image)', () => {
    for (const [b, k] of [[2, 2], [5, 4], [8, 3], [3, 6]]) {
      const { first, second, labels, positives } = relationPairs(b, k);
      const pairsOfViews = (k * (k - 1)) / 2;
      expect(positives).toBe(pairsOfViews * b);
      expect(first).toHaveLength(2 * positives);
      expect(second).toHaveLength(2 * positives);
      expect(Array.from(labels.subarray(0, positives)).every((l) => l === 1)).toBe(true);
      expect(Array.from(labels.subarray(positives)).every((l) => l === 0)).toBe(true);
      const seenViewPairs = new Set<string>();
      for (let p = 0; p < 2 * positives; p++) {
        const [v1, i1, v2, i2] = [Math.floor(first[p] / b), first[p] % b, Math.floor(second[p] / b), second[p] % b];
        expect(v1).toBeLessThan(v2);
        expect(second[p]).toBeLessThan(k * b);
        if (p < positives) {
          expect(i1).toBe(i2);
          seenViewPairs.add(`${v1},${v2}`);
        } else {
          expect(i1).not.toBe(i2);
        }
      }
      expect(seenViewPairs.size).toBe(pairsOfViews);
      // Each negative block is a permutation of the images: every image appears once as a second element.
      for (let pair = 0; pair < pairsOfViews; pair++) {
        const block = Array.from(second.subarray(positives + pair * b, positives + (pair + 1) * b), (r) => r % b).sort((x, y) => x - y);
        expect(block).toEqual(Array.from({ length: b }, (_, i) => i));
      }
    }
  });

  it('rolls the second view by a shift 1 + (pair mod (b − 1)), as the reference code', () => {
    const b = 3;
    const { first, second, positives } = relationPairs(b, 4);
    // Six view pairs: shifts 1, 2, 1, 2, 1, 2; torch.roll(x, s)[i] = x[(i − s) mod b].
    for (let pair = 0; pair < 6; pair++) {
      const shift = 1 + (pair % 2);
      for (let i = 0; i < b; i++) {
        const row = positives + pair * b + i;
        expect(first[row] % b).toBe(i);
        expect(second[row] % b).toBe((i - shift + b) % b);
      }
    }
  });

  it('rejects batches that cannot form negatives and fewer than two views', () => {
    expect(() => relationPairs(1, 4)).toThrow(/batchSize must be an integer ≥ 2/);
    expect(() => relationPairs(4, 1)).toThrow(/views must be an integer ≥ 2, got 1/);
  });

  it('aggregates pairs by concatenation, sum, mean and maximum', async () => {
    const a = tf.tensor2d([[1, -2]]);
    const b = tf.tensor2d([[3, 4]]);
    expect(await aggregatePairs(a, b, 'cat').array()).toEqual([[1, -2, 3, 4]]);
    expect(await aggregatePairs(a, b, 'sum').array()).toEqual([[4, 2]]);
    expect(await aggregatePairs(a, b, 'mean').array()).toEqual([[2, 1]]);
    expect(await aggregatePairs(a, b, 'max').array()).toEqual([[3, 4]]);
    expect(() => aggregatePairs(a, b, 'min' as 'max')).toThrow(/aggregation must be 'cat', 'sum', 'mean' or 'max', got 'min'/);
    tf.dispose([a, b]);
  });
});

describe('RelationalReasoning', () => {
  it('learns to relate views (loss falls, pair accuracy rises), leaks nothing, and round-trips through save / load', async () => {
    const method = new RelationalReasoning(tiny);
    const first = await method.fit(data, { epochs: 1, batchSize: 16, learningRate: 3e-3, progress: 'none' });
    expect(method.globalStep).toBe(3);
    const before = tf.memory().numTensors;
    const logs = await method.fit(data, { epochs: 5, batchSize: 16, learningRate: 3e-3, progress: 'none' });
    expect(tf.memory().numTensors).toBe(before);
    expect(logs[4].loss).toBeLessThan(first[0].loss);
    // That the backbone learns is checked in test/methods/learning/relational_reasoning.test.ts
    // (held-out linear-probe accuracy ≥ 0.9, and planted bugs that fail it). The logged pair
    // accuracy is the mean over 3 batches of the share of 2·K(K−1)/2·b = 96 pairs: a multiple of 1/288.
    for (const l of logs) expect(Math.abs(l.accuracy * 288 - Math.round(l.accuracy * 288))).toBeLessThan(1e-3);
    const codes = await method.encode(data);
    expect([codes.rows, codes.cols]).toEqual([48, 8]);
    await method.save(path.join(directory, 'rr'));
    const loaded = await RelationalReasoning.load(path.join(directory, 'rr'));
    expect(loaded.config).toEqual(method.config);
    expect(loaded.epochsTrained).toBe(6);
    const again = await loaded.encode(data);
    again.data.forEach((v, i) => expect(v).toBeCloseTo(codes.data[i], 4));
    // A loaded model keeps training.
    await loaded.fit(data, { epochs: 1, batchSize: 16, stepsPerEpoch: 1, progress: 'none' });
    method.dispose();
    loaded.dispose();
  });

  it('trains with focal loss, other aggregations, a ResNet and RGB images (colour augmentations)', async () => {
    const focal = new RelationalReasoning({ ...tiny, loss: 'focal', aggregation: 'max' });
    const logs = await focal.fit(data, { epochs: 1, batchSize: 24, progress: 'none' });
    expect(Number.isFinite(logs[0].loss)).toBe(true);
    focal.dispose();
    const rgb: ImageDataset = { images: new Float32Array(8 * 10 * 10 * 3).map((_, i) => ((i * 37) % 101) / 100), shape: [10, 10, 3], size: 8 };
    const net = new RelationalReasoning({ backbone: 'resnet', channels: [4, 8], blocks: [1, 1], headUnits: 8, aggregation: 'mean', views: 2, seed: 1 });
    expect(net.resolveAugment(3).colorJitter).not.toBeNull();
    const rgbLogs = await net.fit(rgb, { epochs: 1, batchSize: 4, progress: 'none' });
    expect(Number.isFinite(rgbLogs[0].loss)).toBe(true);
    expect((await net.encode(rgb)).cols).toBe(8);
    net.dispose();
  });

  it('augments every view differently but reproducibly from the batch seed', async () => {
    const method = new RelationalReasoning({ ...tiny, views: 2 }).initialize(data);
    const images = tf.tensor4d(data.images.subarray(0, 4 * 144), [4, 12, 12, 1]);
    const a = method.augmentBatch(images, 7);
    const b = method.augmentBatch(images, 7);
    expect(a.shape).toEqual([8, 12, 12, 1]);
    const av = await a.data();
    expect(Array.from(await b.data())).toEqual(Array.from(av));
    expect(Array.from(av.subarray(0, 4 * 144))).not.toEqual(Array.from(av.subarray(4 * 144)));
    tf.dispose([images, a, b]);
    method.dispose();
  });

  it('merges a last batch of one image into the one before (negatives need two images)', async () => {
    const method = new RelationalReasoning(tiny);
    const seven = { ...data, images: data.images.subarray(0, 7 * 144), labels: data.labels!.subarray(0, 7), size: 7 };
    await method.fit(seven, { epochs: 1, batchSize: 3, progress: 'none' });
    expect(method.globalStep).toBe(2);
    await expect(method.fit({ ...seven, images: seven.images.subarray(0, 144), labels: undefined, size: 1 }, { epochs: 1, progress: 'none' })).rejects.toThrow(/needs at least 2 images/);
    method.dispose();
  });

  it('rejects bad options with clear errors', async () => {
    expect(() => new RelationalReasoning({ views: 1 })).toThrow(/views \(K\) must be an integer ≥ 2, got 1/);
    expect(() => new RelationalReasoning({ aggregation: 'min' as 'max' })).toThrow(/aggregation must be 'cat', 'sum', 'mean' or 'max', got 'min'/);
    expect(() => new RelationalReasoning({ loss: 'mse' as 'bce' })).toThrow(/loss must be 'bce' or 'focal', got 'mse'/);
    expect(() => new RelationalReasoning({ backbone: 'vgg' as 'conv4' })).toThrow(/backbone must be 'conv4' or 'resnet', got 'vgg'/);
    expect(() => new RelationalReasoning({ backbone: 'resnet', channels: [8, 16], blocks: [1] })).toThrow(/one entry per ResNet stage/);
    expect(() => new RelationalReasoning({ focalAlpha: 2 })).toThrow(/focalAlpha must be in \[0, 1\], got 2/);
    expect(() => new RelationalReasoning({ augment: { cropScale: [0.5, 2] } })).toThrow(/cropScale must be \[min, max\]/);
    expect(() => new RelationalReasoning({ augment: 'imagenet' as 'cifar' })).toThrow(/augment must be 'auto', 'mnist', 'cifar'/);
    await expect(new RelationalReasoning(tiny).encode(data)).rejects.toThrow(/not trained yet/);
    await expect(new RelationalReasoning(tiny).save(directory)).rejects.toThrow(/not trained yet/);
  });
});
