import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { ImageMethod } from '../../src/train/image_method.js';
import type { BatchLossResult, BatchEndLogs, EpochLogs, TrainingBatch } from '../../src/train/unsupervised_method.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

let instances = 0;

/** A linear map trained to reproduce the mean pixel: small enough to run many fits. */
class LinearMethod extends ImageMethod {
  readonly name = 'Linear';
  weights: tf.Variable | undefined;
  private readonly instance = instances++;

  protected override build(dataset: ImageDataset): void {
    const d = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
    this.weights = tf.tidy(() => tf.variable(tf.randomNormal([d, 1], 0, 0.1, 'float32', this.seed), true, `linear_w_${this.instance}`));
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const x = batch.inputs.reshape([batch.indices.length, -1]);
    return tf.losses.meanSquaredError(tf.mean(x, 1, true), tf.matMul(x, this.weights!)) as tf.Scalar;
  }

  protected override trainableVariables(): tf.Variable[] {
    return [this.weights!];
  }

  override dispose(): void {
    this.weights?.dispose();
    super.dispose();
  }
}

const data = blobImages(64, { side: 4, classes: 2, seed: 0 });
const quiet = { batchSize: 16, learningRate: 0.05, progress: 'none' } as const;

describe('fit on a tf.Tensor', () => {
  it('trains exactly as on the same images as a dataset, and leaves the tensor to its owner', async () => {
    const fromDataset = new LinearMethod({ seed: 1 });
    const datasetLogs = await fromDataset.fit(data, { ...quiet, epochs: 2 });
    const images = tf.tensor4d(data.images, [data.size, ...data.shape]);
    const before = tf.memory().numTensors;
    const fromTensor = new LinearMethod({ seed: 1 });
    const tensorLogs = await fromTensor.fit(images, { ...quiet, epochs: 2 });
    expect(tensorLogs.map((l) => l.loss)).toEqual(datasetLogs.map((l) => l.loss));
    expect(Array.from(await fromTensor.weights!.data())).toEqual(Array.from(await fromDataset.weights!.data()));
    expect(images.isDisposed).toBe(false);
    // The method's weight and its Adam moments (and iteration count) are the only new tensors.
    const methodTensors = tf.memory().numTensors - before;
    await fromTensor.fit(images, { ...quiet, epochs: 1 });
    expect(tf.memory().numTensors - before).toBe(methodTensors);
    fromDataset.dispose();
    fromTensor.dispose();
    images.dispose();
  });

  it('takes integer tensors as float images', async () => {
    const method = new LinearMethod({ seed: 2 });
    const ints = tf.zeros([8, 4, 4, 1], 'int32');
    const logs = await method.fit(ints, { ...quiet, epochs: 1 });
    expect(logs[0].loss).toBe(0);
    ints.dispose();
    method.dispose();
  });

  it('checks the tensor as a dataset is checked, with errors that name the problem', async () => {
    const method = new LinearMethod();
    const withNaN = tf.tensor4d([0, 0.5, Number.NaN, 1], [1, 2, 2, 1]);
    await expect(method.fit(withNaN, { ...quiet, epochs: 1 })).rejects.toThrow(/Linear\.fit: image 0 has a non-finite value \(NaN\) at position 2/);
    const outOfRange = tf.fill([2, 2, 2, 1], 300);
    await expect(method.fit(outOfRange, { ...quiet, epochs: 1 })).rejects.toThrow(/Linear\.fit/);
    const flat = tf.zeros([4, 16]);
    await expect(method.fit(flat, { ...quiet, epochs: 1 })).rejects.toThrow(/expected images \[n, height, width, channels\], got a tensor of shape \[4,16\]/);
    const disposed = tf.zeros([2, 2, 2, 1]);
    disposed.dispose();
    await expect(method.fit(disposed, { ...quiet, epochs: 1 })).rejects.toThrow(/Linear\.fit: the input tensor is disposed/);
    const empty = tf.zeros([0, 2, 2, 1]);
    await expect(method.fit(empty, { ...quiet, epochs: 1 })).rejects.toThrow(/empty/);
    expect(method.isBuilt).toBe(false);
    tf.dispose([withNaN, outOfRange, flat, empty]);
    method.dispose();
  });
});

describe('fit callbacks in TF.js shape', () => {
  it('calls onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd and onTrainEnd in order, beside the older options', async () => {
    const method = new LinearMethod({ seed: 3 });
    await method.fit(data, { ...quiet, epochs: 1 });
    const events: string[] = [];
    const batchLogs: BatchEndLogs[] = [];
    const epochLogs: EpochLogs[] = [];
    const before = tf.memory().numTensors;
    const logs = await method.fit(data, {
      ...quiet,
      epochs: 2,
      onEpochEnd: (epoch) => void events.push(`option epochEnd ${epoch}`),
      onBatchEnd: (step, epoch) => void events.push(`option batchEnd ${epoch}.${step}`),
      callbacks: [
        {
          onTrainBegin: () => void events.push('trainBegin'),
          onEpochBegin: (epoch) => void events.push(`epochBegin ${epoch}`),
          onBatchEnd: (batch, batchLog) => {
            events.push(`batchEnd ${batchLog!.epoch}.${batch}`);
            batchLogs.push(batchLog!);
          },
          onEpochEnd: async (epoch, epochLog) => {
            events.push(`epochEnd ${epoch}`);
            epochLogs.push(epochLog!);
          },
          onTrainEnd: (trainLog) => void events.push(`trainEnd ${trainLog!.epoch}`),
        },
        { onEpochEnd: (epoch) => void events.push(`second epochEnd ${epoch}`) },
      ],
    });
    expect(tf.memory().numTensors).toBe(before);
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      ...[0, 1, 2, 3].flatMap((s) => [`option batchEnd ${e}.${s}`, `batchEnd ${e}.${s}`]),
      `option epochEnd ${e}`,
      `epochEnd ${e}`,
      `second epochEnd ${e}`,
    ];
    expect(events).toEqual(['trainBegin', ...epoch(1), ...epoch(2), 'trainEnd 2']);
    // Each step's loss is read for onBatchEnd; the epoch's loss is their mean.
    expect(batchLogs.map((l) => l.size)).toEqual(Array(8).fill(16));
    const meanOfSteps = batchLogs.slice(0, 4).reduce((sum, l) => sum + l.loss, 0) / 4;
    expect(epochLogs[0].loss).toBeCloseTo(meanOfSteps, 6);
    expect(logs[0]).toEqual(epochLogs[0]);
    method.dispose();
  });

  it('stops after the step in which a callback sets method.stopTraining, and a later fit trains again', async () => {
    const method = new LinearMethod({ seed: 4 });
    const logs = await method.fit(data, {
      ...quiet,
      epochs: 5,
      callbacks: {
        onBatchEnd: (batch, batchLog) => {
          if (batchLog!.epoch === 1 && batch === 1) method.stopTraining = true;
        },
      },
    });
    // Epoch 0 (4 steps) and two steps of epoch 1.
    expect(logs).toHaveLength(2);
    expect(method.globalStep).toBe(6);
    expect(method.epochsTrained).toBe(2);
    const again = await method.fit(data, { ...quiet, epochs: 1 });
    expect(again).toHaveLength(1);
    expect(method.globalStep).toBe(10);
    method.dispose();
  });

  it('early-stops on the epoch loss with a callback of its own or with tf.callbacks.earlyStopping', async () => {
    const method = new LinearMethod({ seed: 5 });
    // Stop once the epoch loss improves by less than 1 % (training converges within 20 epochs).
    let best = Number.POSITIVE_INFINITY;
    const logs = await method.fit(data, {
      ...quiet,
      epochs: 200,
      callbacks: {
        onEpochEnd: (_epoch, epochLog) => {
          if (epochLog!.loss > best * 0.99) method.stopTraining = true;
          best = Math.min(best, epochLog!.loss);
        },
      },
    });
    expect(logs.length).toBeGreaterThan(2);
    expect(logs.length).toBeLessThan(200);
    expect(logs.at(-1)!.loss).toBeGreaterThan(logs.at(-2)!.loss * 0.99);
    method.dispose();

    // TF.js's own callback: with a minimum improvement no epoch reaches, it stops after patience + 1 epochs.
    const withTfCallback = new LinearMethod({ seed: 5 });
    const stopped = await withTfCallback.fit(data, { ...quiet, epochs: 50, callbacks: tf.callbacks.earlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e9 }) });
    expect(stopped).toHaveLength(3);
    withTfCallback.dispose();
  });

  it('FilterDistinguisher takes a tensor and stops inside a stage, which the next fit continues', async () => {
    const images = tf.tensor4d(data.images, [data.size, ...data.shape]);
    const options = { samplesPerLevel: 32, batchSize: 8, progress: 'none' } as const;
    const reference = new FilterDistinguisher({ channels: [1, 2, 2], hiddenChannels: 2, kernelSize: 3, seed: 1 });
    await reference.fit(data, options);
    const fromTensor = new FilterDistinguisher({ channels: [1, 2, 2], hiddenChannels: 2, kernelSize: 3, seed: 1 });
    await fromTensor.fit(images, options);
    expect(fromTensor.stages).toEqual(reference.stages);

    const stopped = new FilterDistinguisher({ channels: [1, 2, 2], hiddenChannels: 2, kernelSize: 3, seed: 1 });
    await stopped.fit(images, { ...options, callbacks: { onBatchEnd: () => void (stopped.stopTraining = true) } });
    expect(stopped.stages).toHaveLength(0);
    expect(stopped.globalStep).toBe(1);
    await stopped.fit(images, options);
    expect(stopped.stages.map((stage) => stage.level)).toEqual([0, 1]);
    for (const method of [reference, fromTensor, stopped]) method.dispose();
    images.dispose();
  });

  it('rejects callbacks that are not objects of functions', async () => {
    const method = new LinearMethod();
    await expect(method.fit(data, { ...quiet, epochs: 1, callbacks: (() => undefined) as never })).rejects.toThrow(/Linear\.fit: callbacks must be an object of callback functions/);
    await expect(method.fit(data, { ...quiet, epochs: 1, callbacks: [{ onEpochEnd: 3 as never }] })).rejects.toThrow(/Linear\.fit: callbacks\[0\]\.onEpochEnd must be a function, got number/);
    await expect(method.fit(data, { ...quiet, epochs: 1, callbacks: [null as never] })).rejects.toThrow(/callbacks\[0\] must be an object/);
    expect(method.isBuilt).toBe(false);
    method.dispose();
  });
});
