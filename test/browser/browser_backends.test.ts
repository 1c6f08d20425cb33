/**
 * The browser bundle in headless Chromium on webgpu (SwiftShader), webgl and wasm (threaded: the
 * page is cross-origin isolated): the metrics equal Node's on the scikit-learn fixtures, k-means
 * equals Node's and its inertia falls, an autoencoder and a tiny IIC (its starved-cluster check splitting a
 * cluster) train with falling loss, and
 * an autoencoder trained and saved in Node loads in the page (UrlModelStore over HTTP) and gives
 * Node's embeddings within 1e-4. Tiny shapes: SwiftShader is slow.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kmeans } from '../../src/cluster/kmeans.js';
import * as coreApi from '../../src/index.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { ari } from '../../src/metrics/ari.js';
import { clusterAccuracy } from '../../src/metrics/cluster_accuracy.js';
import { nmi } from '../../src/metrics/nmi.js';
import { blobImages } from '../helpers/synthetic.js';
import { browserTestsRun, buildBrowserBundle, closeLibraryPage, openLibraryPage, requireChromium, root } from './helpers.js';
import type { LibraryPage } from './helpers.js';

const runs = browserTestsRun('test/browser/browser_backends.test.ts');
const folder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-browser-backends-'));
let opened: LibraryPage | undefined;
let page: Page;

/** The scikit-learn clustering fixtures (labels and sklearn's scores). */
const clusterings = (JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', 'metrics-sklearn.json'), 'utf8')) as { clustering: Array<{ labelsTrue: number[]; labelsPred: number[] }> }).clustering;
const nodeMetrics = clusterings.map(({ labelsTrue, labelsPred }) => ({ nmi: nmi(labelsTrue, labelsPred), ari: ari(labelsTrue, labelsPred), accuracy: clusterAccuracy(labelsTrue, labelsPred).accuracy }));

/** Points in three blobs for k-means. */
const points = Array.from({ length: 60 }, (_, i) => [Math.floor(i / 20) * 3 + Math.sin(i * 1.7), Math.floor(i / 20) * -2 + Math.cos(i * 2.3)]);
const nodeKmeans = kmeans(points, 3, { seed: 5, nInit: 2 });

/** 16x16 one-channel images for the methods. */
const images = blobImages(96, { side: 16, classes: 3, seed: 7 });
const imageData = { images: Array.from(images.images), shape: images.shape, size: images.size };
let nodeEmbeddings: number[] = [];

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  await tf.setBackend('cpu');
  await buildBrowserBundle(folder);
  // A model trained and saved in Node, served beside the page.
  const trained = new Autoencoder({ layers: [256, 16, 3], seed: 3 });
  await trained.fit(images, { epochs: 1, batchSize: 32, progress: 'none' });
  await trained.save(path.join(folder, 'models', 'autoencoder'));
  nodeEmbeddings = Array.from((await trained.encode(images)).data);
  trained.dispose();
  opened = await openLibraryPage(folder, { onPageError: (error) => console.error(`page error: ${error.message}`) });
  page = opened.page;
}, 120_000);

afterAll(() => closeLibraryPage(opened, folder));

/** What the page reports for one backend. */
interface PageReport {
  backend: { name: string; device: string; threads?: number; adapter?: { architecture: string } };
  crossOriginIsolated: boolean;
  metrics: Array<{ nmi: number; ari: number; accuracy: number }>;
  kmeans: { labels: number[]; inertia: number; inertiaAfterOneIteration: number };
  autoencoderLosses: number[];
  iicLosses: number[];
  iicReseeded: number;
  loadedEmbeddings: number[];
  loadedEpochs: number;
  tensorsLeft: number;
}

/** Runs everything on `backend` in the page. */
async function runInPage(backend: string): Promise<PageReport> {
  return page.evaluate(
    async ({ backend, clusterings, points, imageData }) => {
      type Lib = typeof import('../../src/browser.js');
      const lib = (globalThis as unknown as { lib: Lib }).lib;
      const info = await lib.initBackend({ backend });
      const before = lib.tf.memory().numTensors;
      const metrics = clusterings.map(({ labelsTrue, labelsPred }) => ({
        nmi: lib.nmi(labelsTrue, labelsPred),
        ari: lib.ari(labelsTrue, labelsPred),
        accuracy: lib.clusterAccuracy(labelsTrue, labelsPred).accuracy,
      }));
      const clustered = lib.kmeans(points, 3, { seed: 5, nInit: 2 });
      const oneIteration = lib.kmeans(points, 3, { seed: 5, nInit: 2, maxIterations: 1 });
      const dataset = { images: Float32Array.from(imageData.images), shape: imageData.shape as [number, number, number], size: imageData.size };
      const autoencoderLosses: number[] = [];
      const autoencoder = new lib.Autoencoder({ layers: [256, 16, 3], seed: 1 });
      await autoencoder.fit(dataset, { epochs: 4, batchSize: 32, progress: 'none', onEpochEnd: (_epoch, logs) => void autoencoderLosses.push(logs.loss) });
      autoencoder.dispose();
      const iicLosses: number[] = [];
      const views = { centerCrop: 12, outputSize: 12, randomCropSizes: [10, 12], maxRotationDegrees: 10 };
      // With the starved-cluster check on: a split (read back, rewritten, trained on) after epoch 2.
      let iicReseeded = 0;
      const iic = new lib.IIC({ backbone: [4, 'M', 8, 'M'], numClusters: 3, overclusterClusters: 6, subHeads: 1, views, seed: 0, minClusterShare: 0.2 });
      await iic.fit(dataset, {
        epochs: 3,
        batchSize: 48,
        learningRate: 3e-3,
        progress: 'none',
        onEpochEnd: (_epoch, logs) => {
          iicLosses.push(logs.loss);
          iicReseeded += logs.reseededClusters;
        },
      });
      iic.dispose();
      const loaded = await lib.Autoencoder.load(new lib.UrlModelStore(`${(globalThis as unknown as { location: { origin: string } }).location.origin}/models/autoencoder`));
      const embeddings = await loaded.encode(dataset);
      const loadedEpochs = loaded.epochsTrained;
      loaded.dispose();
      return {
        backend: info,
        crossOriginIsolated: (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,
        metrics,
        kmeans: { labels: Array.from(clustered.labels), inertia: clustered.inertia, inertiaAfterOneIteration: oneIteration.inertia },
        autoencoderLosses,
        iicLosses,
        iicReseeded,
        loadedEmbeddings: Array.from(embeddings.data),
        loadedEpochs,
        tensorsLeft: lib.tf.memory().numTensors - before,
      };
    },
    { backend, clusterings, points, imageData },
  );
}

describe.skipIf(!runs)('the browser bundle in headless Chromium', () => {
  for (const backend of ['webgpu', 'webgl', 'wasm']) {
    it(`${backend}: metrics and k-means equal Node's, the autoencoder and IIC train, a model saved in Node loads with the same embeddings`, async () => {
      const started = performance.now();
      const report = await runInPage(backend);
      console.log(
        `${backend}: ${JSON.stringify(report.backend)}, crossOriginIsolated ${report.crossOriginIsolated}, autoencoder losses ${report.autoencoderLosses.map((l) => l.toFixed(4)).join(' ')}, ` +
          `IIC losses ${report.iicLosses.map((l) => l.toFixed(4)).join(' ')}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(report.backend.name).toBe(backend);
      if (backend === 'webgpu') expect(report.backend.adapter?.architecture).toBe('swiftshader');
      expect(report.crossOriginIsolated).toBe(true);
      if (backend === 'wasm') expect(report.backend.threads).toBeGreaterThanOrEqual(1);
      // ARI and accuracy are exact; NMI goes through Math.log, whose last bit differs between
      // Chromium's V8 and Node's (seen: 4e-16), so it is compared to a few units in the last place.
      expect(report.metrics.map(({ ari, accuracy }) => ({ ari, accuracy }))).toEqual(nodeMetrics.map(({ ari, accuracy }) => ({ ari, accuracy })));
      const nmiDifference = Math.max(...report.metrics.map(({ nmi }, i) => Math.abs(nmi - nodeMetrics[i].nmi)));
      console.log(`${backend}: largest NMI difference from Node ${nmiDifference.toExponential(1)}`);
      expect(nmiDifference).toBeLessThanOrEqual(4 * Number.EPSILON);
      expect(report.kmeans.labels).toEqual(Array.from(nodeKmeans.labels));
      expect(report.kmeans.inertia).toBe(nodeKmeans.inertia);
      expect(report.kmeans.inertia).toBeLessThan(report.kmeans.inertiaAfterOneIteration);
      for (const losses of [report.autoencoderLosses, report.iicLosses]) {
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(losses.at(-1)!).toBeLessThan(losses[0]);
      }
      // Chromium's WebGPU lost its device after a split that read the head synchronously (dataSync).
      expect(report.iicReseeded).toBeGreaterThan(0);
      expect(report.loadedEpochs).toBe(1);
      expect(report.loadedEmbeddings.length).toBe(nodeEmbeddings.length);
      const maxDifference = Math.max(...report.loadedEmbeddings.map((value, i) => Math.abs(value - nodeEmbeddings[i])));
      console.log(`${backend}: embeddings of the model saved in Node, largest difference ${maxDifference.toExponential(1)}`);
      expect(maxDifference).toBeLessThanOrEqual(1e-4);
      expect(report.tensorsLeft).toBe(0);
    }, 150_000);
  }

  it('exports the names of the core entry and tf', async () => {
    const names = await page.evaluate(() => Object.keys((globalThis as unknown as { lib: object }).lib).sort());
    expect(names).toEqual([...Object.keys(coreApi), 'tf'].sort());
  });

  it('initBackend in the page: auto passes over the software WebGPU adapter and says why; an unknown name is a named error', async () => {
    const result = await page.evaluate(async () => {
      const lib = (globalThis as unknown as { lib: typeof import('../../src/browser.js') }).lib;
      const auto = await lib.initBackend();
      const unknown = await lib.initBackend({ backend: 'tensorflow' }).then(() => 'started', (error: Error) => error.message);
      return { auto, unknown, available: lib.availableBackends() };
    });
    expect(result.auto.name).toBe('webgl');
    expect(result.auto.fallback).toMatch(/^webgpu: only a software adapter \(.*swiftshader/);
    expect(result.unknown).toMatch(/^Unknown backend 'tensorflow' \(from initBackend\(\{ backend \}\)\)\. Choose one of: auto, webgpu, webgl, wasm, cpu \(in a browser\); available on this machine: webgpu, webgl, wasm, cpu\./);
  });
});
