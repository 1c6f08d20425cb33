/**
 * The autoencoder learns: on synthetic spot images (3 classes, strong pixel noise) k-means on its
 * 2-d codes finds the classes with Hungarian accuracy ≥ 0.9, and planted bugs keep it below.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { mseLoss } from '../../../src/losses/mse_loss.js';
import { Autoencoder } from '../../../src/methods/autoencoder.js';
import type { AutoencoderOptions } from '../../../src/methods/autoencoder.js';
import { stopGradient } from '../../../src/nn/stop_gradient.js';
import type { BatchLossResult, TrainingBatch } from '../../../src/train/unsupervised_method.js';
import { kmeansAccuracy, syntheticImages } from '../../helpers/synthetic_images.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const data = syntheticImages(96, { noise: 0.2, seed: 1 });
const options: AutoencoderOptions = { layers: [256, 32, 2], seed: 0 };
const THRESHOLD = 0.9;

/** Trains for 20 epochs (60 steps, well under a second) and returns the Hungarian accuracy of k-means on the codes. */
async function trainedAccuracy(method: Autoencoder): Promise<number> {
  await method.fit(data, { epochs: 20, batchSize: 32, learningRate: 1e-2, progress: 'none' });
  const accuracy = kmeansAccuracy(await method.encode(data), data.labels);
  method.dispose();
  return accuracy;
}

/**
 * The autoencoder's loss written out again from its public parts (encoder, decoder, {@link mseLoss};
 * no denoising, no cutoff, as in these options), with switchable bugs: `noiseTargets` reconstructs
 * seeded uniform noise instead of the images; `detach` stops the gradient at the code, so only the
 * decoder learns. With neither it must learn like the autoencoder itself.
 */
class RewrittenAutoencoder extends Autoencoder {
  constructor(private readonly bug: { noiseTargets?: boolean; detach?: boolean }) {
    super(options);
  }

  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    let code = this.encoder!.apply(batch.inputs, { training: true }) as tf.Tensor;
    if (this.bug.detach) code = stopGradient(code);
    const reconstruction = this.decoder!.apply(code, { training: true }) as tf.Tensor;
    const target = this.bug.noiseTargets ? tf.randomUniform(batch.inputs.shape, 0, 1, 'float32', batch.seed) : batch.inputs;
    return mseLoss(target, reconstruction);
  }
}

describe('the autoencoder learns the classes of synthetic images', () => {
  it(`k-means on its codes reaches Hungarian accuracy ≥ ${THRESHOLD}, far above its random initialisation, without leaking tensors`, async () => {
    const untrained = new Autoencoder(options).initialize(data);
    const initial = kmeansAccuracy(await untrained.encode(data), data.labels);
    untrained.dispose();
    const before = tf.memory().numTensors;
    const accuracy = await trainedAccuracy(new Autoencoder(options));
    expect(tf.memory().numTensors).toBe(before);
    console.log(`Autoencoder + k-means: Hungarian accuracy ${accuracy.toFixed(3)} (random init ${initial.toFixed(3)}, threshold ${THRESHOLD})`);
    expect(accuracy).toBeGreaterThanOrEqual(THRESHOLD);
    expect(initial).toBeLessThan(0.7);
  });

  it('the rewritten loss used by the mutations below learns too (the control)', async () => {
    expect(await trainedAccuracy(new RewrittenAutoencoder({}))).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it('fails when trained on noise targets', async () => {
    expect(await trainedAccuracy(new RewrittenAutoencoder({ noiseTargets: true }))).toBeLessThan(THRESHOLD);
  });

  it('fails with the gradient detached at the code (only the decoder learns)', async () => {
    expect(await trainedAccuracy(new RewrittenAutoencoder({ detach: true }))).toBeLessThan(THRESHOLD);
  });
});
