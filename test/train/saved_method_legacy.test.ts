import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { AutoencoderClassifier } from '../../src/methods/autoencoder_classifier.js';
import { FilterDistinguisher } from '../../src/methods/filter_distinguisher.js';
import type { FilterDistinguisherStage } from '../../src/methods/filter_distinguisher.js';
import { blobImages } from '../helpers/synthetic.js';

// Saved by the code before the one saved format (commit 4c36938, cpu backend) from the same
// images: an AutoencoderClassifier (autoencoder_classifier.json + class_<c>/autoencoder.json) and a
// FilterDistinguisher (filter_distinguisher.json, without epochsTrained).
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'legacy_methods');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as { classifierErrors: number[]; filterCodes: number[]; filterStages: FilterDistinguisherStage[] };
const images = blobImages(16, { side: 8, classes: 2, seed: 4 });
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-legacy-methods-'));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('folders saved in the per-class format (version 1)', () => {
  it('an AutoencoderClassifier loads and scores exactly as when it was saved, and saves in today’s format', async () => {
    const classifier = await AutoencoderClassifier.load(path.join(fixtures, 'legacy_autoencoder_classifier'));
    expect(classifier.temperature).toBe(0.05);
    const scores = await classifier.score(images);
    expect(Array.from(scores.errors)).toEqual(expected.classifierErrors);
    const again = path.join(directory, 'classifier');
    await classifier.save(again);
    expect(existsSync(path.join(again, 'method.json'))).toBe(true);
    expect(existsSync(path.join(again, 'class_1', 'method.json'))).toBe(true);
    const reloaded = await AutoencoderClassifier.load(again);
    expect(Array.from((await reloaded.score(images)).errors)).toEqual(expected.classifierErrors);
    classifier.dispose();
    reloaded.dispose();
  });

  it('a FilterDistinguisher loads with its stages and encodes exactly as when it was saved', async () => {
    const before = tf.memory().numTensors;
    const copy = path.join(directory, 'filter');
    cpSync(path.join(fixtures, 'legacy_filter_distinguisher'), copy, { recursive: true });
    const method = await FilterDistinguisher.load(copy);
    expect(method.stages).toEqual(expected.filterStages);
    expect(Array.from((await method.encode(images)).data)).toEqual(expected.filterCodes);
    method.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
