/**
 * `save(url)` / `load(url)` (issue 20): URL schemes pick the ModelStore — file:// a folder,
 * http(s):// a server's files (read-only), indexeddb:// / localstorage:// / downloads:// a
 * browser's storage — and a plain path is still a folder.
 */
import * as tf from '@tensorflow/tfjs';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { DirectoryModelStore, resolveModelStore } from '../../src/train/model_store.js';
import { UrlModelStore } from '../../src/train/url_model_store.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'url-store-'));
const data = blobImages(16, { side: 6, classes: 2, seed: 3 });
let server: Server;
let base = '';
const requests: string[] = [];

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  // A static file server for `directory` on 127.0.0.1 (what any web server hosting a saved folder does).
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const file = path.join(directory, decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname));
    if (!file.startsWith(directory) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

async function trainedAutoencoder(): Promise<Autoencoder> {
  const method = new Autoencoder({ layers: [36, 8, 3], seed: 2 });
  await method.fit(data, { epochs: 1, batchSize: 8, progress: 'none' });
  return method;
}

describe('save(url) / load(url)', () => {
  it('file:// saves to and loads from a folder, as a plain path does', async () => {
    const method = await trainedAutoencoder();
    const folder = path.join(directory, 'by_file_url');
    await method.save(`file://${folder}`);
    expect(existsSync(path.join(folder, 'method.json'))).toBe(true);
    expect(existsSync(path.join(folder, 'inference.json'))).toBe(true);
    const loaded = await Autoencoder.load(`file://${folder}`);
    const fromPath = await Autoencoder.load(folder);
    const codes = Array.from((await method.encode(data)).data);
    expect(Array.from((await loaded.encode(data)).data)).toEqual(codes);
    expect(Array.from((await fromPath.encode(data)).data)).toEqual(codes);
    for (const m of [method, loaded, fromPath]) m.dispose();
  });

  it('http:// loads a saved folder served on 127.0.0.1, with the same codes; it cannot be saved to', async () => {
    const method = await trainedAutoencoder();
    await method.save(path.join(directory, 'served', 'autoencoder'));
    requests.length = 0;
    const before = tf.memory().numTensors;
    const loaded = await Autoencoder.load(`${base}/served/autoencoder`);
    expect(requests).toContain('/served/autoencoder/method.json');
    expect(requests).toContain('/served/autoencoder/encoder.weights.bin');
    expect(Array.from((await loaded.encode(data)).data)).toEqual(Array.from((await method.encode(data)).data));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(method.save(`${base}/served/copy`)).rejects.toThrow(/read-only/);
    await expect(Autoencoder.load(`${base}/served/missing`)).rejects.toThrow(/no saved Autoencoder there|404|not found/i);
    method.dispose();
  });

  it('resolves each scheme to its store and names the problem with an unknown one', () => {
    expect(resolveModelStore(`file://${directory}`, 'test')).toBeInstanceOf(DirectoryModelStore);
    expect(resolveModelStore(`file://${directory}`, 'test').location).toBe(directory);
    expect(resolveModelStore('file://./models/run', 'test').location).toBe('./models/run');
    expect(resolveModelStore('file://localhost/tmp/run%20one', 'test').location).toBe('/tmp/run one');
    expect(resolveModelStore('https://example.org/models/iic/', 'test')).toBeInstanceOf(UrlModelStore);
    expect(resolveModelStore(directory, 'test')).toBeInstanceOf(DirectoryModelStore);
    expect(() => resolveModelStore('ftp://host/model', 'IIC.save')).toThrow(/IIC\.save: unknown URL scheme 'ftp:\/\/' in 'ftp:\/\/host\/model'; use file:\/\/, http:\/\/, https:\/\/, indexeddb:\/\/, localstorage:\/\/, downloads:\/\//);
    expect(() => resolveModelStore('file://', 'IIC.load')).toThrow(/IIC\.load: 'file:\/\/' names no folder/);
    // A browser's storage needs a browser (named by the store).
    expect(() => resolveModelStore('localstorage://iic', 'IIC.save')).toThrow(/localstorage:\/\/ needs a browser page/);
  });
});
