import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { ImageMethod } from '../../src/train/image_method.js';
import type { BatchLossResult, EpochLogs, ParameterGroup, TrainingBatch } from '../../src/train/unsupervised_method.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

let instances = 0;

/** A minimal method: a linear map trained to reproduce the mean pixel, with a logged metric. */
class TinyMethod extends ImageMethod {
  readonly name = 'Tiny';
  weights: tf.Variable | undefined;
  head: tf.Variable | undefined;
  epochStarts: number[] = [];
  lossScale = 1;
  headGroupVersion = 0;
  readonly instance = instances++;

  protected override build(dataset: ImageDataset): void {
    const d = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
    this.weights = tf.tidy(() => tf.variable(tf.randomNormal([d, 1], 0, 0.1, 'float32', this.seed), true, `tiny_w_${this.instance}`));
    this.head = tf.tidy(() => tf.variable(tf.ones([1]), true, `tiny_head_${this.instance}_0`));
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const x = batch.inputs.reshape([batch.indices.length, -1]);
    const prediction = tf.mul(tf.matMul(x, this.weights!), this.head!);
    const target = tf.mean(x, 1, true);
    const loss = tf.mul(tf.losses.meanSquaredError(target, prediction), this.lossScale) as tf.Scalar;
    return { loss, metrics: { predictionMean: tf.mean(prediction) as tf.Scalar } };
  }

  protected override parameterGroups(): ParameterGroup[] {
    return [
      { name: 'weights', variables: [this.weights!] },
      { name: 'head', variables: [this.head!], learningRate: 1e-2 },
    ];
  }

  /** Replaces the head by a new variable (as DeepCluster does each epoch). */
  replaceHead(): void {
    this.head!.dispose();
    this.headGroupVersion++;
    this.head = tf.tidy(() => tf.variable(tf.ones([1]), true, `tiny_head_${this.instance}_${this.headGroupVersion}`));
  }

  protected override async onEpochStart(epoch: number): Promise<void> {
    this.epochStarts.push(epoch);
  }

  protected override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    logs.custom = 42;
  }

  override dispose(): void {
    this.weights?.dispose();
    this.head?.dispose();
    super.dispose();
  }
}

const data = blobImages(64, { side: 4, classes: 2, seed: 0 });

describe('UnsupervisedMethod.fit (the shared training loop)', () => {
  it('lowers the loss, logs metrics, runs the hooks and counts epochs across calls', async () => {
    const method = new TinyMethod({ seed: 1 });
    const seen: number[] = [];
    const logs = await method.fit(data, { epochs: 5, batchSize: 16, learningRate: 0.05, progress: 'none', onEpochEnd: (epoch) => void seen.push(epoch) });
    expect(logs.map((l) => l.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(logs[4].loss).toBeLessThan(logs[0].loss / 4);
    expect(logs[0].custom).toBe(42);
    expect(Number.isFinite(logs[0].predictionMean)).toBe(true);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await method.fit(data, { epochs: 2, batchSize: 16, progress: 'none' });
    expect(method.epochStarts).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(method.epochsTrained).toBe(7);
    expect(method.globalStep).toBe(7 * 4);
    expect(method.history).toHaveLength(7);
    method.dispose();
  });

  it('is reproducible for a seed and differs for another', async () => {
    const run = async (seed: number) => {
      const method = new TinyMethod({ seed: 1 });
      await method.fit(data, { epochs: 2, batchSize: 8, seed, progress: 'none' });
      const w = Array.from(await method.weights!.data());
      method.dispose();
      return w;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('does not leak tensors over several steps, and a new variable set gets a fresh optimiser', async () => {
    const method = new TinyMethod({ seed: 2 });
    await method.fit(data, { epochs: 1, batchSize: 16, progress: 'none' });
    const before = tf.memory().numTensors;
    await method.fit(data, { epochs: 3, batchSize: 16, progress: 'none' });
    expect(tf.memory().numTensors).toBe(before);
    method.replaceHead();
    await method.fit(data, { epochs: 1, batchSize: 16, progress: 'none' });
    // The head's old Adam slots were freed with its optimiser, the new head's created: same count.
    expect(tf.memory().numTensors).toBe(before);
    method.dispose();
  });

  it('stops with a clear error when the loss becomes NaN, and rejects bad options and data', async () => {
    const method = new TinyMethod({ seed: 0 });
    method.lossScale = Number.NaN;
    await expect(method.fit(data, { epochs: 1, progress: 'none' })).rejects.toThrow(/loss became NaN in epoch 1/);
    await expect(new TinyMethod().fit(data, { epochs: -1 })).rejects.toThrow(/epochs must be a non-negative integer/);
    await expect(new TinyMethod().fit(data, { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    const empty: ImageDataset = { images: new Float32Array(0), shape: [4, 4, 1], size: 0 };
    await expect(new TinyMethod().fit(empty, { epochs: 1 })).rejects.toThrow(/empty/i);
    const other = blobImages(8, { side: 5 });
    const built = new TinyMethod();
    await built.fit(data, { epochs: 1, progress: 'none' });
    await expect(built.fit(other, { epochs: 1, progress: 'none' })).rejects.toThrow(/built for inputs of shape \[4,4,1\], got \[5,5,1\]/);
    method.dispose();
    built.dispose();
  });

  it('follows a learning-rate schedule per step without resetting the optimiser, and rejects bad factors', async () => {
    // A factor of 0 leaves the weights exactly as initialised.
    const frozen = new TinyMethod({ seed: 3 });
    await frozen.fit(data, { epochs: 1, batchSize: 16, progress: 'none', stepsPerEpoch: 0 });
    const before = await frozen.weights!.data();
    await frozen.fit(data, { epochs: 2, batchSize: 16, progress: 'none', learningRateSchedule: () => 0 });
    expect(Array.from(await frozen.weights!.data())).toEqual(Array.from(before));
    frozen.dispose();

    // Halving the rate after the first epoch: the optimisers keep their step count (moments kept)
    // and end at the scaled rates, the head's own rate scaled too.
    const halved = new TinyMethod({ seed: 3 });
    const factors: number[] = [];
    await halved.fit(data, {
      epochs: 2,
      batchSize: 16,
      learningRate: 0.04,
      progress: 'none',
      learningRateSchedule: (epoch, fraction) => {
        factors.push(epoch + fraction);
        return epoch < 1 ? 1 : 0.5;
      },
    });
    expect(factors).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    const states = await halved.exportOptimizerState();
    const weights = states.find((s) => s.group === 'weights')!;
    const head = states.find((s) => s.group === 'head')!;
    expect(weights.learningRate).toBeCloseTo(0.02, 12);
    expect(head.learningRate).toBeCloseTo(5e-3, 12);
    expect(weights.weights.find((w) => w.name === 'iter')?.values[0]).toBe(8);
    halved.dispose();

    const bad = new TinyMethod();
    await expect(bad.fit(data, { epochs: 1, progress: 'none', learningRateSchedule: () => Number.NaN })).rejects.toThrow(/learning-rate schedule gave NaN at epoch 0, step 0/);
    bad.dispose();
  });

  it('writes one line per epoch in line mode', async () => {
    const method = new TinyMethod();
    const lines: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await method.fit(data, { epochs: 2, batchSize: 32, progress: 'lines' });
    } finally {
      process.stderr.write = original;
    }
    expect(lines.filter((l) => /^Tiny epoch \d\/2 loss /.test(l))).toHaveLength(2);
    method.dispose();
  });
});
