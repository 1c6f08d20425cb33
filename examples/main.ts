/**
 * `npm start`: the main job, a real unsupervised run on embedded MNIST in a few minutes on a
 * laptop CPU, done with the CLI's own train / eval / plot functions. A dense autoencoder is
 * trained without labels on the training images into the run directory `runs/main` (metrics.jsonl,
 * a checkpoint after every epoch); its codes of the 10k test images are clustered by k-means
 * (k = 10) and scored by Hungarian accuracy, NMI and ARI against the true digits, and probed by a
 * linear and a kNN classifier; the plots go to `runs/main/plots`, everything to
 * `runs/main/report.json`. k-means on raw and on PCA-whitened pixels are the baselines.
 *
 *   npm start -- [--epochs 4] [--limit 20000] [--seed 0] [--backend auto|tensorflow|wasm|cpu] [--out runs/main]
 *
 * The same run from the command line:
 *   tfjs-unsupervised train autoencoder --limit 20000 --epochs 4 --out runs/main --overwrite
 *   tfjs-unsupervised eval runs/main && tfjs-unsupervised plot runs/main
 */
import * as path from 'node:path';

import { evaluateRun } from '../src/cli/commands/eval.js';
import { plotRun } from '../src/cli/commands/plot.js';
import { trainRun } from '../src/cli/commands/train.js';
import { displayPath } from '../src/cli/io.js';
import { kmeans } from '../src/cluster/kmeans.js';
import { l2Normalize } from '../src/cluster/l2_normalize.js';
import type { MatrixInput } from '../src/cluster/matrix.js';
import { pcaWhiten } from '../src/cluster/pca_whiten.js';
import { loadMnist } from '../src/data/mnist.js';
import { ari } from '../src/metrics/ari.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { writeJsonAtomic } from '../src/train/model_io.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('tfjs-unsupervised: clustering MNIST without labels', { epochs: 4, limit: 20000 }, { out: { type: 'string' } });
const out = path.resolve((args.extra.out as string | undefined) ?? 'runs/main');
const test = await loadMnist({ split: 'test' });
const labels = test.labels;

interface Scores {
  nmi: number;
  ari: number;
  accuracy: number;
}
const rows: Array<Record<string, string | number>> = [];

function scoreBaseline(features: string, x: MatrixInput): Scores {
  const t = performance.now();
  const clusters = kmeans(x, 10, { seed: args.seed, nInit: 10 }).labels;
  const result = { nmi: nmi(labels, clusters), ari: ari(labels, clusters), accuracy: clusterAccuracy(labels, clusters).accuracy };
  rows.push({ features, ...result, seconds: (performance.now() - t) / 1000 });
  console.log(`${features}: NMI ${result.nmi.toFixed(4)}, ARI ${result.ari.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}`);
  return result;
}

const raw = scoreBaseline('raw pixels (784)', { data: test.images, rows: test.size, cols: 784 });
const whitened = scoreBaseline('PCA-whitened pixels (50), L2', l2Normalize(pcaWhiten({ data: test.images, rows: test.size, cols: 784 }, { nComponents: 50 })));

// The run: train (checkpoint every epoch), evaluate, plot — the CLI's own functions.
let t = performance.now();
const trained = await trainRun({
  method: 'autoencoder',
  dataset: 'mnist',
  limit: args.limit,
  epochs: args.epochs,
  seed: args.seed,
  out,
  overwrite: true,
  backend: `${args.backend.name} (${args.backend.device})`,
});
const trainSeconds = (performance.now() - t) / 1000;
t = performance.now();
const evaluation = await evaluateRun(out, { split: 'test', limit: 10000 });
rows.push({
  features: `autoencoder codes (10), ${trained.train.size} images × ${trained.epochsTrained} epochs`,
  nmi: evaluation.clustering.nmi,
  ari: evaluation.clustering.ari,
  accuracy: evaluation.clustering.accuracy,
  seconds: trainSeconds + evaluation.seconds,
});
t = performance.now();
const plots = await plotRun(out, { split: 'test', limit: 5000 });
const plotSeconds = (performance.now() - t) / 1000;

const result = {
  nmi: evaluation.clustering.nmi,
  accuracy: evaluation.clustering.accuracy,
  ari: evaluation.clustering.ari,
  linearProbeAccuracy: evaluation.linearProbe?.accuracy,
  knnAccuracy: evaluation.knnProbe?.accuracy,
  rawNmi: raw.nmi,
  rawAccuracy: raw.accuracy,
  whitenedNmi: whitened.nmi,
  whitenedAccuracy: whitened.accuracy,
  epochs: trained.epochsTrained,
  trainImages: trained.train.size,
  backend: args.backend.name,
  wallSeconds: (performance.now() - started) / 1000,
};
const reportFile = path.join(out, 'report.json');
await writeJsonAtomic(reportFile, {
  ...result,
  baselines: { rawPixels: raw, whitenedPixels: whitened },
  evaluation,
  training: { seconds: trainSeconds, checkpoint: trained.checkpoint.directory, history: trained.epochsRun },
  plots: { seconds: plotSeconds, files: plots.files },
  run: out,
});

console.log('');
printTable(rows);
console.log(`linear probe accuracy ${evaluation.linearProbe?.accuracy.toFixed(4)}, kNN accuracy ${evaluation.knnProbe?.accuracy.toFixed(4)} (on the codes; labels used only to score)`);
console.log(`report: ${displayPath(reportFile)}`);
console.log(`plots:  ${plots.files.filter((f) => f.endsWith('.png')).map(displayPath).join(', ')}`);
console.log(`run:    ${displayPath(out)} (tfjs-unsupervised eval|embed|plot ${displayPath(out)})`);
printResult(result);
