/**
 * Relational reasoning learns: on synthetic spot images (3 classes, pixel noise 0.5) a linear probe on its backbone's
 * features reaches accuracy ≥ 0.9 on held-out images, well above the random backbone, and planted
 * bugs keep it below.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { binaryCrossEntropyLoss } from '../../../src/losses/binary_cross_entropy_loss.js';
import { createRandom } from '../../../src/data/random.js';
import { aggregatePairs, RelationalReasoning, relationPairs } from '../../../src/methods/relational_reasoning.js';
import type { RelationalReasoningOptions } from '../../../src/methods/relational_reasoning.js';
import { stopGradient } from '../../../src/nn/stop_gradient.js';
import type { BatchLossResult, TrainingBatch } from '../../../src/train/unsupervised_method.js';
import { probeAccuracy, rawPixelProbeAccuracy, syntheticImages } from '../../helpers/synthetic_images.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const train = syntheticImages(96, { noise: 0.5, seed: 1 });
const test = syntheticImages(96, { noise: 0.5, seed: 2 });
const options: RelationalReasoningOptions = { channels: [8, 16, 16, 16], headUnits: 16, views: 4, seed: 0 };
const THRESHOLD = 0.9;

/** Trains for 20 epochs (60 steps, about 2.5 s) and returns the held-out linear-probe accuracy. */
async function trainedAccuracy(method: RelationalReasoning): Promise<number> {
  await method.fit(train, { epochs: 20, batchSize: 32, learningRate: 3e-3, progress: 'none' });
  const accuracy = await probeAccuracy(method, train, test);
  method.dispose();
  return accuracy;
}

/**
 * Relational reasoning's loss written out again from its public parts ({@link relationPairs},
 * `augmentBatch`, backbone, head, {@link aggregatePairs}, BCE as in these options), with switchable
 * bugs: `shuffleLabels` permutes the pairs' same/different labels; `detach` stops the gradient at
 * the backbone's output, so only the relation head learns. With neither it must learn like the method.
 */
class RewrittenRelationalReasoning extends RelationalReasoning {
  constructor(private readonly bug: { shuffleLabels?: boolean; detach?: boolean }) {
    super(options);
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    const images = batch.inputs as tf.Tensor4D;
    const pairs = relationPairs(images.shape[0], this.config.views);
    const labels = this.bug.shuffleLabels ? createRandom(batch.seed).shuffle(Float32Array.from(pairs.labels)) : pairs.labels;
    let features = this.backbone!.apply(this.augmentBatch(images, batch.seed), { training: true }) as tf.Tensor2D;
    if (this.bug.detach) features = stopGradient(features);
    const first = tf.gather(features, tf.tensor1d(pairs.first, 'int32'));
    const second = tf.gather(features, tf.tensor1d(pairs.second, 'int32'));
    const logits = this.head!.apply(aggregatePairs(first, second, this.config.aggregation), { training: true }) as tf.Tensor2D;
    return binaryCrossEntropyLoss(tf.tensor2d(labels, [labels.length, 1]), logits, { fromLogits: true });
  }
}

describe('relational reasoning learns the classes of synthetic images', () => {
  it(`a linear probe on its features reaches held-out accuracy ≥ ${THRESHOLD}, above the random backbone, without leaking tensors`, async () => {
    const untrained = new RelationalReasoning(options).initialize(train);
    const initial = await probeAccuracy(untrained, train, test);
    untrained.dispose();
    const pixels = await rawPixelProbeAccuracy(train, test);
    const before = tf.memory().numTensors;
    const accuracy = await trainedAccuracy(new RelationalReasoning(options));
    expect(tf.memory().numTensors).toBe(before);
    console.log(`RelationalReasoning: probe accuracy ${accuracy.toFixed(3)} (random backbone ${initial.toFixed(3)}, raw pixels ${pixels.toFixed(3)}, threshold ${THRESHOLD})`);
    expect(accuracy).toBeGreaterThanOrEqual(THRESHOLD);
    expect(accuracy - initial).toBeGreaterThan(0.05);
  });

  it('the rewritten loss used by the mutations below learns too (the control)', async () => {
    expect(await trainedAccuracy(new RewrittenRelationalReasoning({}))).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it('fails with the pairs’ labels shuffled', async () => {
    const accuracy = await trainedAccuracy(new RewrittenRelationalReasoning({ shuffleLabels: true }));
    console.log(`RelationalReasoning, shuffled pair labels: probe accuracy ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeLessThan(THRESHOLD);
  });

  it('fails with the gradient detached at the backbone output (only the head learns)', async () => {
    expect(await trainedAccuracy(new RewrittenRelationalReasoning({ detach: true }))).toBeLessThan(THRESHOLD);
  });
});
