/**
 * IIC on MNIST with a backbone you build yourself: a plain TF.js model (two conv blocks and a
 * dense layer, standard layers only) given to IIC as a function of the input shape IIC feeds it
 * (its 24x24 centre-cropped views of the 28x28 digits). IIC adds its cluster heads on the model's
 * output, trains the model in place, and `embed` returns its features as a tf.Tensor with IIC's
 * preprocessing applied. Scores the test images with the sub-head of lowest training loss.
 *
 *   npx tsx examples/iic_own_backbone.ts [--epochs 3] [--limit 60000] [--seed 0] [--backend wasm] [--test-limit 10000]
 */
import * as tf from '@tensorflow/tfjs';

import { loadMnist } from '../src/data/mnist.js';
import { subset } from '../src/data/dataset.js';
import { IIC } from '../src/methods/iic.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { exitWithUsage, numberFlag, printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('IIC on MNIST with your own backbone (a tf.Sequential built here)', { epochs: 3 }, { 'test-limit': { type: 'string' } });
const testLimit = numberFlag(args, 'test-limit', 10000);
if (!Number.isInteger(testLimit) || testLimit < 1) exitWithUsage(`--test-limit must be a positive integer, got ${testLimit}.`);
const train = await loadMnist({ split: 'train', limit: args.limit });
const fullTest = await loadMnist({ split: 'test' });
const test = testLimit < fullTest.size ? subset(fullTest, { start: 0, end: testLimit }) : fullTest;
const labels = test.labels!;

/** The user's network: conv 3x3 (16) → max-pool → conv 3x3 (32) → max-pool → flatten → dense 64, ReLU throughout, seeded. */
function myBackbone(inputShape: [number, number, number]): tf.LayersModel {
  const init = (offset: number) => tf.initializers.heNormal({ seed: args.seed * 100 + offset });
  return tf.sequential({
    name: 'my_backbone',
    layers: [
      tf.layers.conv2d({ inputShape, filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(3) }),
    ],
  });
}

let inputShape: number[] = [];
const iic = new IIC({
  backbone: (shape) => {
    inputShape = shape;
    return myBackbone(shape);
  },
  subHeads: 2,
  overclusterClusters: 50,
  lambda: 1.5,
  headSchedule: 'joint',
  seed: args.seed,
});
iic.initialize(train);
console.log(`your backbone: input ${JSON.stringify(inputShape)} (IIC's centre-cropped view), output ${iic.backbone!.outputs[0].shape[1]} features, ${iic.backbone!.countParams()} parameters`);

const perEpoch: Array<Record<string, string | number>> = [];
await iic.fit(train, {
  epochs: args.epochs,
  batchSize: 256,
  learningRate: 1e-3,
  seed: args.seed,
  callbacks: {
    onEpochEnd: async (epoch, logs) => {
      const accuracy = clusterAccuracy(labels, await iic.predict(test)).accuracy;
      perEpoch.push({ epoch: epoch + 1, loss: logs!.loss, 'best sub-head': logs!.bestSubHead, 'test accuracy (eval only)': accuracy, seconds: logs!.seconds });
    },
  },
});
printTable(perEpoch);

const predictions = await iic.predict(test);
const accuracy = clusterAccuracy(labels, predictions).accuracy;
const embeddings = await iic.embed(test);
console.log(`embed(test): a tf.Tensor of shape [${embeddings.shape}] (IIC's centre crop applied)`);
const embeddingShape = embeddings.shape;
embeddings.dispose();
printResult({
  accuracy,
  nmi: nmi(labels, predictions),
  bestSubHead: iic.bestSubHead,
  backboneInputShape: inputShape,
  features: embeddingShape[1],
  parameters: iic.backbone!.countParams(),
  epochs: args.epochs,
  trainImages: train.size,
  testImages: test.size,
  seed: args.seed,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
iic.dispose();
