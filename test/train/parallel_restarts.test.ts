import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import * as os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { IIC } from '../../src/methods/iic.js';
import { fitBestOfRestartsInWorkers } from '../../src/train/parallel_restarts.js';
import type { RestartableMethodClass } from '../../src/train/parallel_restarts.js';
import { fitBestOfRestarts } from '../../src/train/restarts.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  // Two threads here, one in each worker: the values must not depend on it.
  await initBackend({ backend: 'wasm', threads: 2 });
});

const images = blobImages(24, { side: 8, classes: 3, seed: 2 });
const autoencoderOptions = { architecture: 'dense' as const, layers: [64, 4], codeActivation: 'linear' as const, loss: 'mse' as const, outputActivation: 'linear' as const };
const fitOptions = { batchSize: 8, learningRate: 1e-2, progress: 'none' as const };

/** Every weight of a method's models, concatenated. */
function weights(method: { models(): Record<string, tf.LayersModel | undefined> }): number[] {
  return Object.values(method.models()).flatMap((model) => model!.getWeights().flatMap((w) => Array.from(w.dataSync())));
}
const modelsOf = (method: unknown) => method as { models(): Record<string, tf.LayersModel | undefined> };

/** Temporary run folders of the restarts left in the system's temporary directory. */
const leftovers = () => readdirSync(os.tmpdir()).filter((name) => name.startsWith('tfjs-unsupervised-restarts-')).length;

describe('fitBestOfRestartsInWorkers', () => {
  it('trains exactly as fitBestOfRestarts (trial losses, choice, callbacks, final weights), frees what it loaded and leaves no files', async () => {
    const restart = { ...fitOptions, epochs: 3, candidates: 3, trialEpochs: 2, seed: 5 };
    const sequentialSeen: Array<[number, number, number, number]> = [];
    const sequential = await fitBestOfRestarts((seed) => new Autoencoder({ ...autoencoderOptions, seed }), images, {
      ...restart,
      onEpochEnd: async (epoch, logs, candidate) => void sequentialSeen.push([candidate.index, epoch, logs.loss, (await candidate.method.encode(images)).data[0]]),
    });
    const before = tf.memory().numTensors;
    const folders = leftovers();
    const parallelSeen: Array<[number, number, number, number]> = [];
    const parallel = await fitBestOfRestartsInWorkers(Autoencoder, autoencoderOptions, images, {
      ...restart,
      threadsPerWorker: 1,
      onEpochEnd: async (epoch, logs, candidate) => void parallelSeen.push([candidate.index, epoch, logs.loss, (await candidate.method.encode(images)).data[0]]),
    });
    expect(parallel.seeds).toEqual(sequential.seeds);
    expect(parallel.trialLosses).toEqual(sequential.trialLosses);
    expect(parallel.chosen).toBe(sequential.chosen);
    expect(parallelSeen).toEqual(sequentialSeen);
    expect(weights(modelsOf(parallel.method))).toEqual(weights(modelsOf(sequential.method)));
    expect(parallel.method.epochsTrained).toBe(3);
    parallel.method.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(leftovers()).toBe(folders);
    sequential.method.dispose();
  });

  it('IIC: the same trial losses and weights as in turn, without onEpochEnd (one checkpoint per candidate)', async () => {
    const mnistLike = blobImages(64, { side: 28, classes: 4, seed: 3 });
    const iicOptions = { backbone: 'small', subHeads: 1, overclusterClusters: 0, numClusters: 4, repeats: 1 } as const;
    const restart = { batchSize: 32, learningRate: 1e-3, progress: 'none' as const, epochs: 2, candidates: 2, trialEpochs: 1, seed: 1 };
    const sequential = await fitBestOfRestarts((seed) => new IIC({ ...iicOptions, seed }), mnistLike, restart);
    const parallel = await fitBestOfRestartsInWorkers(IIC, iicOptions, mnistLike, restart);
    expect(parallel.trialLosses).toEqual(sequential.trialLosses);
    expect(parallel.chosen).toBe(sequential.chosen);
    expect(weights(modelsOf(parallel.method))).toEqual(weights(modelsOf(sequential.method)));
    parallel.method.dispose();
    sequential.method.dispose();
  }, 120_000);

  it('refuses what cannot reach a worker, naming it, before any worker starts', async () => {
    const restart = { ...fitOptions, epochs: 2 };
    class OwnMethod extends Autoencoder {}
    await expect(fitBestOfRestartsInWorkers(OwnMethod as unknown as RestartableMethodClass<Autoencoder>, autoencoderOptions, images, restart)).rejects.toThrow(/methodClass must be one of the library's image methods/);
    await expect(fitBestOfRestartsInWorkers(Autoencoder, { ...autoencoderOptions, layers: [64, Number.NaN] }, images, restart)).rejects.toThrow(/options\.layers is not JSON/);
    await expect(fitBestOfRestartsInWorkers(Autoencoder, autoencoderOptions, images, { ...restart, learningRateSchedule: () => 1 } as never)).rejects.toThrow(/learningRateSchedule cannot be passed to a worker thread/);
    await expect(fitBestOfRestartsInWorkers(Autoencoder, autoencoderOptions, images, { ...restart, trialEpochs: 3 })).rejects.toThrow(/trialEpochs \(3\) must not exceed epochs \(2\)/);
    await expect(fitBestOfRestartsInWorkers(Autoencoder, autoencoderOptions, images, { ...restart, threadsPerWorker: 0 })).rejects.toThrow(/threadsPerWorker/);
    await expect(fitBestOfRestartsInWorkers(Autoencoder, { ...autoencoderOptions, layers: [] }, images, restart)).rejects.toThrow(/Autoencoder: a layer list needs at least two widths/);
  });

  it('a candidate that fails in its worker fails the call with its message, naming the candidate; no files are left', async () => {
    const folders = leftovers();
    const before = tf.memory().numTensors;
    // 8x8 images leave IIC's small VGG a 0x0 map: the worker's fit throws (its first candidate first).
    await expect(fitBestOfRestartsInWorkers(IIC, { backbone: 'small' }, images, { epochs: 2, seed: 4, onEpochEnd: () => undefined })).rejects.toThrow(
      /^fitBestOfRestartsInWorkers: candidate [01] \(seed -?\d+\): IIC \(backbone on 7x7 views of 8x8 images\): layer 'iic_backbone_pool5'/,
    );
    expect(leftovers()).toBe(folders);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('an onEpochEnd that throws stops the workers and fails the call with its error', async () => {
    const folders = leftovers();
    await expect(
      fitBestOfRestartsInWorkers(Autoencoder, autoencoderOptions, images, {
        ...fitOptions,
        epochs: 3,
        trialEpochs: 2,
        onEpochEnd: () => {
          throw new Error('stop here');
        },
      }),
    ).rejects.toThrow('stop here');
    expect(leftovers()).toBe(folders);
  });
});
