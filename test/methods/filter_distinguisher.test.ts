import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { blobImages } from '../helpers/synthetic.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const data = blobImages(64, { side: 8, classes: 4, seed: 2 });
const weights = (m: FilterDistinguisher, level: number) => m.levels[level].getWeights().map((w) => Array.from(w.dataSync()));

describe('FilterDistinguisher', () => {
  it('trains level by level, lowering each level’s stopping signal, with earlier levels frozen', async () => {
    const method = new FilterDistinguisher({ channels: [1, 6, 4], hiddenChannels: 8, threshold: 0.01, seed: 0 });
    method.initialize(data);
    const level0Initial = weights(method, 0);
    const level1Initial = weights(method, 1);
    let level0AfterStage1: number[][] = [];
    const lines: string[] = [];
    const logs = await method.fit(data, {
      samplesPerLevel: 640,
      batchSize: 8,
      learningRate: 3e-3,
      progress: { mode: 'lines', stream: { write: (text: string) => lines.push(text) } },
      onEpochEnd: () => {
        if (method.stages.length === 0) level0AfterStage1 = weights(method, 0);
      },
    });
    expect(method.stages.map((s) => s.level)).toEqual([0, 1]);
    expect(new Set(logs.map((l) => l.level))).toEqual(new Set([0, 1]));
    for (const stage of method.stages) {
      expect(stage.samples).toBe(640);
      expect(stage.stoppedBySignal).toBe(false);
      expect(stage.signalAfter).toBeLessThan(stage.signalBefore);
    }
    // Each level's summary line, printed through the fit's progress display.
    const summaries = lines.filter((l) => /^level \d: max\|cos\| /.test(l));
    expect(summaries).toEqual(method.stages.map((s) => `level ${s.level + 1}: max|cos| ${s.signalBefore.toFixed(3)} → ${s.signalAfter.toFixed(3)}\n`));
    // Stage 1 changed level 0 only; stage 2 changed level 1 only.
    expect(level0AfterStage1).not.toEqual(level0Initial);
    expect(weights(method, 0)).toEqual(level0AfterStage1);
    expect(weights(method, 1)).not.toEqual(level1Initial);
    const codes = await method.encode(data);
    expect([codes.rows, codes.cols]).toEqual([64, 8 * 8 * 4]);
    method.dispose();
  });

  it('trains earlier levels too when they are not frozen, and stops a stage on the signal', async () => {
    const method = new FilterDistinguisher({ channels: [1, 4, 3], hiddenChannels: 4, freezeEarlierLevels: false, threshold: 1, window: 3, seed: 1 });
    method.initialize(data);
    const level0 = weights(method, 0);
    await method.fit(data, { samplesPerLevel: 10_000, batchSize: 4, progress: 'none' });
    // max |cos| < 1 always: each stage ends after exactly `window` batches.
    expect(method.stages.map((s) => [s.samples, s.stoppedBySignal])).toEqual([[12, true], [12, true]]);
    expect(weights(method, 0)).not.toEqual(level0);
    method.dispose();
  });

  it('does not leak tensors and rejects bad configurations', async () => {
    const method = new FilterDistinguisher({ channels: [1, 3], hiddenChannels: 4, seed: 2 });
    method.initialize(data);
    const before = tf.memory().numTensors;
    await method.fit(data, { samplesPerLevel: 64, batchSize: 8, progress: 'none' });
    await method.encode(data);
    expect(tf.memory().numTensors).toBe(before);
    method.dispose();
    expect(() => new FilterDistinguisher({ channels: [1] })).toThrow(/at least one level/);
    expect(() => new FilterDistinguisher({ channels: [1, 1] })).toThrow(/at least 2 output channels/);
    expect(() => new FilterDistinguisher({ threshold: 0 })).toThrow(/threshold must be in \(0, 1\]/);
    await expect(new FilterDistinguisher({ channels: [3, 4] }).fit(data)).rejects.toThrow(/channels\[0\] is 3 but the images have 1 channel/);
  });
});
