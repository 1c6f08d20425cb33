/**
 * The filter distinguisher learns: on synthetic spot images each level's stopping signal (the mean
 * max |cos| between its maps) starts above the threshold and its stage brings it below, and
 * planted bugs keep it above.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { FilterDistinguisher } from '../../../src/methods/filter_distinguisher.js';
import type { FilterDistinguisherOptions } from '../../../src/methods/filter_distinguisher.js';
import { stopGradient } from '../../../src/nn/stop_gradient.js';
import { filterDistinguisherLoss } from '../../../src/losses/filter_distinguisher_loss.js';
import type { BatchLossResult, TrainingBatch } from '../../../src/train/unsupervised_method.js';
import { syntheticImages } from '../../helpers/synthetic_images.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const data = syntheticImages(64, { side: 12, noise: 0.2, seed: 1 });
const THRESHOLD = 0.4;
const options: FilterDistinguisherOptions = { channels: [1, 4, 4], hiddenChannels: 8, threshold: THRESHOLD, window: 5, seed: 0 };

/** Trains both levels (at most 640 samples each) and returns every stage's signal after it, measured by `signal` on 64 images. */
async function signalsAfter(method: FilterDistinguisher): Promise<{ before: number[]; after: number[] }> {
  await method.fit(data, { samplesPerLevel: 640, batchSize: 16, learningRate: 1e-2, progress: 'none' });
  const before = method.stages.map((s) => s.signalBefore);
  const after: number[] = [];
  for (let level = 0; level < method.depth; level++) after.push(await method.signal(data, level));
  method.dispose();
  return { before, after };
}

/** Wrong sign: pushes the maps towards each other instead of apart. */
class NegatedFilterDistinguisher extends FilterDistinguisher {
  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const result = super.batchLoss(batch) as { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
    return { loss: tf.neg(result.loss), metrics: result.metrics };
  }
}

/**
 * The filter distinguisher's loss written out again from its public parts (`levels`,
 * {@link filterDistinguisherLoss}; the stage's level count read from its parameter group's name),
 * with a switchable bug: `detach` makes the loss see the maps through {@link stopGradient}, so no
 * weight moves. Without it, it must learn like the method.
 */
class RewrittenFilterDistinguisher extends FilterDistinguisher {
  private trainedLevels = 0;

  constructor(private readonly bug: { detach?: boolean }) {
    super(options);
  }

  protected override parameterGroups() {
    const groups = super.parameterGroups();
    this.trainedLevels = Number(groups[0].name.replace('stage', ''));
    return groups;
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    let maps = batch.inputs;
    for (let level = 0; level < this.trainedLevels; level++) maps = this.levels[level].apply(maps, { training: true }) as tf.Tensor;
    const { loss, maxAbsCosine } = filterDistinguisherLoss((this.bug.detach ? stopGradient(maps) : maps) as tf.Tensor4D);
    return { loss, metrics: { maxAbsCosine } };
  }
}

describe('the filter distinguisher learns to separate its maps', () => {
  it(`brings every level’s max |cos| from above the threshold ${THRESHOLD} to below it, without leaking tensors`, async () => {
    const before = tf.memory().numTensors;
    const signals = await signalsAfter(new FilterDistinguisher(options));
    expect(tf.memory().numTensors).toBe(before);
    console.log(`FilterDistinguisher: max|cos| ${signals.before.map((b, i) => `${b.toFixed(3)} → ${signals.after[i].toFixed(3)}`).join(', ')} (threshold ${THRESHOLD})`);
    for (const value of signals.before) expect(value).toBeGreaterThan(THRESHOLD);
    for (const value of signals.after) expect(value).toBeLessThan(THRESHOLD);
  });

  it('fails with the wrong sign of the loss', async () => {
    const { after } = await signalsAfter(new NegatedFilterDistinguisher(options));
    expect(after.every((value) => value < THRESHOLD)).toBe(false);
  });

  it('the rewritten loss used by the mutation below learns too (the control)', async () => {
    const { after } = await signalsAfter(new RewrittenFilterDistinguisher({}));
    expect(after.every((value) => value < THRESHOLD)).toBe(true);
  });

  it('fails with the gradient detached at the maps', async () => {
    const { after } = await signalsAfter(new RewrittenFilterDistinguisher({ detach: true }));
    expect(after.every((value) => value < THRESHOLD)).toBe(false);
  });
});
