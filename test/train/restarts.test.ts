import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { fitBestOfRestarts, restartSeed } from '../../src/train/restarts.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const images = blobImages(24, { side: 8, classes: 3, seed: 2 });
const fitOptions = { batchSize: 8, learningRate: 1e-2, progress: 'none' as const };
const create = (seed: number) => new Autoencoder({ architecture: 'dense', layers: [64, 4], codeActivation: 'linear', loss: 'mse', outputActivation: 'linear', seed });

/** A plain fit of one seed, for comparison: its per-epoch losses and its codes of the images. */
async function plainFit(seed: number, epochs: number): Promise<{ losses: number[]; codes: Float32Array }> {
  const method = create(seed);
  const logs = await method.fit(images, { ...fitOptions, epochs, seed });
  const codes = (await method.encode(images)).data as Float32Array;
  method.dispose();
  return { losses: logs.map((l) => l.loss), codes };
}

describe('fitBestOfRestarts', () => {
  it('keeps the candidate of lowest last-trial loss, which then trains exactly as a plain fit of its seed; the others are freed', async () => {
    const before = tf.memory().numTensors;
    const seen: Array<[number, number]> = [];
    const result = await fitBestOfRestarts(create, images, {
      ...fitOptions,
      epochs: 3,
      candidates: 3,
      trialEpochs: 2,
      seed: 5,
      onEpochEnd: (epoch, _logs, candidate) => void seen.push([candidate.index, epoch]),
    });
    expect(result.seeds).toEqual([5, restartSeed(5, 1), restartSeed(5, 2)]);
    expect(new Set(result.seeds).size).toBe(3);
    // Each trial loss is the plain fit's second-epoch loss of that seed; the kept one is the lowest.
    const plains = await Promise.all(result.seeds.map((seed) => plainFit(seed, 3)));
    result.trialLosses.forEach((loss, i) => expect(loss).toBe(plains[i].losses[1]));
    const lowest = result.trialLosses.indexOf(Math.min(...result.trialLosses));
    expect(result.chosen).toBe(lowest);
    expect(seen).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [lowest, 2]]);
    expect(result.method.epochsTrained).toBe(3);
    const codes = (await result.method.encode(images)).data as Float32Array;
    expect(Array.from(codes)).toEqual(Array.from(plains[lowest].codes));
    result.method.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('chooses by the loss: a candidate made worse on purpose is never kept', async () => {
    // Candidate 1 gets a learning rate too small to learn: its trial loss stays at the start's.
    const seeds = [restartSeed(1, 0), restartSeed(1, 1)];
    const slow = (seed: number) => {
      const method = create(seed);
      if (seed === seeds[0]) method.fit = (data, options) => Autoencoder.prototype.fit.call(method, data, { ...options, learningRate: 1e-9 });
      return method;
    };
    const result = await fitBestOfRestarts(slow, images, { ...fitOptions, epochs: 2, trialEpochs: 2, seed: 1 });
    expect(result.chosen).toBe(1);
    expect(result.trialLosses[0]).toBeGreaterThan(result.trialLosses[1]);
    result.method.dispose();
  });

  it('one candidate is a plain fit', async () => {
    const result = await fitBestOfRestarts(create, images, { ...fitOptions, epochs: 2, candidates: 1, trialEpochs: 1, seed: 3 });
    const plain = await plainFit(3, 2);
    expect(result.chosen).toBe(0);
    expect(result.trialLosses).toEqual([plain.losses[0]]);
    expect(Array.from((await result.method.encode(images)).data)).toEqual(Array.from(plain.codes));
    result.method.dispose();
  });

  it('refuses bad options by name, and frees every candidate when a fit fails', async () => {
    const bad: Array<[unknown, unknown, RegExp]> = [
      [create, { epochs: 2, trialEpochs: 3 }, /trialEpochs \(3\) must not exceed epochs \(2\)/],
      [create, { epochs: 2, candidates: 0 }, /fitBestOfRestarts: candidates/],
      [create, { epochs: 1.5 }, /fitBestOfRestarts: epochs/],
      [create, {}, /fitBestOfRestarts: epochs/],
      [create, null, /fitBestOfRestarts: options must be an object/],
      [null, { epochs: 1 }, /create must be a function/],
      [() => 5, { epochs: 1 }, /create must return a method/],
    ];
    for (const [creator, options, message] of bad) {
      await expect(fitBestOfRestarts(creator as never, images, options as never)).rejects.toThrow(message);
    }
    expect(() => restartSeed(Number.NaN, 0)).toThrow(/restartSeed: seed/);
    expect(() => restartSeed(1, -1)).toThrow(/restartSeed: index/);
    const before = tf.memory().numTensors;
    const failing = fitBestOfRestarts(create, images, {
      ...fitOptions,
      epochs: 2,
      trialEpochs: 1,
      onEpochEnd: (_epoch, _logs, candidate) => {
        if (candidate.index === 1) throw new Error('stop here');
      },
    });
    await expect(failing).rejects.toThrow('stop here');
    expect(tf.memory().numTensors).toBe(before);
  });
});
