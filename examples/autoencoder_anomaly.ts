/**
 * Per-class autoencoders as a classifier and anomaly detector on MNIST: one small autoencoder
 * per digit 0–8, trained on those digits only. On the 10k test images: the classifier's accuracy
 * on digits 0–8, and the AUROC of the anomaly score (smallest reconstruction error) for the
 * held-out digit 9 against digits 0–8.
 *
 *   npx tsx examples/autoencoder_anomaly.ts [--epochs 10] [--limit 60000] [--seed 0] [--held-out 9]
 */
import { loadMnist } from '../src/data/mnist.js';
import { AutoencoderClassifier } from '../src/methods/autoencoder_classifier.js';
import { rocAuc } from '../src/metrics/roc_auc.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('Per-class autoencoders: classifier and anomaly detector on MNIST', { epochs: 10 }, { 'held-out': { type: 'string' } });
const heldOut = Number(args.extra['held-out'] ?? 9);
if (!Number.isInteger(heldOut) || heldOut < 0 || heldOut > 9) {
  console.error(`--held-out must be a digit 0–9, got ${String(args.extra['held-out'])}.`);
  process.exit(2);
}
const known = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d !== heldOut);

const train = await loadMnist({ split: 'train', limit: args.limit });
const test = await loadMnist({ split: 'test' });
const classifier = new AutoencoderClassifier({ autoencoder: { layers: [784, 128, 32], seed: args.seed } });
await classifier.fit(train, { epochs: args.epochs, batchSize: 128, seed: args.seed, classes: known, progress: 'none' });
const scores = await classifier.score(test);

const labels = test.labels!;
const isAnomaly = Array.from(labels, (l) => (l === heldOut ? 1 : 0));
const auroc = rocAuc(isAnomaly, scores.anomalyScores);
const knownRows = Array.from(labels).flatMap((l, i) => (l === heldOut ? [] : [i]));
let correct = 0;
for (const i of knownRows) if (scores.predictions[i] === labels[i]) correct++;
const accuracy = correct / knownRows.length;

const perDigit = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((digit) => {
  const rows = Array.from(labels).flatMap((l, i) => (l === digit ? [i] : []));
  const meanScore = rows.reduce((s, i) => s + scores.anomalyScores[i], 0) / rows.length;
  const hits = rows.reduce((s, i) => s + (scores.predictions[i] === digit ? 1 : 0), 0);
  return { digit: String(digit), role: digit === heldOut ? 'held out' : 'known', images: rows.length, 'mean anomaly score': meanScore, accuracy: digit === heldOut ? '-' : (hits / rows.length).toFixed(4) };
});
printTable(perDigit);
console.log(`classifier accuracy on digits ${known.join(',')}: ${accuracy.toFixed(4)}; AUROC of the anomaly score for digit ${heldOut}: ${auroc.toFixed(4)}`);
printResult({ auroc, accuracy, heldOut, epochs: args.epochs, trainImages: train.size, backend: args.backend.name, wallSeconds: (performance.now() - started) / 1000 });
