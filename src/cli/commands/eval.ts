/**
 * `tfjs-unsupervised eval <run>`: clustering scores (Hungarian accuracy, NMI, ARI) of the run's
 * clusters — the method's own, or k-means on its embeddings — and linear and kNN probes on its
 * embeddings, fitted on training-split features and scored on test-split features, each beside
 * the same scores of the untrained network (same backbone and seed: the weights training started
 * from), so that a score can be judged. Prints a table and writes `<run>/eval.json` atomically.
 */
import * as path from 'node:path';

import type { ImageDataset } from '../../data/dataset.js';
import { ari } from '../../metrics/ari.js';
import { clusterAccuracy } from '../../metrics/cluster_accuracy.js';
import { nmi } from '../../metrics/nmi.js';
import { knnProbe } from '../../probes/knn_probe.js';
import { linearProbe } from '../../probes/linear_probe.js';
import { writeJsonAtomic } from '../../train/model_io.js';
import type { FeatureMatrix } from '../../train/unsupervised_method.js';
import type { CommandHelp } from '../args.js';
import type { DatasetSplit } from '../datasets.js';
import { displayPath, formatTable, plural, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { loadRunSplit, requireLabels, runClusters, SPLITS } from '../run_analysis.js';
import { openRun } from '../run_directory.js';
import type { TrainableMethod } from '../method_registry.js';
import { BACKEND_OPTION } from './backend.js';
import { parseRunCommand } from './run_command.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Split the clustering scores are computed on. Default `'test'`. */
  split?: DatasetSplit;
  /** Images of each split used (from the first). Default 10000. */
  limit?: number;
  /** Fit the linear and kNN probes. Default `true`. */
  probes?: boolean;
  /** Neighbours of the kNN probe. Default 20. */
  knnK?: number;
  /** Clusters of k-means for methods that do not cluster themselves. Default: the number of classes. */
  k?: number;
  /**
   * Score the untrained network too (the run's method and options, same seed, weights as
   * initialised): the baseline a trained score is judged against. Default `true`.
   */
  baseline?: boolean;
  /** Where to write. Default: the process's streams. */
  io?: CliIo;
}

/** `<run>/eval.json`. */
export interface EvalReport {
  run: string;
  method: string;
  dataset: string;
  epochsTrained: number;
  /** The run's seed (also the random-init baseline's). */
  seed: number;
  /** The checkpoint evaluated, relative to the run. */
  checkpoint: string;
  split: DatasetSplit;
  images: number;
  embeddingSize: number;
  clustering: {
    /** `'predict'`: the method's clusters; `'kmeans'`: k-means on the embeddings. */
    source: 'predict' | 'kmeans';
    clusters: number;
    accuracy: number;
    nmi: number;
    ari: number;
  };
  /** Softmax classifier on frozen embeddings: fitted on the train split, scored on the test split. */
  linearProbe?: { accuracy: number; trainAccuracy: number; trainImages: number; testImages: number };
  /** k-nearest-neighbour vote (cosine) of train-split embeddings, scored on the test split. */
  knnProbe?: { k: number; accuracy: number; trainImages: number; testImages: number };
  /** The same scores of the untrained network (same method, options and seed; weights as initialised). */
  randomInit?: RandomInitScores;
  seconds: number;
  created: string;
}

/** Scores of the untrained network, beside the trained ones. */
export interface RandomInitScores {
  clustering: { accuracy: number; nmi: number; ari: number };
  linearProbe?: { accuracy: number };
  knnProbe?: { accuracy: number };
}

/** The flags of `eval`. */
const HELP: CommandHelp = {
  usage: 'eval <run> [options]',
  summary:
    "Score a run's last checkpoint: Hungarian accuracy, NMI and ARI of its clusters (its own for iic and\ndeepcluster, else k-means on the embeddings), and linear / kNN probes on the embeddings (fitted on\ntrain-split features, scored on test-split features). Writes <run>/eval.json.",
  options: [
    { name: 'split', kind: 'string', choices: SPLITS, description: 'split the clustering scores are computed on', default: 'test' },
    { name: 'limit', kind: 'integer', min: 1, description: 'images of each split (from the first)', default: 10000 },
    { name: 'k', kind: 'integer', min: 2, description: 'k-means clusters for methods that do not cluster (default: the number of classes)' },
    { name: 'knn-k', kind: 'integer', min: 1, description: 'neighbours of the kNN probe', default: 20 },
    { name: 'no-probes', kind: 'boolean', description: 'skip the linear and kNN probes' },
    { name: 'no-baseline', kind: 'boolean', description: 'skip the scores of the untrained network (same backbone and seed) beside them' },
    BACKEND_OPTION,
  ],
};

/**
 * Evaluates a run's last checkpoint (see the module comment) and writes `<run>/eval.json`.
 *
 * @throws {@link CliUsageError} when the folder holds no run or checkpoint, or the data has no labels.
 */
export async function evaluateRun(runDirectory: string, options: EvaluateRunOptions = {}): Promise<EvalReport> {
  const started = performance.now();
  const io = options.io ?? processIo();
  const split = options.split ?? 'test';
  const limit = options.limit ?? 10000;
  const probes = options.probes ?? true;
  const baseline = options.baseline ?? true;
  const run = await openRun(path.resolve(runDirectory), 'eval', (line) => writeLine(io.stderr, line));
  let untrained: TrainableMethod | undefined;
  try {
    const encode = async (dataset: ImageDataset): Promise<FeatureMatrix> => run.method.encode(dataset);
    const evalSet = await loadRunSplit(run, split, limit, 'eval');
    const labels = requireLabels(evalSet, 'eval', 'eval');
    const evalFeatures = await encode(evalSet);
    const { clusters, source, k } = await runClusters(run, evalSet, evalFeatures, { k: options.k });
    let otherSet: ImageDataset | undefined;
    let otherLabels: Int32Array | undefined;
    if (probes) {
      otherSet = await loadRunSplit(run, split === 'test' ? 'train' : 'test', limit, 'eval');
      otherLabels = requireLabels(otherSet, 'the probes', 'eval');
    }
    const report: EvalReport = {
      run: run.directory,
      method: run.config.method,
      dataset: run.config.dataset,
      epochsTrained: run.checkpoint.manifest.epoch,
      seed: run.config.seed,
      checkpoint: path.relative(run.directory, run.checkpoint.directory),
      split,
      images: evalSet.size,
      embeddingSize: evalFeatures.cols,
      clustering: { source, clusters: k, accuracy: clusterAccuracy(labels, clusters).accuracy, nmi: nmi(labels, clusters), ari: ari(labels, clusters) },
      seconds: 0,
      created: '',
    };
    /** Linear and kNN probes on features of the eval split and the other split. */
    const probe = async (evalFeatures: FeatureMatrix, otherFeatures: FeatureMatrix) => {
      const [train, trainLabels, test, testLabels] =
        split === 'test' ? [otherFeatures, otherLabels!, evalFeatures, labels] : [evalFeatures, labels, otherFeatures, otherLabels!];
      const linear = await linearProbe(train, trainLabels, test, testLabels, { seed: run.config.seed });
      const knnK = Math.min(options.knnK ?? 20, train.rows);
      const knn = await knnProbe(train, trainLabels, test, testLabels, { k: knnK });
      return {
        linear: { accuracy: linear.accuracy, trainAccuracy: linear.trainAccuracy, trainImages: train.rows, testImages: test.rows },
        knn: { k: knnK, accuracy: knn.accuracy, trainImages: train.rows, testImages: test.rows },
      };
    };
    if (probes) {
      const scores = await probe(evalFeatures, await encode(otherSet!));
      report.linearProbe = scores.linear;
      report.knnProbe = scores.knn;
    }
    if (baseline) {
      // The weights training started from: the trained method's resolved configuration (seed included), untrained.
      untrained = run.method.untrainedCopy().initialize(evalSet);
      const randomRun = { ...run, method: untrained };
      const randomFeatures = await untrained.encode(evalSet);
      const random = await runClusters(randomRun, evalSet, randomFeatures, { k: options.k });
      report.randomInit = {
        clustering: { accuracy: clusterAccuracy(labels, random.clusters).accuracy, nmi: nmi(labels, random.clusters), ari: ari(labels, random.clusters) },
      };
      if (probes) {
        const scores = await probe(randomFeatures, await untrained.encode(otherSet!));
        report.randomInit.linearProbe = { accuracy: scores.linear.accuracy };
        report.randomInit.knnProbe = { accuracy: scores.knn.accuracy };
      }
    }
    report.seconds = (performance.now() - started) / 1000;
    report.created = new Date().toISOString();
    await writeJsonAtomic(path.join(run.directory, 'eval.json'), report);
    printReport(report, io);
    return report;
  } finally {
    run.method.dispose();
    untrained?.dispose();
  }
}

function printReport(report: EvalReport, io: CliIo): void {
  const c = report.clustering;
  const how = c.source === 'predict' ? `${report.method}'s own clusters` : `k-means (k=${c.clusters}) on the ${report.embeddingSize}-d embeddings`;
  writeLine(io.stdout, `${report.method}, ${plural(report.epochsTrained, 'epoch')} (${report.checkpoint}), ${report.dataset} ${report.split} split, ${report.images} images`);
  const random = report.randomInit;
  // The random-init column only when there is one (eval --no-baseline leaves it out).
  const row = (score: string, trained: number, untrained: number | undefined, of: string): Record<string, string | number> =>
    random === undefined ? { score, trained, of } : { score, trained, 'random init': untrained ?? '', of };
  const rows: Array<Record<string, string | number>> = [
    row('accuracy (Hungarian)', c.accuracy, random?.clustering.accuracy, how),
    row('NMI', c.nmi, random?.clustering.nmi, how),
    row('ARI', c.ari, random?.clustering.ari, how),
  ];
  if (report.linearProbe) rows.push(row('linear probe accuracy', report.linearProbe.accuracy, random?.linearProbe?.accuracy, `fitted on ${report.linearProbe.trainImages} train, scored on ${report.linearProbe.testImages} test images`));
  if (report.knnProbe) rows.push(row(`kNN probe accuracy (k=${report.knnProbe.k})`, report.knnProbe.accuracy, random?.knnProbe?.accuracy, 'cosine similarity to train-split embeddings'));
  writeLine(io.stdout, formatTable(rows));
  if (random !== undefined) writeLine(io.stdout, `random init: the same network untrained (seed ${report.seed}), where training started`);
  writeLine(io.stdout, `wrote ${displayPath(path.join(report.run, 'eval.json'))} (${report.seconds.toFixed(1)} s)`);
}

/** Runs `eval` with its arguments; returns the exit code. */
export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = await parseRunCommand('eval', argv, HELP, io);
  if (parsed === undefined) return 0;
  const { run, values } = parsed;
  await evaluateRun(run, {
    split: values.split as DatasetSplit | undefined,
    limit: values.limit as number | undefined,
    probes: values['no-probes'] !== true,
    baseline: values['no-baseline'] !== true,
    knnK: values['knn-k'] as number | undefined,
    k: values.k as number | undefined,
    io,
  });
  return 0;
}
