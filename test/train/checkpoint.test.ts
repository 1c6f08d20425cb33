import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { findLatestCheckpoint, loadCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';
import { blobImages } from '../helpers/synthetic.js';

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-checkpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = blobImages(64, { side: 6, classes: 3, seed: 1 });
const fitOptions = { batchSize: 16, seed: 2, progress: 'none' } as const;

describe('checkpoints', () => {
  it('written on cpu, load on wasm with the same weights and optimiser state, and training continues', async () => {
    await initBackend({ backend: 'cpu' });
    const run = path.join(root, 'cross');
    const ae = new Autoencoder({ layers: [36, 12, 4], seed: 1 });
    await ae.fit(data, { ...fitOptions, epochs: 2 });
    const written = await writeCheckpoint(run, ae, { extra: { note: 'cpu' } });
    expect(written.manifest).toMatchObject({ epoch: 2, globalStep: 8, method: 'Autoencoder' });
    const codesCpu = (await ae.encode(data)).data;
    const stateCpu = await ae.exportTrainingState();
    ae.dispose();

    await initBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const { latest } = await findLatestCheckpoint(run);
    const { method, extra } = await loadCheckpoint(latest!, (dir) => Autoencoder.load(dir));
    expect(extra).toEqual({ note: 'cpu' });
    expect(method.epochsTrained).toBe(2);
    expect(method.globalStep).toBe(8);
    expect(method.history.map((h) => h.loss)).toEqual(stateCpu.history.map((h) => h.loss));
    const codesWasm = (await method.encode(data)).data;
    codesWasm.forEach((v, i) => expect(v).toBeCloseTo(codesCpu[i], 5));
    const stateWasm = await method.exportTrainingState();
    expect(stateWasm.optimizers.map((g) => [g.group, g.optimizer, g.variableCount, g.extra])).toEqual(stateCpu.optimizers.map((g) => [g.group, g.optimizer, g.variableCount, g.extra]));
    expect(stateWasm.optimizers[0].weights.map((w) => Array.from(w.values))).toEqual(stateCpu.optimizers[0].weights.map((w) => Array.from(w.values)));
    const tensors = tf.memory().numTensors;
    const more = await method.fit(data, { ...fitOptions, epochs: 1 });
    expect(more[0].epoch).toBe(2);
    expect(tf.memory().numTensors).toBe(tensors);
    method.dispose();
  });

  it('a failed write leaves the previous checkpoint in place and no temporary files', async () => {
    await initBackend({ backend: 'cpu' });
    const run = path.join(root, 'failing');
    const ae = new Autoencoder({ layers: [36, 8], seed: 3 });
    await ae.fit(data, { ...fitOptions, epochs: 1 });
    await writeCheckpoint(run, ae);
    await ae.fit(data, { ...fitOptions, epochs: 1 });
    const save = ae.save.bind(ae);
    ae.save = async (directory: string) => {
      await save(directory);
      throw new Error('disk full');
    };
    await expect(writeCheckpoint(run, ae)).rejects.toThrow(/disk full/);
    expect(readdirSync(path.join(run, 'checkpoints'))).toEqual(['epoch-000001']);
    expect((await findLatestCheckpoint(run)).latest?.manifest.epoch).toBe(1);
    ae.save = save;
    await writeCheckpoint(run, ae);
    // Two are kept by default: the new one and the one before it.
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000001', 'epoch-000002']);
    // Rewriting the same epoch replaces it.
    await writeCheckpoint(run, ae, { extra: { again: true } });
    const { latest, skipped } = await findLatestCheckpoint(run);
    expect(skipped).toEqual([]);
    expect((await loadCheckpoint(latest!, (dir) => Autoencoder.load(dir))).extra).toEqual({ again: true });
    expect(existsSync(path.join(run, 'checkpoints', 'epoch-000002', 'checkpoint.json'))).toBe(true);
    ae.dispose();
  });

  it('names the function and the argument when given something else', async () => {
    await expect(writeCheckpoint(null as unknown as string, new Autoencoder())).rejects.toThrow('writeCheckpoint: runDirectory must be a path (a non-empty string); got null.');
    await expect(writeCheckpoint(path.join(root, 'x'), {} as Autoencoder)).rejects.toThrow(/^writeCheckpoint: method must be a method of this library/);
    await expect(writeCheckpoint(path.join(root, 'x'), new Autoencoder(), 'keep' as never)).rejects.toThrow(/^writeCheckpoint: options must be an object/);
    await expect(findLatestCheckpoint(path.join(root, 'no-such-run'))).rejects.toThrow(/^findLatestCheckpoint: the run directory .*no-such-run does not exist\.$/);
    await expect(loadCheckpoint({} as never, (dir) => Autoencoder.load(dir))).rejects.toThrow(/^loadCheckpoint: checkpoint must be a checkpoint found by findLatestCheckpoint/);
    expect(existsSync(path.join(root, 'x'))).toBe(false);
  });

  it('refuses optimiser state for another model with a clear error', async () => {
    await initBackend({ backend: 'cpu' });
    const a = new Autoencoder({ layers: [36, 8], seed: 3 });
    await a.fit(data, { ...fitOptions, epochs: 1 });
    const state = await a.exportTrainingState();
    const b = new Autoencoder({ layers: [36, 8, 4], seed: 3 }).initialize(data);
    await expect(b.importTrainingState(state)).rejects.toThrow(/parameter group 'all' has 8 variables but its saved optimiser state is for 4/);
    await expect(b.importOptimizerState([{ ...state.optimizers[0], group: 'greedy0' }])).rejects.toThrow(/group 'greedy0', which the model does not have now \(groups: all\)/);
    await expect(new Autoencoder().importTrainingState(state)).rejects.toThrow(/not trained yet/);
    a.dispose();
    b.dispose();
  });
});
