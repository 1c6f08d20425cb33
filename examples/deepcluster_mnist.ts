/**
 * DeepCluster on MNIST (Caron et al. 2018): each epoch clusters the current network's features
 * (PCA-whitened, L2-normalised) with k-means and trains the network on the assignments. Prints
 * per epoch the stability NMI (this epoch's vs the previous epoch's assignments) and, for
 * evaluation only, the NMI against the labels. Then k-means on the trained features of the 10k
 * test images (NMI, Hungarian accuracy, majority-vote accuracy for k > 10) beside raw pixels, and
 * the linear-probe accuracy of the trained backbone beside the same backbone at random init.
 *
 *   npx tsx examples/deepcluster_mnist.ts [--epochs 6] [--limit 20000] [--seed 0] [--clusters 10|100] [--sobel] [--balance uniform|weighted]
 */
import { kmeans } from '../src/cluster/kmeans.js';
import { l2Normalize } from '../src/cluster/l2_normalize.js';
import { pcaWhiten } from '../src/cluster/pca_whiten.js';
import { loadMnist } from '../src/data/mnist.js';
import { DeepCluster } from '../src/methods/deep_cluster.js';
import { clusterAccuracy, majorityVoteAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { linearProbe } from '../src/probes/linear_probe.js';
import type { FeatureMatrix } from '../src/train/unsupervised_method.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample(
  'DeepCluster on MNIST: pseudo-labels from k-means on whitened features',
  { epochs: 6, limit: 20000 },
  { clusters: { type: 'string' }, sobel: { type: 'boolean' }, balance: { type: 'string' }, 'learning-rate': { type: 'string' } },
);
const numClusters = Number(args.extra.clusters ?? 10);
const balance = (args.extra.balance as 'uniform' | 'weighted' | undefined) ?? 'uniform';
const learningRate = Number(args.extra['learning-rate'] ?? 1e-3);
const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });

/** k-means on test features, after DeepCluster's whitening pipeline unless `plain`: NMI and accuracies. */
function clusterScores(features: FeatureMatrix | { data: Float32Array; rows: number; cols: number }, k: number, plain = false) {
  const processed = plain ? features : l2Normalize(pcaWhiten(features, { nComponents: Math.min(features.cols, 256, features.rows - 1) }));
  const labels = kmeans(processed, k, { seed: args.seed, nInit: 5 }).labels;
  return { nmi: nmi(test.labels, labels), accuracy: clusterAccuracy(test.labels, labels).accuracy, majority: majorityVoteAccuracy(test.labels, labels).accuracy };
}

const options = { numClusters, sobel: args.extra.sobel === true, balance, seed: args.seed };
const random = new DeepCluster(options).initialize(train);
const randomTrain = await random.encode(train);
const randomTest = await random.encode(test);
const randomProbeAccuracy = (await linearProbe(randomTrain, train.labels, randomTest, test.labels, { epochs: 20, seed: args.seed })).accuracy;
const randomClusters = clusterScores(randomTest, 10);
random.dispose();

const method = new DeepCluster(options);
const perEpoch: Array<Record<string, string | number>> = [];
await method.fit(train, {
  epochs: args.epochs,
  learningRate,
  seed: args.seed,
  onEpochEnd: (epoch, logs) => {
    const record = method.clusterHistory[method.clusterHistory.length - 1];
    perEpoch.push({
      epoch: epoch + 1,
      loss: logs.loss,
      'k-means loss': record.kmeansLoss,
      'stability NMI': Number.isNaN(record.stabilityNmi) ? '-' : record.stabilityNmi.toFixed(4),
      'label NMI (eval)': record.labelNmi ?? '-',
      'empty clusters': record.emptyClusters,
      seconds: logs.seconds,
    });
  },
});
printTable(perEpoch);
const trainFeatures = await method.encode(train);
const testFeatures = await method.encode(test);
const probeAccuracy = (await linearProbe(trainFeatures, train.labels, testFeatures, test.labels, { epochs: 20, seed: args.seed })).accuracy;
const trained = clusterScores(testFeatures, 10);
const raw = clusterScores({ data: test.images, rows: test.size, cols: 784 }, 10, true);
const overclustered = numClusters > 10 ? clusterScores(testFeatures, numClusters) : undefined;
const assigned = await method.predict(test);
const ownClusters = { nmi: nmi(test.labels, assigned), accuracy: clusterAccuracy(test.labels, assigned).accuracy, majority: majorityVoteAccuracy(test.labels, assigned).accuracy };

printTable([
  { features: 'DeepCluster features (whitened), k-means k=10', nmi: trained.nmi, 'Hungarian accuracy': trained.accuracy, 'linear probe': probeAccuracy },
  { features: `DeepCluster's head on test images (k=${numClusters})`, nmi: ownClusters.nmi, 'Hungarian accuracy': ownClusters.accuracy, 'majority-vote accuracy': ownClusters.majority },
  ...(overclustered ? [{ features: `k-means k=${numClusters} on trained features`, nmi: overclustered.nmi, 'Hungarian accuracy': overclustered.accuracy, 'majority-vote accuracy': overclustered.majority }] : []),
  { features: 'same backbone at random init (whitened), k=10', nmi: randomClusters.nmi, 'Hungarian accuracy': randomClusters.accuracy, 'linear probe': randomProbeAccuracy },
  { features: 'raw pixels, k-means k=10', nmi: raw.nmi, 'Hungarian accuracy': raw.accuracy },
]);
printResult({
  nmi: trained.nmi,
  accuracy: trained.accuracy,
  probeAccuracy,
  randomProbeAccuracy,
  randomNmi: randomClusters.nmi,
  rawNmi: raw.nmi,
  ownClusterNmi: ownClusters.nmi,
  ownClusterMajorityAccuracy: ownClusters.majority,
  stability: method.clusterHistory.map((r) => r.stabilityNmi),
  numClusters,
  epochs: args.epochs,
  trainImages: train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
