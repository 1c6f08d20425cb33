import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Autoencoder } from '../../src/methods/autoencoder.js';
import { UrlModelStore } from '../../src/train/url_model_store.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-url-store-'));
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  // A static file server over the temp folder: 404 for what is not there, 500 under /broken/.
  server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requested.push(url);
    if (url.startsWith('/broken/')) {
      response.writeHead(500, 'Internal Server Error').end();
      return;
    }
    const file = path.join(directory, url);
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      response.writeHead(200).end(readFileSync(file));
    } catch {
      response.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

describe('UrlModelStore: a saved method read over HTTP', () => {
  it('loads a method saved to a folder, served by a web server: the same weights, counters and embeddings; no tensor left', async () => {
    const images = blobImages(16, { side: 8, classes: 2, seed: 3 });
    const saved = new Autoencoder({ layers: [64, 3], seed: 4 });
    await saved.fit(images, { epochs: 1, batchSize: 8, progress: 'none' });
    await saved.save(path.join(directory, 'models', 'autoencoder'));
    const before = tf.memory().numTensors;
    const loaded = await Autoencoder.load(new UrlModelStore(`${base}/models/autoencoder/`));
    expect([loaded.epochsTrained, loaded.globalStep]).toEqual([saved.epochsTrained, saved.globalStep]);
    const [a, b] = [await saved.encode(images), await loaded.encode(images)];
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(requested).toContain('/models/autoencoder/encoder.weights.bin');
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    saved.dispose();
  });

  it('reads JSON (undefined for a 404), names the URL and status of other failures, and is read-only', async () => {
    const store = new UrlModelStore(`${base}/models/autoencoder`);
    expect(store.location).toBe(`${base}/models/autoencoder`);
    expect(await store.readJson('nothing-here')).toBeUndefined();
    expect(await store.readJson<{ method: string }>('method')).toMatchObject({ method: 'Autoencoder' });
    await expect(store.readModel('nothing-here')).rejects.toThrow(`UrlModelStore.readModel: ${base}/models/autoencoder/nothing-here.json answered HTTP 404 Not Found.`);
    await expect(new UrlModelStore(`${base}/broken`).readJson('method')).rejects.toThrow(`UrlModelStore.readJson: ${base}/broken/method.json answered HTTP 500 Internal Server Error.`);
    writeFileSync(path.join(directory, 'models', 'autoencoder', 'garbage.json'), 'not json {');
    await expect(store.readModel('garbage')).rejects.toThrow(`UrlModelStore.readModel: ${base}/models/autoencoder/garbage.json is not valid JSON`);
    writeFileSync(path.join(directory, 'models', 'autoencoder', 'plain.json'), '{"a": 1}');
    await expect(store.readModel('plain')).rejects.toThrow(`UrlModelStore.readModel: ${base}/models/autoencoder/plain.json is not a TF.js Layers model (no modelTopology or weightsManifest).`);
    await expect(store.writeJson('method')).rejects.toThrow(/is read-only \(files served over HTTP\)/);
    await expect(store.writeModel('encoder')).rejects.toThrow(/is read-only/);
    await expect(store.modelNames()).rejects.toThrow(/cannot be listed over HTTP/);
    expect(store.child('member').location).toBe(`${base}/models/autoencoder/member`);
    await expect(new UrlModelStore('http://127.0.0.1:1/models').readJson('method')).rejects.toThrow(/^UrlModelStore\.readJson: cannot fetch http:\/\/127\.0\.0\.1:1\/models\/method\.json: /);
  });

  it('names bad arguments: the URL, the fetch function, a name with folders', async () => {
    expect(() => new UrlModelStore('')).toThrow(/^UrlModelStore: url/);
    expect(() => new UrlModelStore(null as unknown as string)).toThrow(/^UrlModelStore: url/);
    expect(() => new UrlModelStore(base, 'fetch' as unknown as typeof fetch)).toThrow('UrlModelStore: fetchFunction must be a function (url) => Promise<Response>.');
    const store = new UrlModelStore(base);
    await expect(store.readJson('../secret')).rejects.toThrow("UrlModelStore.readJson: name must be a file name without folders, got '../secret'.");
    expect(() => store.child('a/b')).toThrow(/UrlModelStore\.child: name must be a file name/);
  });
});
