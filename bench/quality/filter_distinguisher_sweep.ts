/**
 * The filter distinguisher's hyperparameter sweep (issue: trained features against random init):
 * each configuration is trained on training images and scored on a validation split carved from
 * the MNIST training images (never the test split) by retrieval precision@10 (cosine, leave-one-out)
 * for several ways of reading features out of the network — the last level (what `encode` gives),
 * all levels concatenated, and both average-pooled — beside the same network at random
 * initialisation read out the same ways, and raw pixels (plain and pooled).
 *
 *   npx tsx bench/quality/filter_distinguisher_sweep.ts [--configs default,threshold-0.2,...] [--train 20000]
 *     [--validation 5000] [--queries 2000] [--seed 0] [--readouts last,last-pooled,concat,concat-pooled]
 *     [--out bench/quality/filter_distinguisher_sweep.jsonl]
 *   npx tsx bench/quality/filter_distinguisher_sweep.ts --test '{"threshold":0.2}' --readout concat
 *     (scores one configuration once on the 10k test images; for the configuration the sweep chose)
 *
 * One JSON line per configuration goes to `--out`; the table is printed at the end.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs';

import { initBackend, formatBackendInfo } from '../../src/backend/init_backend.js';
import { loadMnist } from '../../src/data/mnist.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import type { FilterDistinguisherOptions } from '../../src/methods/filter_distinguisher.js';
import { precisionAtK } from '../../src/probes/knn_probe.js';

/** A configuration of the sweep: constructor options and the fit's sample budget per level. */
interface SweepConfig {
  options: FilterDistinguisherOptions;
  samplesPerLevel?: number;
  batchSize?: number;
}

const CONFIGS: Record<string, SweepConfig> = {
  default: { options: {} },
  'threshold-0.2': { options: { threshold: 0.2 } },
  'threshold-0.1-window-20': { options: { threshold: 0.1, window: 20 }, samplesPerLevel: 40000 },
  'all-levels-trained': { options: { freezeEarlierLevels: false } },
  'channels-16x4': { options: { channels: [1, 16, 16, 16, 16] } },
  'two-levels': { options: { channels: [1, 16, 16] } },
  'one-level-16': { options: { channels: [1, 16] } },
  'one-level-16-threshold-0.1': { options: { channels: [1, 16], threshold: 0.1, window: 20 }, samplesPerLevel: 40000 },
  'original-thresholds': { options: { channels: [1, 16, 16, 16, 16], threshold: 0.3, window: 20, freezeEarlierLevels: false }, samplesPerLevel: 7000, batchSize: 1 },
};

const READOUTS = ['last', 'last-pooled', 'concat', 'concat-pooled'] as const;
type Readout = (typeof READOUTS)[number];

const { values } = parseArgs({
  options: {
    configs: { type: 'string' },
    train: { type: 'string' },
    validation: { type: 'string' },
    queries: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    test: { type: 'string' },
    readout: { type: 'string' },
    readouts: { type: 'string' },
    backend: { type: 'string' },
  },
});
const trainCount = Number(values.train ?? 20000);
const validationCount = Number(values.validation ?? 5000);
const queries = Number(values.queries ?? 2000);
const seed = Number(values.seed ?? 0);
const out = values.out ?? 'bench/quality/filter_distinguisher_sweep.jsonl';
const backend = await initBackend({ backend: values.backend });
console.log(formatBackendInfo(backend));

/** Features of `dataset` read out of the network's levels as `readout` says, as a plain matrix. */
function readFeatures(method: FilterDistinguisher, dataset: ImageDataset, readout: Readout): { data: Float32Array; rows: number; cols: number } {
  const parts: Float32Array[] = [];
  let cols = 0;
  const chunk = 500;
  for (let start = 0; start < dataset.size; start += chunk) {
    const end = Math.min(dataset.size, start + chunk);
    const rows = end - start;
    const block = tf.tidy(() => {
      let x: tf.Tensor4D = tf.tensor4d(dataset.images.subarray(start * 784, end * 784), [rows, 28, 28, 1]);
      const outputs: tf.Tensor2D[] = [];
      for (let l = 0; l < method.levels.length; l++) {
        x = method.levels[l].apply(x) as tf.Tensor4D;
        const keep = readout.startsWith('concat') || l === method.levels.length - 1;
        if (!keep) continue;
        const maps = readout.endsWith('pooled') ? tf.avgPool(x, 2, 2, 'valid') : x;
        const flat = maps.reshape([rows, -1]) as tf.Tensor2D;
        // Each level on the unit sphere, so that no level dominates the concatenation.
        outputs.push(readout.startsWith('concat') ? tf.div(flat, tf.add(tf.norm(flat, 2, 1, true), 1e-12)) : flat);
      }
      return outputs.length === 1 ? outputs[0] : tf.concat(outputs, 1);
    });
    cols = block.shape[1];
    parts.push(block.dataSync() as Float32Array);
    block.dispose();
  }
  const data = new Float32Array(dataset.size * cols);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { data, rows: dataset.size, cols };
}

/** Raw pixels, plain or 2x2 average-pooled. */
function rawFeatures(dataset: ImageDataset, pooled: boolean): { data: Float32Array; rows: number; cols: number } {
  if (!pooled) return { data: dataset.images, rows: dataset.size, cols: 784 };
  const t = tf.tidy(() => tf.avgPool(tf.tensor4d(dataset.images, [dataset.size, 28, 28, 1]), 2, 2, 'valid').reshape([dataset.size, -1]));
  const data = t.dataSync() as Float32Array;
  const cols = t.shape[1]!;
  t.dispose();
  return { data, rows: dataset.size, cols };
}

/**
 * Precision@10 by cosine similarity, leave-one-out, for `queryCount` queries drawn as
 * a seeded draw — computed with TF.js matrix products (the plain-array utility is
 * too slow for 40k-d features); checked against `precisionAtK` at the start.
 */
async function score(features: { data: Float32Array; rows: number; cols: number }, labels: ArrayLike<number>, queryCount: number): Promise<number> {
  const n = features.rows;
  const count = Math.min(queryCount, n);
  // The queries: the first `count` of a seeded permutation (the same for every feature set of a run).
  const order = seededOrder(n, seed).subarray(0, count);
  const all = tf.tidy(() => {
    const x = tf.tensor2d(features.data, [n, features.cols]);
    return tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-12)) as tf.Tensor2D;
  });
  let hits = 0;
  const labelArray = Int32Array.from(labels);
  for (let start = 0; start < count; start += 250) {
    const rows = order.subarray(start, Math.min(count, start + 250));
    const { indices } = tf.tidy(() => {
      const q = tf.gather(all, tf.tensor1d(rows, 'int32'));
      const similarity = tf.matMul(q, all, false, true);
      // Leave the query itself out.
      const self = tf.oneHot(tf.tensor1d(rows, 'int32'), n).mul(-1e9);
      return tf.topk(tf.add(similarity, self), 10);
    });
    const neighbours = indices.dataSync();
    indices.dispose();
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < 10; j++) if (labelArray[neighbours[i * 10 + j]] === labelArray[rows[i]]) hits++;
  }
  all.dispose();
  return hits / (count * 10);
}

/** A seeded permutation of 0..n-1 (mulberry32). */
function seededOrder(n: number, seedValue: number): Int32Array {
  let state = (seedValue * 2654435761 + 1) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const train = await loadMnist({ split: 'train', limit: trainCount });
{
  // The fast scorer agrees with the library's precisionAtK (all rows as queries, so the draw does not matter).
  const small = await loadMnist({ split: 'test', limit: 1000 });
  const features = rawFeatures(small, false);
  const reference = (await precisionAtK(features, small.labels, { k: 10, metric: 'cosine' })).precision;
  const fast = await score(features, small.labels, small.size);
  if (Math.abs(reference - fast) > 2e-3) throw new Error(`fast precision@10 ${fast} differs from precisionAtK ${reference}`);
  console.log(`scorer check: precisionAtK ${reference.toFixed(4)}, fast ${fast.toFixed(4)}`);
}
if (values.test !== undefined) {
  // One configuration, scored once on the test split.
  const readout = (values.readout ?? 'last') as Readout;
  const test = await loadMnist({ split: 'test' });
  const options = JSON.parse(values.test) as FilterDistinguisherOptions & { samplesPerLevel?: number; batchSize?: number };
  const { samplesPerLevel, batchSize, ...methodOptions } = options;
  const random = new FilterDistinguisher({ ...methodOptions, seed });
  random.initialize(train);
  const trained = new FilterDistinguisher({ ...methodOptions, seed });
  await trained.fit(train, { samplesPerLevel: samplesPerLevel ?? 20000, batchSize: batchSize ?? 16, seed });
  const row = {
    split: 'test',
    options,
    readout,
    trained: await score(readFeatures(trained, test, readout), test.labels, test.size),
    random: await score(readFeatures(random, test, readout), test.labels, test.size),
    raw: await score(rawFeatures(test, readout.endsWith('pooled')), test.labels, test.size),
  };
  console.log(`RESULT ${JSON.stringify(row)}`);
  process.exit(0);
}

const validation = await loadMnist({ split: 'train', offset: 60000 - validationCount });
if (trainCount > 60000 - validationCount) throw new Error(`--train ${trainCount} overlaps the validation split (the last ${validationCount} training images).`);
const names = (values.configs ?? Object.keys(CONFIGS).join(',')).split(',');
for (const name of names) if (!(name in CONFIGS)) throw new Error(`unknown configuration '${name}'; known: ${Object.keys(CONFIGS).join(', ')}`);

const raw = { plain: await score(rawFeatures(validation, false), validation.labels, queries), pooled: await score(rawFeatures(validation, true), validation.labels, queries) };
console.log(`raw pixels: precision@10 ${raw.plain.toFixed(4)}, 2x2-pooled ${raw.pooled.toFixed(4)}`);
for (const name of names) {
  const config = CONFIGS[name];
  const started = performance.now();
  const random = new FilterDistinguisher({ ...config.options, seed });
  random.initialize(train);
  const trained = new FilterDistinguisher({ ...config.options, seed });
  await trained.fit(train, { samplesPerLevel: config.samplesPerLevel ?? 20000, batchSize: config.batchSize ?? 16, seed });
  const trainSeconds = (performance.now() - started) / 1000;
  const readouts: Record<string, { trained: number; random: number }> = {};
  const readoutNames = (values.readouts?.split(',') ?? [...READOUTS]) as Readout[];
  for (const readout of readoutNames) {
    if (!READOUTS.includes(readout)) throw new Error(`unknown readout '${readout}'; known: ${READOUTS.join(', ')}`);
    readouts[readout] = {
      trained: await score(readFeatures(trained, validation, readout), validation.labels, queries),
      random: await score(readFeatures(random, validation, readout), validation.labels, queries),
    };
    console.log(`${name} ${readout}: trained ${readouts[readout].trained.toFixed(4)}, random init ${readouts[readout].random.toFixed(4)}`);
  }
  const row = { name, ...config, stages: trained.stages, trainSeconds, readouts, raw, validation: validationCount, queries, trainImages: train.size, seed, backend: backend.name, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
  fs.appendFileSync(out, `${JSON.stringify(row)}\n`);
  random.dispose();
  trained.dispose();
}
