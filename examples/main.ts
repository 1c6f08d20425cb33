/**
 * `npm start`: the main job, a real unsupervised run on embedded MNIST in a few minutes on a
 * laptop CPU. k-means (k = 10) on the 10k test images' raw pixels, on PCA-whitened pixels, and on
 * the codes of a dense autoencoder trained without labels on the training images; each scored
 * by NMI, ARI and Hungarian accuracy against the true digits.
 *
 *   npm start -- [--epochs 4] [--limit 20000] [--seed 0] [--backend auto|tensorflow|wasm|cpu]
 */
import { kmeans } from '../src/cluster/kmeans.js';
import { l2Normalize } from '../src/cluster/l2_normalize.js';
import { pcaWhiten } from '../src/cluster/pca_whiten.js';
import type { MatrixInput } from '../src/cluster/matrix.js';
import { loadMnist } from '../src/data/mnist.js';
import { Autoencoder } from '../src/methods/autoencoder.js';
import { ari } from '../src/metrics/ari.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('tfjs-unsupervised: clustering MNIST without labels', { epochs: 4, limit: 20000 });
const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });
const labels = test.labels;

const rows: Array<Record<string, string | number>> = [];
function score(features: string, x: MatrixInput, seconds: number): { nmi: number; ari: number; accuracy: number } {
  const clusters = kmeans(x, 10, { seed: args.seed, nInit: 10 }).labels;
  const result = { nmi: nmi(labels, clusters), ari: ari(labels, clusters), accuracy: clusterAccuracy(labels, clusters).accuracy };
  rows.push({ features, ...result, seconds });
  console.log(`${features}: NMI ${result.nmi.toFixed(4)}, ARI ${result.ari.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}`);
  return result;
}

let t = performance.now();
const raw = score('raw pixels (784)', { data: test.images, rows: test.size, cols: 784 }, 0);
rows[rows.length - 1].seconds = (performance.now() - t) / 1000;

t = performance.now();
const whitened = score('PCA-whitened pixels (50), L2', l2Normalize(pcaWhiten({ data: test.images, rows: test.size, cols: 784 }, { nComponents: 50 })), 0);
rows[rows.length - 1].seconds = (performance.now() - t) / 1000;

t = performance.now();
const ae = new Autoencoder({ layers: [784, 500, 500, 2000, 10], seed: args.seed });
await ae.fit(train, { epochs: args.epochs, seed: args.seed });
const codes = await ae.encode(test);
const autoencoder = score(`autoencoder codes (10), ${train.size} images × ${args.epochs} epochs`, codes, 0);
rows[rows.length - 1].seconds = (performance.now() - t) / 1000;
ae.dispose();

console.log('');
printTable(rows);
printResult({
  nmi: autoencoder.nmi,
  accuracy: autoencoder.accuracy,
  ari: autoencoder.ari,
  rawNmi: raw.nmi,
  rawAccuracy: raw.accuracy,
  whitenedNmi: whitened.nmi,
  whitenedAccuracy: whitened.accuracy,
  epochs: args.epochs,
  trainImages: train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
