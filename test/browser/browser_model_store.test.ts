/**
 * BrowserModelStore in headless Chromium (the browser bundle, wasm backend): an autoencoder saved
 * to IndexedDB loads back with the same embeddings; saved with `downloads://`, its files (captured
 * here as the browser downloads them) put in one folder load in Node with Autoencoder.load and
 * give the page's embeddings (within 1e-4); bad URLs and read-back of downloads are named errors.
 * The bundle is the fully minified one `npm run build` writes: an IIC saved to IndexedDB loads back
 * under its own name although the classes' names are mangled, and constructor errors name them.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Autoencoder } from '../../src/methods/autoencoder.js';
import { blobImages } from '../helpers/synthetic.js';
import { browserTestsRun, buildBrowserBundle, closeLibraryPage, openLibraryPage, requireChromium } from './helpers.js';
import type { LibraryPage } from './helpers.js';

const runs = browserTestsRun('test/browser/browser_model_store.test.ts');
const folder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-browser-store-'));
let opened: LibraryPage | undefined;
let page: Page;
const images = blobImages(32, { side: 8, classes: 2, seed: 2 });
const imageData = { images: Array.from(images.images), shape: images.shape, size: images.size };

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  await tf.setBackend('cpu');
  await buildBrowserBundle(folder);
  opened = await openLibraryPage(folder);
  page = opened.page;
}, 120_000);

afterAll(() => closeLibraryPage(opened, folder));

describe.skipIf(!runs)('BrowserModelStore in Chromium', () => {
  it('IndexedDB: saves and loads back (same embeddings, counters, model names); downloads:// files load in Node with the same embeddings', async () => {
    const downloads: Download[] = [];
    page.on('download', (download) => downloads.push(download));
    const result = await page.evaluate(async (imageData) => {
      const lib = (globalThis as unknown as { lib: typeof import('../../src/browser.js') }).lib;
      await lib.initBackend({ backend: 'wasm' });
      const dataset = { images: Float32Array.from(imageData.images), shape: imageData.shape as [number, number, number], size: imageData.size };
      const method = new lib.Autoencoder({ layers: [64, 8, 3], seed: 1 });
      await method.fit(dataset, { epochs: 2, batchSize: 16, progress: 'none' });
      const embeddings = Array.from((await method.encode(dataset)).data);
      await method.save(new lib.BrowserModelStore('indexeddb://demo-autoencoder'));
      const store = new lib.BrowserModelStore('indexeddb://demo-autoencoder');
      const names = await store.modelNames();
      const loaded = await lib.Autoencoder.load(store);
      const reloaded = Array.from((await loaded.encode(dataset)).data);
      const epochs = loaded.epochsTrained;
      loaded.dispose();
      await method.save(new lib.BrowserModelStore('downloads://'));
      method.dispose();
      const errors: string[] = [];
      for (const attempt of [
        () => new lib.BrowserModelStore('http://host/x'),
        () => new lib.BrowserModelStore('indexeddb://'),
        () => new lib.BrowserModelStore('downloads://name'),
        () => new lib.BrowserModelStore('downloads://').readJson('method'),
        () => new lib.BrowserModelStore('indexeddb://demo-autoencoder').child('a/b'),
        () => lib.Autoencoder.load(new lib.BrowserModelStore('indexeddb://nothing-saved-here')),
        () => method.save('models/autoencoder'),
      ]) {
        try {
          await attempt();
          errors.push('no error');
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      return { embeddings, reloaded, names, epochs, errors };
    }, imageData);
    expect(result.reloaded).toEqual(result.embeddings);
    // The models the method saved (encoder and decoder, and whatever else the method core adds).
    expect(result.names).toEqual(expect.arrayContaining(['decoder', 'encoder']));
    expect(result.epochs).toBe(2);
    expect(result.errors[0]).toBe("BrowserModelStore: url must start with indexeddb://, localstorage://, downloads://; got 'http://host/x'.");
    expect(result.errors[1]).toBe("BrowserModelStore: indexeddb:// needs a key after it, e.g. 'indexeddb://my-model'.");
    expect(result.errors[2]).toMatch(/^BrowserModelStore: downloads:\/\/ takes no name/);
    expect(result.errors[3]).toMatch(/^BrowserModelStore\.readJson: downloads:\/\/ only writes/);
    expect(result.errors[4]).toBe("BrowserModelStore.child: name must be a file name without folders, got 'a/b'.");
    expect(result.errors[5]).toMatch(/indexeddb:\/\/nothing-saved-here/);
    expect(result.errors[6]).toMatch(/^Autoencoder\.save: 'models\/autoencoder' is a folder path, and folders on disk need Node\.js; in a browser pass a ModelStore/);

    // The downloads, put in one folder, load in Node.
    const expectedFiles = ['method.json', ...result.names.flatMap((name) => [`${name}.json`, `${name}.weights.bin`])].sort();
    await expect.poll(() => downloads.length, { timeout: 20_000 }).toBe(expectedFiles.length);
    const saved = path.join(folder, 'downloaded');
    mkdirSync(saved);
    for (const download of downloads) await download.saveAs(path.join(saved, download.suggestedFilename()));
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(expectedFiles);
    const inNode = await Autoencoder.load(saved);
    const nodeEmbeddings = Array.from((await inNode.encode(images)).data);
    inNode.dispose();
    expect(inNode.epochsTrained).toBe(2);
    const difference = Math.max(...nodeEmbeddings.map((value, i) => Math.abs(value - result.embeddings[i])));
    console.log(`downloads:// → Node: largest embedding difference ${difference.toExponential(1)}`);
    expect(difference).toBeLessThanOrEqual(1e-4);
  }, 120_000);

  it('from the fully minified bundle (class names mangled): an IIC saves to IndexedDB and loads back under its own name; errors name the classes', async () => {
    const result = await page.evaluate(async (imageData) => {
      const lib = (globalThis as unknown as { lib: typeof import('../../src/browser.js') }).lib;
      await lib.initBackend({ backend: 'wasm' });
      const dataset = { images: Float32Array.from(imageData.images), shape: imageData.shape as [number, number, number], size: imageData.size };
      const views = { centerCrop: 6, outputSize: 6, randomCropSizes: [5, 6], maxRotationDegrees: 10 };
      const method = new lib.IIC({ backbone: [4, 'M'], numClusters: 2, overclusterClusters: 4, subHeads: 1, views, seed: 3 });
      await method.fit(dataset, { epochs: 1, batchSize: 16, progress: 'none' });
      const embeddings = Array.from((await method.encode(dataset)).data);
      await method.save(new lib.BrowserModelStore('indexeddb://minified-iic'));
      method.dispose();
      const store = new lib.BrowserModelStore('indexeddb://minified-iic');
      const savedAs = ((await store.readJson('method')) as { method: string }).method;
      const loaded = await lib.IIC.load(store);
      const reloaded = Array.from((await loaded.encode(dataset)).data);
      loaded.dispose();
      const errors: string[] = [];
      for (const attempt of [() => new lib.Autoencoder({ seed: 1.5 }), () => new lib.IIC({ seed: 0.5 }), () => lib.Autoencoder.load(new lib.BrowserModelStore('indexeddb://minified-iic'))]) {
        try {
          await attempt();
          errors.push('no error');
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      return { classNames: [lib.Autoencoder.name, lib.IIC.name], savedAs, embeddings, reloaded, errors };
    }, imageData);
    console.log(`minified bundle: classes named ${result.classNames.join(', ')}; saved as '${result.savedAs}'; errors: ${result.errors.join(' | ')}`);
    // The bundle really is minified: the classes' own names are not theirs (what broke load before methodName).
    expect(result.classNames).not.toContain('Autoencoder');
    expect(result.classNames).not.toContain('IIC');
    expect(result.savedAs).toBe('IIC');
    // The backbone's features: 4 channels on the 6x6 centre crop pooled to 3x3.
    expect(result.embeddings.length).toBe(imageData.size * 4 * 3 * 3);
    expect(result.reloaded).toEqual(result.embeddings);
    expect(result.errors[0]).toMatch(/^Autoencoder: seed /);
    expect(result.errors[1]).toMatch(/^IIC: seed /);
    expect(result.errors[2]).toMatch(/IIC/);
    expect(result.errors[2]).toMatch(/Autoencoder/);
  }, 120_000);
});
