import { describe, expect, it } from 'vitest';

import * as api from '../src/index.js';

describe('public API (src/index.ts)', () => {
  it('re-exports the names of the design by name', () => {
    for (const name of [
      'initBackend', 'createRandom', 'batchIndices', 'subset', 'split',
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

  it('keeps the Node-only readers and writers in src/node.ts, which re-exports the core', async () => {
    const nodeApi = await import('../src/node.js');
    for (const name of ['loadMnist', 'loadIdx', 'loadCifar10', 'loadImageFolder', 'writeCheckpoint', 'saveLayersModel', 'renderPng', 'writeRunPlots', 'defaultWasmThreads']) {
      expect(api, name).not.toHaveProperty(name);
      expect(nodeApi, name).toHaveProperty(name);
    }
    for (const [name, value] of Object.entries(api)) expect((nodeApi as Record<string, unknown>)[name], name).toBe(value);
  });
});
