/**
 * Autoencoder → k-means on MNIST (DEC's setting, Xie et al. 2016): a 784-500-500-2000-10 dense
 * autoencoder trained on the 60k training images — end to end by default (`--mode scratch`, the
 * better use of a short budget here), or greedy layer-wise pretrained then fine-tuned
 * (`--mode greedy`); its codes of the 10k test images clustered with k-means (k = 10) and scored
 * by NMI and Hungarian accuracy, beside k-means on raw pixels. `--mode both` trains both with the
 * same number of epochs over the data (greedy: 4 layers × greedy epochs + fine-tuning; scratch:
 * as many end to end), `--runs 3` averages over seeds.
 *
 *   npx tsx examples/autoencoder_kmeans.ts [--epochs 16] [--greedy-epochs 2] [--batch-size 256] [--loss mse|binaryCrossEntropy]
 *     [--limit 60000] [--seed 0] [--runs 1] [--mode scratch|greedy|both]
 */
import { kmeans } from '../src/cluster/kmeans.js';
import { loadMnist } from '../src/data/mnist.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { Autoencoder } from '../src/methods/autoencoder.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample(
  'Autoencoder (784-500-500-2000-10) + k-means on MNIST',
  { epochs: 16 },
  { 'greedy-epochs': { type: 'string' }, runs: { type: 'string' }, mode: { type: 'string' }, 'batch-size': { type: 'string' }, loss: { type: 'string' } },
);
const batchSize = Number(args.extra['batch-size'] ?? 256);
const loss = (args.extra.loss as 'mse' | 'binaryCrossEntropy' | undefined) ?? 'mse';
const greedyEpochs = Number(args.extra['greedy-epochs'] ?? 2);
const runs = Number(args.extra.runs ?? 1);
const mode = String(args.extra.mode ?? 'scratch');
if (!['greedy', 'scratch', 'both'].includes(mode) || !(runs >= 1) || !(greedyEpochs >= 0)) {
  console.error(`--mode must be greedy, scratch or both; --runs ≥ 1; --greedy-epochs ≥ 0 (got ${mode}, ${runs}, ${greedyEpochs}).`);
  process.exit(2);
}

const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });
const testLabels = test.labels!;
console.log(`train ${train.size} images, test ${test.size} images`);

const rows: Array<Record<string, string | number>> = [];
const raw = kmeans({ data: test.images, rows: test.size, cols: 784 }, 10, { seed: args.seed, nInit: 10 });
const rawNmi = nmi(testLabels, raw.labels);
const rawAccuracy = clusterAccuracy(testLabels, raw.labels).accuracy;
rows.push({ features: 'raw pixels (784)', training: '-', nmi: rawNmi, accuracy: rawAccuracy, seconds: 0 });

const layers = [784, 500, 500, 2000, 10];
const scores: Record<string, { nmi: number[]; accuracy: number[] }> = {};
const modes = mode === 'both' ? ['greedy', 'scratch'] : [mode];
// Same budget in epochs over the data when comparing: greedy = 4 layers × greedy epochs + fine-tuning.
const totalEpochs = mode === 'both' ? (layers.length - 1) * greedyEpochs + args.epochs : args.epochs;
for (let run = 0; run < runs; run++) {
  const seed = args.seed + run;
  for (const m of modes) {
    const runStarted = performance.now();
    const ae = new Autoencoder({ layers, seed, loss });
    if (m === 'greedy') {
      await ae.pretrainGreedy(train, { epochsPerLayer: greedyEpochs, batchSize, seed, denoise: { masking: 0.2 } });
      await ae.fit(train, { epochs: args.epochs, batchSize, seed });
    } else {
      await ae.fit(train, { epochs: totalEpochs, batchSize, seed });
    }
    const codes = await ae.encode(test);
    const clusters = kmeans(codes, 10, { seed, nInit: 10 });
    const score = { nmi: nmi(testLabels, clusters.labels), accuracy: clusterAccuracy(testLabels, clusters.labels).accuracy };
    (scores[m] ??= { nmi: [], accuracy: [] }).nmi.push(score.nmi);
    scores[m].accuracy.push(score.accuracy);
    const training = m === 'greedy' ? `greedy ${greedyEpochs}/layer + ${args.epochs} fine-tune` : `scratch ${totalEpochs} epochs`;
    rows.push({ features: `AE codes (10), seed ${seed}`, training, nmi: score.nmi, accuracy: score.accuracy, seconds: (performance.now() - runStarted) / 1000 });
    console.log(`seed ${seed} ${training}: NMI ${score.nmi.toFixed(4)} accuracy ${score.accuracy.toFixed(4)}`);
    ae.dispose();
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const m of modes) {
  if (runs > 1) rows.push({ features: `AE codes, mean of ${runs}`, training: m, nmi: mean(scores[m].nmi), accuracy: mean(scores[m].accuracy), seconds: 0 });
}
printTable(rows);
const main = scores[modes[0]];
printResult({
  nmi: mean(main.nmi),
  accuracy: mean(main.accuracy),
  rawNmi,
  rawAccuracy,
  ...(scores.scratch && mode === 'both' ? { scratchNmi: mean(scores.scratch.nmi), scratchAccuracy: mean(scores.scratch.accuracy) } : {}),
  runs,
  batchSize,
  loss,
  epochs: args.epochs,
  greedyEpochs,
  trainImages: train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
});
