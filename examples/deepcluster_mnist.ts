/**
 * DeepCluster on MNIST (Caron et al. 2018): each epoch clusters the current network's features
 * (PCA-whitened, L2-normalised) with k-means and trains the network on the assignments. Prints
 * per epoch the stability NMI (this epoch's vs the previous epoch's assignments) and, for
 * evaluation only, the NMI against the labels. Then k-means on the trained features of the 10k
 * test images, read out through DeepCluster's own pipeline (PCA-whitened to `--pca` components,
 * L2-normalised; NMI, Hungarian accuracy, majority-vote accuracy for k > 10), beside the same
 * backbone at random init read out the same way and raw pixels, and
 * the linear-probe accuracy of the trained backbone beside the same backbone at random init.
 * Hyperparameters are compared on a validation split carved from the training images
 * (`--validation`, default the last 5 000 of the 60k, never trained on): k-means NMI of the trained
 * and the random-init features there, read out through the method's pipeline (PCA-whitened to
 * `--pca` components), with 256 and 32 components, and only L2-normalised.
 *
 *   npx tsx examples/deepcluster_mnist.ts [--epochs 6] [--limit 20000] [--seed 0] [--clusters 10|100] [--sobel] [--balance uniform|weighted]
 *     [--learning-rate 1e-3] [--pca 32] [--augmentation random-crop|none] [--validation 5000]
 */
import { kmeans } from '../src/cluster/kmeans.js';
import { l2Normalize } from '../src/cluster/l2_normalize.js';
import { pcaWhiten } from '../src/cluster/pca_whiten.js';
import { loadMnist } from '../src/data/mnist.js';
import { DEEP_CLUSTER_FIT_DEFAULTS, DeepCluster, resolveDeepClusterConfig } from '../src/methods/deep_cluster.js';
import { clusterAccuracy, majorityVoteAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { linearProbe } from '../src/probes/linear_probe.js';
import type { FeatureMatrix } from '../src/train/unsupervised_method.js';
import { exitWithUsage, loadMnistWithValidation, numberFlag, printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample(
  'DeepCluster on MNIST: pseudo-labels from k-means on whitened features',
  { epochs: 6, limit: 20000 },
  { clusters: { type: 'string' }, sobel: { type: 'boolean' }, balance: { type: 'string' }, 'learning-rate': { type: 'string' }, pca: { type: 'string' }, augmentation: { type: 'string' }, validation: { type: 'string' } },
);
const numClusters = Number(args.extra.clusters ?? 10);
const balance = (args.extra.balance as 'uniform' | 'weighted' | undefined) ?? 'uniform';
const learningRate = numberFlag(args, 'learning-rate', DEEP_CLUSTER_FIT_DEFAULTS.learningRate);
const { train, validation, validationSize } = await loadMnistWithValidation(args);
const test = await loadMnist({ split: 'test' });

type Matrix = FeatureMatrix | { data: Float32Array; rows: number; cols: number };

/**
 * k-means (k clusters) on features read out as `readout` says — `components` > 0: DeepCluster's
 * pipeline (PCA-whitened to that many components, then L2-normalised); 0: L2-normalised only;
 * 'plain': as they are — scored against `labels`: NMI and accuracies.
 */
function clusterScores(features: Matrix, labels: ArrayLike<number>, k: number, readout: number | 'plain') {
  const processed = readout === 'plain' ? features : readout === 0 ? l2Normalize(features) : l2Normalize(pcaWhiten(features, { nComponents: Math.min(features.cols, readout, features.rows - 1) }));
  const assigned = kmeans(processed, k, { seed: args.seed, nInit: 5 }).labels;
  return { nmi: nmi(labels, assigned), accuracy: clusterAccuracy(labels, assigned).accuracy, majority: majorityVoteAccuracy(labels, assigned).accuracy };
}

/**
 * Validation NMI (k = 10) of features read out with the method's own pipeline (its PCA components),
 * with 256 and 32 whitened components, and L2-normalised only.
 */
function validationNmi(features: Matrix | undefined): Record<string, number> | null {
  if (features === undefined || validation === undefined) return null;
  const readouts = [...new Set([pcaComponents, 256, 32, 0])];
  return Object.fromEntries(readouts.map((readout) => [readout === 0 ? 'l2' : `pca${readout}`, clusterScores(features, validation.labels, 10, readout).nmi]));
}

const classDefaults = resolveDeepClusterConfig();
const pcaComponents = numberFlag(args, 'pca', classDefaults.pcaComponents);
const augmentation = (args.extra.augmentation as 'random-crop' | 'none' | undefined) ?? classDefaults.augmentation;
const options = { numClusters, sobel: args.extra.sobel === true, balance, pcaComponents, augmentation, seed: args.seed };
try {
  // Checks every option once, with a message naming a bad one.
  resolveDeepClusterConfig(options);
} catch (error) {
  exitWithUsage((error as Error).message);
}
const random = new DeepCluster(options).initialize(train);
const randomTrain = await random.encode(train);
const randomTest = await random.encode(test);
const randomValidation = validation === undefined ? undefined : await random.encode(validation);
const randomProbeAccuracy = (await linearProbe(randomTrain, train.labels, randomTest, test.labels, { epochs: 20, seed: args.seed })).accuracy;
const randomClusters = clusterScores(randomTest, test.labels, 10, pcaComponents);
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
const trained = clusterScores(testFeatures, test.labels, 10, pcaComponents);
const raw = clusterScores({ data: test.images, rows: test.size, cols: 784 }, test.labels, 10, 'plain');
const overclustered = numClusters > 10 ? clusterScores(testFeatures, test.labels, numClusters, pcaComponents) : undefined;
const validationScores = { trained: validationNmi(validation === undefined ? undefined : await method.encode(validation)), random: validationNmi(randomValidation) };
if (validationScores.trained !== null && validationScores.random !== null) {
  printTable(Object.keys(validationScores.trained).map((readout) => ({ 'validation split, k-means k=10 on': readout, 'trained NMI': validationScores.trained![readout], 'random-init NMI': validationScores.random![readout] })));
}
const assigned = await method.predict(test);
const ownClusters = { nmi: nmi(test.labels, assigned), accuracy: clusterAccuracy(test.labels, assigned).accuracy, majority: majorityVoteAccuracy(test.labels, assigned).accuracy };

printTable([
  { features: `DeepCluster features (whitened to ${pcaComponents}), k-means k=10`, nmi: trained.nmi, 'Hungarian accuracy': trained.accuracy, 'linear probe': probeAccuracy },
  { features: `DeepCluster's head on test images (k=${numClusters})`, nmi: ownClusters.nmi, 'Hungarian accuracy': ownClusters.accuracy, 'majority-vote accuracy': ownClusters.majority },
  ...(overclustered ? [{ features: `k-means k=${numClusters} on trained features`, nmi: overclustered.nmi, 'Hungarian accuracy': overclustered.accuracy, 'majority-vote accuracy': overclustered.majority }] : []),
  { features: `same backbone at random init (whitened to ${pcaComponents}), k=10`, nmi: randomClusters.nmi, 'Hungarian accuracy': randomClusters.accuracy, 'linear probe': randomProbeAccuracy },
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
  validationNmi: validationScores,
  stability: method.clusterHistory.map((r) => r.stabilityNmi),
  labelNmi: method.clusterHistory.map((r) => r.labelNmi ?? null),
  largestCluster: method.clusterHistory.map((r) => Math.max(...r.clusterSizes)),
  numClusters,
  pcaComponents,
  augmentation,
  learningRate,
  validationImages: validationSize,
  epochs: args.epochs,
  trainImages: train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
