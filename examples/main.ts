/**
 * `npm start`: the main job, the strongest unsupervised result that fits in about 5 minutes on a
 * 2-core laptop CPU, done with the CLI's own train / eval / plot functions. IIC (Ji et al. 2019)
 * clusters the 60k MNIST training images without labels into the run directory `runs/main`
 * (metrics.jsonl, a checkpoint after every epoch) with the `train` command's recipe for the
 * backend (on a CPU: the quarter-width VGG, λ = 1.5, both heads every step, learning rate 1e-3);
 * its clusters of the 10k test images are scored by Hungarian accuracy, NMI and ARI against the
 * true digits, beside k-means (k = 10) on the raw pixels; the plots go to `runs/main/plots`,
 * everything to `runs/main/report.json`.
 *
 *   npm start -- [--epochs 2] [--limit 60000] [--seed 0] [--backend auto|tensorflow|wasm|cpu] [--out runs/main] [--probes]
 *
 * `--probes` adds the linear and kNN probes of `eval` (and their random-init baseline; about a
 * minute more). The same run from the command line:
 *   tfjs-unsupervised train iic --epochs 2 --out runs/main --overwrite
 *   tfjs-unsupervised eval runs/main && tfjs-unsupervised plot runs/main
 */
import * as path from 'node:path';

import { evaluateRun } from '../src/cli/commands/eval.js';
import { plotRun } from '../src/cli/commands/plot.js';
import { recipeDevice, trainRun } from '../src/cli/commands/train.js';
import { displayPath } from '../src/cli/io.js';
import { kmeans } from '../src/cluster/kmeans.js';
import { loadMnist } from '../src/data/mnist.js';
import { ari } from '../src/metrics/ari.js';
import { clusterAccuracy } from '../src/metrics/cluster_accuracy.js';
import { nmi } from '../src/metrics/nmi.js';
import { writeJsonAtomic } from '../src/train/model_io.js';
import { printResult, printTable, startExample } from './common.js';

const started = performance.now();
const args = await startExample('tfjs-unsupervised: clustering MNIST digits without labels (IIC)', { epochs: 2 }, { out: { type: 'string' }, probes: { type: 'boolean' } });
const out = path.resolve((args.extra.out as string | undefined) ?? 'runs/main');
const probes = args.extra.probes === true;
const test = await loadMnist({ split: 'test' });
const labels = test.labels;

// The baseline: k-means on the raw pixels of the test images.
let t = performance.now();
const rawClusters = kmeans({ data: test.images, rows: test.size, cols: 784 }, 10, { seed: args.seed, nInit: 10 }).labels;
const raw = { accuracy: clusterAccuracy(labels, rawClusters).accuracy, nmi: nmi(labels, rawClusters), ari: ari(labels, rawClusters), seconds: (performance.now() - t) / 1000 };
console.log(`baseline, k-means on raw pixels: accuracy ${raw.accuracy.toFixed(4)}, NMI ${raw.nmi.toFixed(4)}, ARI ${raw.ari.toFixed(4)} (${raw.seconds.toFixed(1)} s)`);

// The run: train (checkpoint every epoch), evaluate, plot — the CLI's own functions.
t = performance.now();
const trained = await trainRun({
  method: 'iic',
  dataset: 'mnist',
  limit: args.limit,
  epochs: args.epochs,
  seed: args.seed,
  out,
  overwrite: true,
  backend: `${args.backend.name} (${args.backend.device})`,
  device: recipeDevice(args.backend),
});
const trainSeconds = (performance.now() - t) / 1000;
const evaluation = await evaluateRun(out, { split: 'test', limit: 10000, probes });
t = performance.now();
const plots = await plotRun(out, { split: 'test', limit: 2000 });
const plotSeconds = (performance.now() - t) / 1000;

const options = trained.config.methodOptions;
const rows: Array<Record<string, string | number>> = [
  { clusters: 'k-means on raw pixels (784)', accuracy: raw.accuracy, NMI: raw.nmi, ARI: raw.ari, seconds: raw.seconds },
  {
    clusters: `IIC (VGG ${String(options.backbone)}), ${trained.epochsTrained} × ${trained.train.size} images`,
    accuracy: evaluation.clustering.accuracy,
    NMI: evaluation.clustering.nmi,
    ARI: evaluation.clustering.ari,
    seconds: trainSeconds + evaluation.seconds,
  },
];
const result = {
  accuracy: evaluation.clustering.accuracy,
  nmi: evaluation.clustering.nmi,
  ari: evaluation.clustering.ari,
  rawAccuracy: raw.accuracy,
  rawNmi: raw.nmi,
  rawAri: raw.ari,
  linearProbeAccuracy: evaluation.linearProbe?.accuracy,
  knnAccuracy: evaluation.knnProbe?.accuracy,
  epochs: trained.epochsTrained,
  trainImages: trained.train.size,
  recipe: trained.config.recipe?.name,
  backend: args.backend.name,
  threads: args.backend.threads,
  trainSeconds,
  wallSeconds: (performance.now() - started) / 1000,
};
const reportFile = path.join(out, 'report.json');
await writeJsonAtomic(reportFile, {
  ...result,
  baselines: { rawPixels: raw },
  evaluation,
  training: { seconds: trainSeconds, config: trained.config, checkpoint: trained.checkpoint.directory, history: trained.epochsRun },
  plots: { seconds: plotSeconds, files: plots.files },
  run: out,
});

console.log('');
console.log(`backend ${args.backend.name} (${args.backend.device}${args.backend.threads !== undefined ? `, ${args.backend.threads} thread${args.backend.threads === 1 ? '' : 's'}` : ''}); MNIST test images, labels used only to score`);
printTable(rows);
console.log(`report: ${displayPath(reportFile)}`);
console.log(`plots:  ${plots.files.filter((f) => f.endsWith('.png')).map(displayPath).join(', ')}`);
console.log(`run:    ${displayPath(out)} (tfjs-unsupervised eval|embed|plot ${displayPath(out)}; train --out ${displayPath(out)} --resume --epochs N to train on)`);
printResult(result);
