/**
 * Multi-threaded wasm in a page (the browser bundle in headless Chromium). Served with the COOP/COEP
 * headers, the page is cross-origin isolated: initBackend({ backend: 'wasm' }) loads the threaded
 * build (tfjs-backend-wasm-threaded-simd.wasm, beside the bundle) and runs at least 2 XNNPACK
 * threads on a machine with 2 or more logical cores (TF.js alone would cap its pool at half the
 * cores: 1 here). Served without the headers, it runs the single-threaded SIMD build, 1 thread,
 * and says why. An autoencoder and a small IIC train a few seeded steps in both pages with the
 * same losses (within 1e-4, relative).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { blobImages } from '../helpers/synthetic.js';
import { browserTestsRun, buildBrowserBundle, closeLibraryPage, openLibraryPage, requireChromium } from './helpers.js';
import type { LibraryPage } from './helpers.js';

const runs = browserTestsRun('test/browser/wasm_threads.test.ts');
const isolatedFolder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-wasm-threads-'));
const plainFolder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-wasm-one-thread-'));

/** 16x16 one-channel images in three blobs. */
const images = blobImages(96, { side: 16, classes: 3, seed: 11 });
const imageData = { images: Array.from(images.images), shape: images.shape, size: images.size };

/** What a page reports after starting wasm and training. */
interface ThreadsReport {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  info: { name: string; threads?: number; threadsFallback?: string };
  line: string;
  /** The thread count XNNPACK's pool reports, asked of the wasm module itself. */
  moduleThreads: number;
  /** Emscripten's pthread workers that are running (the pool's threads other than the caller). */
  runningWorkers: number;
  autoencoderLosses: number[];
  iicLosses: number[];
  tensorsLeft: number;
}

let isolated: { page: LibraryPage; report: ThreadsReport } | undefined;
let plain: { page: LibraryPage; report: ThreadsReport } | undefined;

/** Opens the bundle page served from `folder` (with or without COOP/COEP), starts wasm and trains. */
async function trainInPage(folder: string, withHeaders: boolean): Promise<{ page: LibraryPage; report: ThreadsReport }> {
  await buildBrowserBundle(folder);
  const opened = await openLibraryPage(folder, { isolated: withHeaders, onPageError: (error) => console.error(`page error: ${error.message}`) });
  const report = await opened.page.evaluate(async (imageData) => {
    type Lib = typeof import('../../src/browser.js');
    const lib = (globalThis as unknown as { lib: Lib }).lib;
    const info = await lib.initBackend({ backend: 'wasm' });
    const module = (lib.tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number }; PThread?: { runningWorkers: unknown[] } } }).wasm;
    const before = lib.tf.memory().numTensors;
    const dataset = { images: Float32Array.from(imageData.images), shape: imageData.shape as [number, number, number], size: imageData.size };
    const autoencoderLosses: number[] = [];
    const autoencoder = new lib.Autoencoder({ layers: [256, 64, 3], seed: 2 });
    await autoencoder.fit(dataset, { epochs: 2, batchSize: 32, seed: 4, progress: 'none', callbacks: { onBatchEnd: (_batch, logs) => void autoencoderLosses.push(logs.loss) } });
    autoencoder.dispose();
    const iicLosses: number[] = [];
    const views = { centerCrop: 12, outputSize: 12, randomCropSizes: [10, 12], maxRotationDegrees: 10 };
    const iic = new lib.IIC({ backbone: [8, 'M', 16, 'M'], numClusters: 3, overclusterClusters: 6, subHeads: 1, views, seed: 0 });
    await iic.fit(dataset, { epochs: 1, batchSize: 32, seed: 4, progress: 'none', callbacks: { onBatchEnd: (_batch, logs) => void iicLosses.push(logs.loss) } });
    iic.dispose();
    return {
      crossOriginIsolated: (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,
      hardwareConcurrency: (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency,
      info,
      line: lib.formatBackendInfo(info),
      moduleThreads: module.tfjs.getThreadsCount(),
      runningWorkers: module.PThread?.runningWorkers.length ?? 0,
      autoencoderLosses,
      iicLosses,
      tensorsLeft: lib.tf.memory().numTensors - before,
    };
  }, imageData);
  return { page: opened, report };
}

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  isolated = await trainInPage(isolatedFolder, true);
  plain = await trainInPage(plainFolder, false);
  for (const [name, { report }] of [['with COOP/COEP', isolated], ['without', plain]] as const) {
    console.log(
      `${name}: ${report.line}; crossOriginIsolated ${report.crossOriginIsolated}, hardwareConcurrency ${report.hardwareConcurrency}, XNNPACK threads ${report.moduleThreads}, ` +
        `running pthread workers ${report.runningWorkers}; autoencoder losses ${report.autoencoderLosses.map((l) => l.toFixed(5)).join(' ')}; IIC losses ${report.iicLosses.map((l) => l.toFixed(5)).join(' ')}`,
    );
  }
}, 240_000);

afterAll(async () => {
  await closeLibraryPage(isolated?.page, isolatedFolder);
  await closeLibraryPage(plain?.page, plainFolder);
});

/** The largest difference between two loss curves, relative to the larger magnitude of each pair. */
function largestRelativeDifference(a: number[], b: number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i]) / Math.max(Math.abs(value), Math.abs(b[i]), 1e-12)));
}

describe.skipIf(!runs)('wasm threads in a page', () => {
  it('cross-origin isolated (COOP/COEP): the threaded build beside the bundle loads and runs at least 2 threads', () => {
    const { page, report } = isolated!;
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.hardwareConcurrency).toBeGreaterThanOrEqual(2);
    expect(report.info.name).toBe('wasm');
    expect(report.info.threads).toBe(Math.min(8, report.hardwareConcurrency));
    expect(report.info.threadsFallback).toBeUndefined();
    expect(report.moduleThreads).toBe(report.info.threads);
    // The pool's threads besides the calling one are running Web Workers.
    expect(report.runningWorkers).toBeGreaterThanOrEqual(report.info.threads! - 1);
    expect(report.line).toMatch(/^backend wasm \(cpu, \d threads\) via @tensorflow\/tfjs-backend-wasm$/);
    // The page's navigator reads the browser's own value again once the backend has started.
    expect(report.hardwareConcurrency).toBeLessThan(2 * report.info.threads!);
    expect(page.requested).toContain('/tfjs-backend-wasm-threaded-simd.wasm 200');
    expect(page.requested.filter((entry) => /\.wasm /.test(entry))).toEqual(['/tfjs-backend-wasm-threaded-simd.wasm 200']);
  });

  it('without the headers: one thread, the single-threaded SIMD build, and why', () => {
    const { page, report } = plain!;
    expect(report.crossOriginIsolated).toBe(false);
    expect(report.info.name).toBe('wasm');
    expect(report.info.threads).toBe(1);
    expect(report.moduleThreads).toBe(1);
    expect(report.info.threadsFallback).toBe(
      'the page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    );
    expect(report.line).toMatch(/^backend wasm \(cpu, 1 thread\) via @tensorflow\/tfjs-backend-wasm \(one thread: the page is not cross-origin isolated/);
    expect(page.requested.filter((entry) => /\.wasm /.test(entry))).toEqual(['/tfjs-backend-wasm-simd.wasm 200']);
  });

  it('threaded and single-threaded training give the same losses (within 1e-4, relative), falling, with no tensor left', () => {
    const threaded = isolated!.report;
    const single = plain!.report;
    for (const report of [threaded, single]) {
      expect(report.autoencoderLosses.length).toBe(6);
      // IIC's default 'alternate' schedule: a pass over the 96 images per head, three steps each.
      expect(report.iicLosses.length).toBe(6);
      expect([...report.autoencoderLosses, ...report.iicLosses].every(Number.isFinite)).toBe(true);
      expect(report.autoencoderLosses.at(-1)!).toBeLessThan(report.autoencoderLosses[0]);
      expect(report.tensorsLeft).toBe(0);
    }
    const autoencoder = largestRelativeDifference(threaded.autoencoderLosses, single.autoencoderLosses);
    const iic = largestRelativeDifference(threaded.iicLosses, single.iicLosses);
    console.log(`threaded vs single-threaded losses: largest relative difference autoencoder ${autoencoder.toExponential(1)}, IIC ${iic.toExponential(1)}`);
    expect(autoencoder).toBeLessThanOrEqual(1e-4);
    expect(iic).toBeLessThanOrEqual(1e-4);
  });
});
