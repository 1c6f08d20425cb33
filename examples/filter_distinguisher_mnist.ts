/**
 * Filter distinguisher on MNIST: four conv levels (1→16→16→16→4 channels) trained level by level
 * so that each level's feature maps are pairwise dissimilar (no labels). Prints the stopping
 * signal (mean max |cos| between an image's maps) before and after each level's stage, then
 * retrieval on the 10k test images: precision@10 (share of a query's 10 nearest neighbours by
 * cosine similarity with its label) for the trained network, the same network at random
 * initialisation, and raw pixels.
 *
 *   npx tsx examples/filter_distinguisher_mnist.ts [--epochs 1] [--limit 20000] [--seed 0] [--samples-per-level 20000] [--batch-size 16] [--queries 10000]
 */
import { loadMnist } from '../src/data/mnist.js';
import { FilterDistinguisher } from '../src/methods/filter_distinguisher.js';
import { precisionAtK } from '../src/probes/knn_probe.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample(
  'Filter distinguisher on MNIST: retrieval precision@10',
  { epochs: 1, limit: 20000 },
  { 'samples-per-level': { type: 'string' }, 'batch-size': { type: 'string' }, queries: { type: 'string' } },
);
const samplesPerLevel = Number(args.extra['samples-per-level'] ?? 20000) * args.epochs;
const batchSize = Number(args.extra['batch-size'] ?? 16);
const queryCount = Number(args.extra.queries ?? 10000);
if (!(samplesPerLevel >= 1) || !(batchSize >= 1) || !(queryCount >= 1)) {
  console.error('--samples-per-level, --batch-size and --queries must be positive; --epochs multiplies the sample budget per level.');
  process.exit(2);
}

const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });
const labels = test.labels!;
const queries = Math.min(queryCount, test.size);
const precision = async (features: { data: Float32Array; rows: number; cols: number }) =>
  (await precisionAtK(features, labels, { k: 10, metric: 'cosine', queries: queries === test.size ? undefined : queries, seed: args.seed })).precision;

// The same network at random initialisation (the weights the trained one starts from).
const random = new FilterDistinguisher({ seed: args.seed });
random.initialize(train);
const randomFeatures = await random.encode(test);
const randomPrecision = await precision(randomFeatures);
random.dispose();

const trained = new FilterDistinguisher({ seed: args.seed });
await trained.fit(train, { samplesPerLevel, batchSize, seed: args.seed });
printTable(
  trained.stages.map((s) => ({
    level: s.level + 1,
    'max|cos| before': s.signalBefore,
    'max|cos| after': s.signalAfter,
    samples: s.samples,
    'ended by': s.stoppedBySignal ? `signal < ${trained.config.threshold}` : 'sample budget',
  })),
);
const trainedFeatures = await trained.encode(test);
const trainedPrecision = await precision(trainedFeatures);
const rawPrecision = await precision({ data: test.images, rows: test.size, cols: 784 });

printTable([
  { features: `filter distinguisher (${trainedFeatures.cols}-d)`, 'precision@10': trainedPrecision },
  { features: `same network, random init (${randomFeatures.cols}-d)`, 'precision@10': randomPrecision },
  { features: 'raw pixels (784-d)', 'precision@10': rawPrecision },
]);
printResult({
  precisionAt10: trainedPrecision,
  randomPrecisionAt10: randomPrecision,
  rawPrecisionAt10: rawPrecision,
  levels: trained.stages,
  queries,
  samplesPerLevel,
  batchSize,
  trainImages: train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
