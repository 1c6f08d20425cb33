/**
 * The portable inference model in checkpoints: by default only the newest checkpoint holds one
 * (`model/inference.json`, loadable by plain TF.js), the older ones kept lose theirs and still
 * resume; `inferenceModel: 'every'` keeps one in each, `'none'` writes none. Checkpoints written
 * before (with one in each, or before inference models existed) keep loading.
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { AutoencoderClassifier } from '../../src/methods/autoencoder_classifier.js';
import { CHECKPOINT_MANIFEST, findLatestCheckpoint, loadCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';
import type { CheckpointManifest, WriteCheckpointOptions } from '../../src/train/checkpoint.js';
import { DirectoryModelStore } from '../../src/train/model_store.js';
import type { ModelStore } from '../../src/train/model_store.js';
import { blobImages } from '../helpers/synthetic.js';

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-checkpoint-inference-'));
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = blobImages(32, { side: 6, classes: 2, seed: 3 });
const fitOptions = { epochs: 1, batchSize: 16, seed: 2, progress: 'none' } as const;
const inferenceFiles = ['inference.json', 'inference.weights.bin'];

/** Trains an autoencoder for `epochs` epochs, writing a checkpoint after each; returns it. */
async function trainWithCheckpoints(run: string, epochs: number, options: WriteCheckpointOptions = {}): Promise<Autoencoder> {
  const ae = new Autoencoder({ layers: [36, 12, 4], seed: 1 });
  for (let e = 0; e < epochs; e++) {
    await ae.fit(data, fitOptions);
    await writeCheckpoint(run, ae, options);
  }
  return ae;
}

/** A spy on every call of a method class's (protected) `inferenceModel`, calling through. */
function spyOnInferenceModel(methodClass: { prototype: object }) {
  return vi.spyOn(methodClass.prototype as { inferenceModel(): Promise<tf.LayersModel | undefined> }, 'inferenceModel');
}

/** A folder store that skips the inference model, and so do its children. */
class FolderStoreWithoutInferenceModel extends DirectoryModelStore {
  readonly skipsInferenceModel = true;

  override child(name: string): ModelStore {
    return new FolderStoreWithoutInferenceModel(path.join(this.location, name));
  }
}

function modelFiles(run: string, checkpoint: string): string[] {
  return readdirSync(path.join(run, 'checkpoints', checkpoint, 'model')).sort();
}

function manifestOf(run: string, checkpoint: string): CheckpointManifest {
  return JSON.parse(readFileSync(path.join(run, 'checkpoints', checkpoint, CHECKPOINT_MANIFEST), 'utf8')) as CheckpointManifest;
}

function bytesOf(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

/** The inference model of a checkpoint, through plain `tf.loadLayersModel` and its files. */
async function loadInference(modelDirectory: string): Promise<tf.LayersModel> {
  const parsed = JSON.parse(readFileSync(path.join(modelDirectory, 'inference.json'), 'utf8')) as { modelTopology: tf.io.ModelJSON['modelTopology']; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const weights = readFileSync(path.join(modelDirectory, 'inference.weights.bin'));
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights), weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
  });
}

describe('the inference model in checkpoints', () => {
  it('by default only the newest checkpoint holds it (and it serves the codes); the older one kept loses it, verifies and resumes', async () => {
    const run = path.join(root, 'newest');
    const ae = await trainWithCheckpoints(run, 3);
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003']);
    expect(modelFiles(run, 'epoch-000003')).toEqual(expect.arrayContaining(inferenceFiles));
    expect(modelFiles(run, 'epoch-000002').filter((f) => f.startsWith('inference'))).toEqual([]);
    expect(manifestOf(run, 'epoch-000002').files.map((f) => f.path).filter((p) => p.includes('inference'))).toEqual([]);
    expect(manifestOf(run, 'epoch-000003').files.map((f) => f.path)).toEqual(expect.arrayContaining(['model/inference.json', 'model/inference.weights.bin']));
    const newestBytes = bytesOf(path.join(run, 'checkpoints', 'epoch-000003'));
    const olderBytes = bytesOf(path.join(run, 'checkpoints', 'epoch-000002'));
    expect(newestBytes - olderBytes).toBeGreaterThanOrEqual(statSync(path.join(run, 'checkpoints', 'epoch-000003', 'model', 'inference.weights.bin')).size);

    const { latest, skipped } = await findLatestCheckpoint(run);
    expect(skipped).toEqual([]);
    expect(latest!.manifest.epoch).toBe(3);
    const model = await loadInference(latest!.modelDirectory);
    const images = tf.tensor4d(data.images, [data.size, ...data.shape]);
    const served = model.predict(images) as tf.Tensor;
    const codes = await ae.embed(images);
    expect(Math.max(...(await tf.abs(tf.sub(served, codes)).data()))).toBeLessThan(1e-5);
    tf.dispose([images, served, codes]);
    model.dispose();

    // A kill between the older manifest's rewrite and the removal of the files leaves them unlisted: still verifies.
    for (const file of inferenceFiles) cpSync(path.join(run, 'checkpoints', 'epoch-000003', 'model', file), path.join(run, 'checkpoints', 'epoch-000002', 'model', file));
    // The newest damaged: the one before verifies without (a listed) inference model and resumes.
    truncateSync(path.join(run, 'checkpoints', 'epoch-000003', 'model', 'encoder.weights.bin'), 10);
    const fallback = await findLatestCheckpoint(run);
    expect(fallback.latest!.manifest.epoch).toBe(2);
    const { method } = await loadCheckpoint(fallback.latest!, (dir) => Autoencoder.load(dir));
    expect(method.epochsTrained).toBe(2);
    const more = await method.fit(data, fitOptions);
    expect(more[0].epoch).toBe(2);
    method.dispose();
    ae.dispose();
  });

  it("'every' keeps one in each checkpoint, 'none' writes none and does not even build it (the checkpoint still verifies and resumes), a bad value is named", async () => {
    const built = spyOnInferenceModel(Autoencoder);
    try {
      const every = path.join(root, 'every');
      const kept = await trainWithCheckpoints(every, 2, { inferenceModel: 'every' });
      for (const name of ['epoch-000001', 'epoch-000002']) expect(modelFiles(every, name)).toEqual(expect.arrayContaining(inferenceFiles));
      expect(built).toHaveBeenCalledTimes(2);
      kept.dispose();

      built.mockClear();
      const newest = path.join(root, 'newest-built');
      const newestKept = await trainWithCheckpoints(newest, 2);
      expect(modelFiles(newest, 'epoch-000002')).toEqual(expect.arrayContaining(inferenceFiles));
      expect(built).toHaveBeenCalledTimes(2);
      newestKept.dispose();

      built.mockClear();
      const none = path.join(root, 'none');
      const tensorsBefore = tf.memory().numTensors;
      const ae = await trainWithCheckpoints(none, 2, { inferenceModel: 'none' });
      expect(built).not.toHaveBeenCalled();
      for (const name of ['epoch-000001', 'epoch-000002']) expect(modelFiles(none, name).filter((f) => f.startsWith('inference'))).toEqual([]);
      expect(modelFiles(none, 'epoch-000002')).toEqual(['decoder.json', 'decoder.weights.bin', 'encoder.json', 'encoder.weights.bin', 'method.json']);
      const { latest, skipped } = await findLatestCheckpoint(none);
      expect(skipped).toEqual([]);
      expect(latest!.manifest.epoch).toBe(2);
      const { method } = await loadCheckpoint(latest!, (dir) => Autoencoder.load(dir));
      expect(Array.from((await method.encode(data)).data)).toEqual(Array.from((await ae.encode(data)).data));
      const more = await method.fit(data, fitOptions);
      expect(more[0].epoch).toBe(2);
      method.dispose();

      await expect(writeCheckpoint(path.join(root, 'bad'), ae, { inferenceModel: 'last' as never })).rejects.toThrow(/^writeCheckpoint: inferenceModel must be one of 'newest', 'every', 'none', got 'last'\./);
      ae.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      built.mockRestore();
    }
  });

  it('checkpoints written before keep loading: one with an inference model loses it to a newer one, one from before inference models is left as it was', async () => {
    // Written as before this option (an inference model in every checkpoint), then one more by default.
    const run = path.join(root, 'upgraded');
    const ae = await trainWithCheckpoints(run, 1, { inferenceModel: 'every' });
    await ae.fit(data, fitOptions);
    await writeCheckpoint(run, ae);
    expect(modelFiles(run, 'epoch-000001').filter((f) => f.startsWith('inference'))).toEqual([]);
    expect(modelFiles(run, 'epoch-000002')).toEqual(expect.arrayContaining(inferenceFiles));
    expect((await findLatestCheckpoint(run)).skipped).toEqual([]);
    ae.dispose();

    // A run from before issue 19 (28x28 MNIST, dense 784-8-4, no inference model), resumed for an epoch.
    const legacy = path.join(root, 'legacy');
    cpSync(path.join(fixtures, 'legacy_run_autoencoder'), legacy, { recursive: true });
    const before = readFileSync(path.join(legacy, 'checkpoints', 'epoch-000001', CHECKPOINT_MANIFEST));
    const { latest } = await findLatestCheckpoint(legacy);
    const { method } = await loadCheckpoint(latest!, (dir) => Autoencoder.load(dir));
    await method.fit(blobImages(32, { side: 28, classes: 2, seed: 5 }), { epochs: 1, batchSize: 32, progress: 'none' });
    await writeCheckpoint(legacy, method, { keep: 2 });
    expect(readFileSync(path.join(legacy, 'checkpoints', 'epoch-000001', CHECKPOINT_MANIFEST))).toEqual(before);
    expect(modelFiles(legacy, 'epoch-000002')).toEqual(expect.arrayContaining(inferenceFiles));
    const search = await findLatestCheckpoint(legacy);
    expect(search.skipped).toEqual([]);
    expect(search.latest!.manifest.epoch).toBe(2);
    method.dispose();
    expect(existsSync(path.join(legacy, 'checkpoints', 'epoch-000001', 'model', 'autoencoder.json'))).toBe(true);
  });

  it('a store that skips the inference model: AutoencoderClassifier.save builds none, neither its own nor its members\', and the classifier still loads', async () => {
    const classifier = new AutoencoderClassifier({ autoencoder: { layers: [36, 8, 2], seed: 4 } });
    await classifier.fit(data, fitOptions);
    const ownBuilt = spyOnInferenceModel(AutoencoderClassifier);
    const memberBuilt = spyOnInferenceModel(Autoencoder);
    try {
      const skipping = path.join(root, 'classifier-skipping');
      await classifier.save(new FolderStoreWithoutInferenceModel(skipping));
      expect(ownBuilt).not.toHaveBeenCalled();
      expect(memberBuilt).not.toHaveBeenCalled();
      expect(readdirSync(skipping, { recursive: true }).map(String).filter((f) => path.basename(f).startsWith('inference'))).toEqual([]);
      const loaded = await AutoencoderClassifier.load(skipping);
      expect(loaded.classes).toEqual(classifier.classes);
      expect(Array.from((await loaded.score(data)).errors)).toEqual(Array.from((await classifier.score(data)).errors));
      loaded.dispose();

      // A plain folder: built and written, the classifier's and each member's.
      const plain = path.join(root, 'classifier-plain');
      await classifier.save(plain);
      expect(ownBuilt).toHaveBeenCalledTimes(1);
      expect(memberBuilt).toHaveBeenCalledTimes(classifier.classes.length);
      expect(readdirSync(plain)).toEqual(expect.arrayContaining(inferenceFiles));
    } finally {
      ownBuilt.mockRestore();
      memberBuilt.mockRestore();
      classifier.dispose();
    }
  });
});
