/**
 * The MINE encoder learns: on synthetic spot images (3 classes) a linear probe on its 3-d codes
 * reaches accuracy ≥ 0.9 on held-out images, well above its random initialisation, and planted
 * bugs keep it below.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { iicMnistAugment } from '../../../src/data/augment/iic_views.js';
import { createRandom } from '../../../src/data/random.js';
import { MineEncoder } from '../../../src/methods/mine_encoder.js';
import type { MineEncoderOptions } from '../../../src/methods/mine_encoder.js';
import { MineMovingAverage } from '../../../src/methods/mine_moving_average.js';
import { stopGradient } from '../../../src/nn/stop_gradient.js';
import type { BatchLossResult, TrainingBatch } from '../../../src/train/unsupervised_method.js';
import { probeAccuracy, rawPixelProbeAccuracy, syntheticImages } from '../../helpers/synthetic_images.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const train = syntheticImages(192, { noise: 0.2, seed: 1 });
const test = syntheticImages(96, { noise: 0.2, seed: 2 });
const views = { centerCrop: 12, outputSize: 12, randomCropSizes: [10, 12], maxRotationDegrees: 10 };
const options: MineEncoderOptions = { backbone: [8, 'M', 16, 'M'], latentSize: 3, statisticsUnits: 64, views, seed: 1 };
const THRESHOLD = 0.9;

/** Trains for 20 epochs (60 steps of 64 images, about 1.5 s) and returns the held-out linear-probe accuracy. */
async function trainedAccuracy(method: MineEncoder): Promise<number> {
  await method.fit(train, { epochs: 20, batchSize: 64, learningRate: 3e-3, progress: 'none' });
  const accuracy = await probeAccuracy(method, train, test);
  method.dispose();
  return accuracy;
}

/**
 * The MINE encoder's loss written out again from its public parts (views, encoder, statistics
 * network, {@link MineMovingAverage}), with switchable bugs: `unshuffledMarginal` feeds the joint
 * pairs (z, z′) as the marginal samples instead of (z, z′ shuffled); `detach` stops the gradient at
 * the codes, so only the statistics network learns. With neither it must learn like the method.
 */
class RewrittenMineEncoder extends MineEncoder {
  private readonly pairedViews = iicMnistAugment(views);
  private readonly average = new MineMovingAverage();

  constructor(private readonly bug: { unshuffledMarginal?: boolean; detach?: boolean }) {
    super(options);
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const images = batch.inputs as tf.Tensor4D;
    const n = images.shape[0];
    let codes = this.encoder!.apply(tf.concat([this.pairedViews.clean(images), this.pairedViews.transformed(images, batch.seed)], 0), { training: true }) as tf.Tensor2D;
    if (this.bug.detach) codes = stopGradient(codes);
    const z = codes.slice([0, 0], [n, -1]);
    const zt = codes.slice([n, 0], [n, -1]);
    const marginal = this.bug.unshuffledMarginal ? zt : tf.gather(zt, tf.tensor1d(createRandom(batch.seed + 3).permutation(n), 'int32'));
    const t = this.statistics!.apply(tf.concat([tf.concat([z, zt], 1), tf.concat([z, marginal], 1)], 0), { training: true }) as tf.Tensor2D;
    const { loss, lowerBound } = this.average.loss(t.slice([0, 0], [n, 1]), t.slice([n, 0], [n, 1]), this.config);
    return { loss, metrics: { lowerBound } };
  }

  protected override afterOptimizerStep(batch: TrainingBatch): void {
    super.afterOptimizerStep(batch);
    this.average.commit();
  }

  override dispose(): void {
    this.average.dispose();
    super.dispose();
  }
}

/** Wrong sign: minimises the mutual-information bound instead of maximising it. */
class NegatedMineEncoder extends MineEncoder {
  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const result = super.batchLoss(batch) as { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
    return { loss: tf.neg(result.loss), metrics: result.metrics };
  }
}

describe('the MINE encoder learns the classes of synthetic images', () => {
  it(`a linear probe on its codes reaches held-out accuracy ≥ ${THRESHOLD}, above its random initialisation, without leaking tensors`, async () => {
    const untrained = new MineEncoder(options).initialize(train);
    const initial = await probeAccuracy(untrained, train, test);
    untrained.dispose();
    const pixels = await rawPixelProbeAccuracy(train, test);
    const before = tf.memory().numTensors;
    const accuracy = await trainedAccuracy(new MineEncoder(options));
    expect(tf.memory().numTensors).toBe(before);
    console.log(`MineEncoder: probe accuracy ${accuracy.toFixed(3)} (random init ${initial.toFixed(3)}, raw pixels ${pixels.toFixed(3)}, threshold ${THRESHOLD})`);
    expect(accuracy).toBeGreaterThanOrEqual(THRESHOLD);
    expect(accuracy - initial).toBeGreaterThan(0.05);
  });

  it('the rewritten loss used by the mutations below learns too (the control)', async () => {
    expect(await trainedAccuracy(new RewrittenMineEncoder({}))).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it('fails with the marginal samples not shuffled', async () => {
    expect(await trainedAccuracy(new RewrittenMineEncoder({ unshuffledMarginal: true }))).toBeLessThan(THRESHOLD);
  });

  it('fails with the gradient detached at the codes (only the statistics network learns)', async () => {
    expect(await trainedAccuracy(new RewrittenMineEncoder({ detach: true }))).toBeLessThan(THRESHOLD);
  });

  it('fails with the wrong sign of the loss (training diverges, or the codes do not separate the classes)', async () => {
    const method = new NegatedMineEncoder(options);
    let accuracy = Number.NaN;
    try {
      accuracy = await trainedAccuracy(method);
    } catch (error) {
      expect((error as Error).message).toMatch(/the loss became (NaN|-?Infinity)/);
      method.dispose();
    }
    expect(accuracy >= THRESHOLD).toBe(false);
  });
});
