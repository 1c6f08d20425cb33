import { describe, expect, it } from 'vitest';

import * as api from '../src/index.js';

describe('public API (src/index.ts)', () => {
  it('re-exports the names of the design by name', () => {
    for (const name of [
      'initBackend', 'loadMnist', 'loadIdx', 'createRandom', 'batchIndices', 'subset', 'split',
      'kmeans', 'pcaWhiten', 'fitPcaWhiten', 'l2Normalize',
      'clusterAccuracy', 'majorityVoteAccuracy', 'nmi', 'ari', 'ami', 'confusionMatrix', 'rocAuc',
      'linearProbe', 'knnProbe', 'precisionAtK',
      'iicLoss', 'mineLoss', 'mineLowerBound', 'mseLoss', 'binaryCrossEntropyLoss', 'filterDistinguisherLoss',
      'mlp', 'vgg', 'conv4', 'UnsupervisedMethod',
      'Autoencoder', 'AutoencoderClassifier', 'IIC', 'MINE', 'MineEncoder', 'DeepCluster', 'FilterDistinguisher',
      'iicMnistAugment', 'registerWasmGapFillKernels',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
  });
});
