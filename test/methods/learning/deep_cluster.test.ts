/**
 * DeepCluster learns: on synthetic spot images (3 classes) the classifier it trains on its own
 * k-means pseudo-labels predicts the classes with Hungarian accuracy ≥ 0.9, and planted bugs keep
 * it below.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../../src/backend/init_backend.js';
import { createRandom } from '../../../src/data/random.js';
import type { ImageDataset } from '../../../src/data/dataset.js';
import { DeepCluster } from '../../../src/methods/deep_cluster.js';
import type { DeepClusterOptions } from '../../../src/methods/deep_cluster.js';
import { clusterAccuracy } from '../../../src/metrics/cluster_accuracy.js';
import type { BatchLossResult, TrainingBatch } from '../../../src/train/unsupervised_method.js';
import { kmeansAccuracy, syntheticImages } from '../../helpers/synthetic_images.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const data = syntheticImages(192, { noise: 0.2, seed: 1 });
const options: DeepClusterOptions = { backbone: [8, 'M', 16, 'M'], numClusters: 3, featureSize: 16, pcaComponents: 4, seed: 1 };
const THRESHOLD = 0.9;

/**
 * Trains for 8 epochs (96 steps, about a second). Returns the Hungarian accuracy against the
 * classes of `predict` and of the last epoch's pseudo-labels, and how well `predict` agrees with
 * those pseudo-labels (what the network was trained to predict).
 */
async function trainedAccuracy(method: DeepCluster): Promise<{ predicted: number; pseudoLabels: number; agreement: number }> {
  await method.fit(data, { epochs: 8, batchSize: 16, learningRate: 3e-3, progress: 'none' });
  const predictions = await method.predict(data);
  const predicted = clusterAccuracy(data.labels, predictions).accuracy;
  const pseudoLabels = clusterAccuracy(data.labels, method.assignments!).accuracy;
  const agreement = clusterAccuracy(method.assignments!, predictions).accuracy;
  method.dispose();
  return { predicted, pseudoLabels, agreement };
}

/** The check: the classifier finds the classes and has learned the clustering it was trained on. */
function learned(result: { predicted: number; agreement: number }): boolean {
  return result.predicted >= THRESHOLD && result.agreement >= THRESHOLD;
}

/** Shuffled pseudo-labels: every epoch's k-means assignments are permuted across images before training. */
class ShuffledLabelsDeepCluster extends DeepCluster {
  protected override async onEpochStart(epoch: number, dataset: ImageDataset): Promise<void> {
    await super.onEpochStart(epoch, dataset);
    createRandom(100 + epoch).shuffle(this.assignments!);
  }
}

/** Wrong sign: maximises the cross-entropy with the pseudo-labels. */
class NegatedDeepCluster extends DeepCluster {
  protected override batchLoss(batch: TrainingBatch): BatchLossResult {
    return tf.neg(super.batchLoss(batch) as tf.Scalar);
  }
}

describe('DeepCluster learns the classes of synthetic images', () => {
  it(`reaches Hungarian accuracy ≥ ${THRESHOLD} with its classifier and its clustering, without leaking tensors (k-means on its random features is as good here: the classifier is what must learn)`, async () => {
    const untrained = new DeepCluster(options).initialize(data);
    const initialKmeans = kmeansAccuracy(await untrained.encode(data), data.labels);
    untrained.dispose();
    const before = tf.memory().numTensors;
    const result = await trainedAccuracy(new DeepCluster(options));
    expect(tf.memory().numTensors).toBe(before);
    const { predicted, pseudoLabels, agreement } = result;
    console.log(
      `DeepCluster: predict accuracy ${predicted.toFixed(3)}, agreement with its pseudo-labels ${agreement.toFixed(3)}, pseudo-label accuracy ${pseudoLabels.toFixed(3)} ` +
        `(k-means on the random network's features ${initialKmeans.toFixed(3)}, threshold ${THRESHOLD})`,
    );
    expect(learned(result)).toBe(true);
    expect(pseudoLabels).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it('fails with shuffled pseudo-labels', async () => {
    // A random head on well-clustered features can match the classes by chance (0.90 with learning
    // rate 1e-3), which is why the check also asks that the predictions follow the pseudo-labels.
    const result = await trainedAccuracy(new ShuffledLabelsDeepCluster(options));
    console.log(`DeepCluster, shuffled pseudo-labels: predict accuracy ${result.predicted.toFixed(3)}, agreement ${result.agreement.toFixed(3)}`);
    expect(learned(result)).toBe(false);
  });

  it('fails with the wrong sign of the loss', async () => {
    expect(learned(await trainedAccuracy(new NegatedDeepCluster(options)))).toBe(false);
  });
});
