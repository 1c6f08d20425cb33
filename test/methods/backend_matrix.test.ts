/**
 * A small backend and thread matrix for the methods: a tiny seeded fit of each (the six methods,
 * and the MINE encoder) on wasm with 1 thread and with 2 threads — each in a child process, since a
 * backend starts once per process — gives the same weights and outputs; the models the 2-thread run
 * saves load on the cpu backend here and give the same outputs. (MINE, the estimator, has no
 * save/load: its statistics network's weights are set on cpu instead, and its bound compared.)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { bivariateGaussian } from '../../src/data/paired_samples.js';
import { Autoencoder, DeepCluster, FilterDistinguisher, IIC, MINE, MineEncoder, RelationalReasoning } from '../../src/methods/index.js';
import { syntheticImages } from '../helpers/synthetic_images.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-backend-matrix-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The data and method settings, shared by the children and this process (rebuilt from the same seeds). */
const DATA = { size: 24, side: 12, seed: 3 } as const;
const PAIRS = { size: 512, rho: 0.6, seed: 4 } as const;

/** What a child reports per method: every weight of its models, flattened, and its outputs on the data. */
type MethodReport = { weights: number[]; outputs: number[] };
type ChildReport = { threads: number; methods: Record<string, MethodReport> };

const url = (relative: string) => JSON.stringify(pathToFileURL(path.join(root, relative)).href);

/**
 * The child: starts wasm with argv[2] threads, trains each method for a few steps, prints a
 * {@link ChildReport} and, given argv[3], saves the models there. Written to a temporary folder and
 * run with tsx; it imports the library by absolute paths.
 */
const CHILD_SOURCE = `import { initBackend } from ${url('src/backend/init_backend.ts')};
import { bivariateGaussian } from ${url('src/data/paired_samples.ts')};
import { Autoencoder, DeepCluster, FilterDistinguisher, IIC, MINE, MineEncoder, RelationalReasoning } from ${url('src/methods/index.ts')};
import { syntheticImages } from ${url('test/helpers/synthetic_images.ts')};

const threads = Number(process.argv[2]);
const saveTo = process.argv[3];
const info = await initBackend({ backend: 'wasm', threads });
const data = syntheticImages(${DATA.size}, { side: ${DATA.side}, seed: ${DATA.seed} });
const pairs = bivariateGaussian(${PAIRS.size}, ${PAIRS.rho}, ${PAIRS.seed});
const views = { centerCrop: 10, outputSize: 10, randomCropSizes: [8, 10], maxRotationDegrees: 10 };
const fit = { epochs: 2, batchSize: 8, learningRate: 3e-3, progress: 'none' };
const flat = (models) => models.flatMap((m) => m.getWeights().flatMap((w) => Array.from(w.dataSync())));
const methods = {};
const record = async (name, method, models, outputs) => {
  methods[name] = { weights: flat(models), outputs: Array.from(outputs) };
  if (saveTo && method.save) await method.save(saveTo + '/' + name);
  method.dispose();
};
let m = new Autoencoder({ layers: [144, 8, 3], seed: 1 });
await m.fit(data, fit);
await record('autoencoder', m, [m.encoder, m.decoder], (await m.encode(data)).data);
m = new DeepCluster({ backbone: [4, 'M', 8, 'M'], numClusters: 3, featureSize: 8, pcaComponents: 4, seed: 1 });
await m.fit(data, fit);
await record('deepCluster', m, [m.backbone, m.head], (await m.encode(data)).data);
m = new FilterDistinguisher({ channels: [1, 3, 2], hiddenChannels: 4, seed: 1 });
await m.fit(data, { samplesPerLevel: 32, batchSize: 8, learningRate: 3e-3, progress: 'none' });
await record('filterDistinguisher', m, m.levels, (await m.encode(data)).data);
m = new IIC({ backbone: [4, 'M', 8, 'M'], numClusters: 3, overclusterClusters: 4, subHeads: 2, views, seed: 1 });
await m.fit(data, fit);
await record('iic', m, [m.backbone, ...m.heads], (await m.predictProbabilities(data)).data);
m = new RelationalReasoning({ channels: [4, 8], headUnits: 8, views: 2, seed: 1 });
await m.fit(data, fit);
await record('relationalReasoning', m, [m.backbone, m.head], (await m.encode(data)).data);
m = new MineEncoder({ backbone: [4, 'M', 8, 'M'], latentSize: 3, statisticsUnits: 8, views, seed: 1 });
await m.fit(data, fit);
await record('mineEncoder', m, [m.encoder, m.statistics], (await m.encode(data)).data);
m = new MINE({ hiddenUnits: [8], seed: 1 });
await m.fit(pairs, { epochs: 2, batchSize: 128, learningRate: 3e-3, progress: 'none' });
await record('mine', m, [m.statistics], [await m.evaluate(pairs)]);
console.log(JSON.stringify({ threads: info.threads, methods }));
`;

writeFileSync(path.join(directory, 'package.json'), JSON.stringify({ type: 'module' }));
writeFileSync(path.join(directory, 'child.ts'), CHILD_SOURCE);

/** Runs the child; it must exit 0 by itself within the timeout. */
function runChild(threads: number, saveTo = ''): ChildReport {
  const child = spawnSync(tsx, [path.join(directory, 'child.ts'), String(threads), saveTo], { cwd: root, encoding: 'utf8', timeout: 90_000 });
  // The end of stderr only: an uncaught error prints the whole wasm glue code before its message.
  const stderr = child.stderr.slice(-2000);
  expect(child.signal, `child with ${threads} threads was killed: ${stderr}`).toBeNull();
  expect(child.status, stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

/** Largest difference between two equally long vectors, relative to max(1, |a|). */
function worstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
  return worst;
}

const METHODS = ['autoencoder', 'deepCluster', 'filterDistinguisher', 'iic', 'relationalReasoning', 'mineEncoder', 'mine'] as const;
const saved = path.join(directory, 'saved');
let twoThreads: ChildReport | undefined;

describe('backend and thread matrix (child processes)', () => {
  it('a tiny fit of every method on wasm gives the same weights and outputs with 1 and 2 threads', () => {
    const one = runChild(1);
    twoThreads = runChild(2, saved);
    expect(one.threads).toBe(1);
    expect(twoThreads.threads).toBe(2);
    for (const name of METHODS) {
      const a = one.methods[name];
      const b = twoThreads.methods[name];
      expect(a.weights.length, name).toBeGreaterThan(0);
      expect(a.weights.every(Number.isFinite), name).toBe(true);
      // Identical here (XNNPACK splits the work, not the sums); a little room for other CPUs.
      expect(worstDifference(a.weights, b.weights), `${name} weights`).toBeLessThan(1e-6);
      expect(worstDifference(a.outputs, b.outputs), `${name} outputs`).toBeLessThan(1e-6);
    }
  }, 180_000);

  it('the models saved on wasm with 2 threads load on cpu and give the same outputs', async () => {
    expect(twoThreads, 'the 2-thread run of the test above').toBeDefined();
    const expected = twoThreads!.methods;
    await initBackend({ backend: 'cpu' });
    const data = syntheticImages(DATA.size, { side: DATA.side, seed: DATA.seed });
    const outputs: Record<string, Float32Array> = {};
    const autoencoder = await Autoencoder.load(path.join(saved, 'autoencoder'));
    outputs.autoencoder = (await autoencoder.encode(data)).data;
    const deepCluster = await DeepCluster.load(path.join(saved, 'deepCluster'));
    outputs.deepCluster = (await deepCluster.encode(data)).data;
    const filterDistinguisher = await FilterDistinguisher.load(path.join(saved, 'filterDistinguisher'));
    outputs.filterDistinguisher = (await filterDistinguisher.encode(data)).data;
    const iic = await IIC.load(path.join(saved, 'iic'));
    outputs.iic = (await iic.predictProbabilities(data)).data;
    const relationalReasoning = await RelationalReasoning.load(path.join(saved, 'relationalReasoning'));
    outputs.relationalReasoning = (await relationalReasoning.encode(data)).data;
    const mineEncoder = await MineEncoder.load(path.join(saved, 'mineEncoder'));
    outputs.mineEncoder = (await mineEncoder.encode(data)).data;
    // MINE has no save/load: its statistics network gets the 2-thread run's weights.
    const pairs = bivariateGaussian(PAIRS.size, PAIRS.rho, PAIRS.seed);
    const mine = new MINE({ hiddenUnits: [8], seed: 1 }).initialize(pairs);
    const shapes = mine.statistics!.getWeights().map((w) => w.shape);
    let offset = 0;
    const weights = shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = expected.mine.weights.slice(offset, offset + size);
      offset += size;
      return tf.tensor(values, shape);
    });
    expect(offset).toBe(expected.mine.weights.length);
    mine.statistics!.setWeights(weights);
    tf.dispose(weights);
    outputs.mine = Float32Array.of(await mine.evaluate(pairs));
    // Different kernels, same float32 arithmetic up to summation order: within 6e-7 here.
    for (const name of METHODS) expect(worstDifference(expected[name].outputs, outputs[name]), `${name} on cpu`).toBeLessThan(1e-5);
    for (const method of [autoencoder, deepCluster, filterDistinguisher, iic, relationalReasoning, mineEncoder, mine]) method.dispose();
  });
});
