import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import { DirectoryModelStore } from '../../src/train/model_store.js';
import type { ModelStore } from '../../src/train/model_store.js';
import { METHOD_FORMAT, METHOD_FORMAT_VERSION } from '../../src/train/saved_method.js';
import { blobImages } from '../helpers/synthetic.js';

const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-saved-'));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const images = blobImages(16, { side: 8, classes: 2, seed: 1 });

/** A store in memory: what a URL scheme (indexeddb://, downloads://) would add as one more writer. */
class MemoryStore implements ModelStore {
  readonly json = new Map<string, string>();
  readonly models = new Map<string, tf.io.ModelArtifacts>();
  constructor(readonly location = 'memory://test') {}
  async writeJson(name: string, value: unknown): Promise<void> {
    this.json.set(name, JSON.stringify(value));
  }
  async readJson<T>(name: string): Promise<T | undefined> {
    const text = this.json.get(name);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  async writeModel(name: string, model: tf.LayersModel): Promise<void> {
    await model.save(tf.io.withSaveHandler(async (artifacts) => (this.models.set(name, artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  }
  async readModel(name: string): Promise<tf.LayersModel> {
    const artifacts = this.models.get(name);
    if (artifacts === undefined) throw new Error(`${this.location}: no model ${name}`);
    return tf.loadLayersModel(tf.io.fromMemory(artifacts));
  }
  async modelNames(): Promise<string[]> {
    return [...this.models.keys()];
  }
  child(name: string): ModelStore {
    return new MemoryStore(`${this.location}/${name}`);
  }
}

describe('the one saved format', () => {
  it('writes method.json with config, input shape and both counters, and one model per name', async () => {
    const ae = new Autoencoder({ layers: [64, 8, 3], seed: 2 });
    await ae.fit(images, { epochs: 2, batchSize: 8, progress: 'none' });
    const folder = path.join(directory, 'autoencoder');
    await ae.save(folder);
    const saved = JSON.parse(readFileSync(path.join(folder, 'method.json'), 'utf8'));
    expect(saved).toMatchObject({ format: METHOD_FORMAT, version: METHOD_FORMAT_VERSION, method: 'Autoencoder', inputShape: [8, 8, 1], epochsTrained: 2, globalStep: 4, models: ['encoder', 'decoder'], state: {} });
    expect(saved.config).toMatchObject({ layers: [64, 8, 3], seed: 2 });
    // Each model loads with plain TF.js too; beside them the portable inference model (not one of the method's).
    expect(await new DirectoryModelStore(folder).modelNames()).toEqual(['decoder', 'encoder', 'inference']);
    const loaded = await Autoencoder.load(folder);
    expect([loaded.epochsTrained, loaded.globalStep]).toEqual([2, 4]);
    const [a, b] = [await ae.encode(images), await loaded.encode(images)];
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    ae.dispose();
    loaded.dispose();
  });

  it('keeps the counters of a method that trains in stages (FilterDistinguisher) and its own state', async () => {
    const method = new FilterDistinguisher({ channels: [1, 2], hiddenChannels: 2, kernelSize: 3, seed: 1 });
    await method.fit(images, { samplesPerLevel: 16, batchSize: 8, progress: 'none' });
    const folder = path.join(directory, 'filter');
    await method.save(folder);
    const loaded = await FilterDistinguisher.load(folder);
    expect(loaded.epochsTrained).toBe(method.epochsTrained);
    expect(loaded.epochsTrained).toBeGreaterThan(0);
    expect(loaded.globalStep).toBe(method.globalStep);
    expect(loaded.stages).toEqual(method.stages);
    method.dispose();
    loaded.dispose();
  });

  it('untrainedCopy: the same class and resolved config, untrained (the weights its fit started from)', async () => {
    const trained = new Autoencoder({ layers: [64, 5], seed: 9 });
    const reference = new Autoencoder({ layers: [64, 5], seed: 9 }).initialize(images);
    const start = await reference.encode(images);
    reference.dispose();
    await trained.fit(images, { epochs: 1, batchSize: 8, progress: 'none' });
    const copy = trained.untrainedCopy();
    expect(copy).toBeInstanceOf(Autoencoder);
    expect([copy.isBuilt, copy.epochsTrained]).toEqual([false, 0]);
    expect(copy.config).toEqual(trained.config);
    const codes = await copy.initialize(images).encode(images);
    expect(Array.from(codes.data)).toEqual(Array.from(start.data));
    expect(Array.from((await trained.encode(images)).data)).not.toEqual(Array.from(start.data));
    trained.dispose();
    copy.dispose();
  });

  it('saves to and loads from any ModelStore (here one in memory), the same files by name', async () => {
    const ae = new Autoencoder({ layers: [64, 4], seed: 3 }).initialize(images);
    const store = new MemoryStore();
    await ae.save(store);
    expect([...store.json.keys()]).toEqual(['method']);
    expect(await store.modelNames()).toEqual(['inference', 'encoder', 'decoder']);
    const loaded = await Autoencoder.load(store);
    const [a, b] = [await ae.encode(images), await loaded.encode(images)];
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    ae.dispose();
    loaded.dispose();
  });

  it('names what is wrong: another method, no saved method, a name with folders, and leaves no tensor', async () => {
    const before = tf.memory().numTensors;
    await expect(FilterDistinguisher.load(path.join(directory, 'autoencoder'))).rejects.toThrow(/holds a Autoencoder, not a FilterDistinguisher/);
    await expect(Autoencoder.load(path.join(directory, 'nothing'))).rejects.toThrow(/no saved Autoencoder there/);
    await expect(new DirectoryModelStore(directory).readJson('../x')).rejects.toThrow(/name must be a file name without folders/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
