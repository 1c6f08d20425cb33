import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { loadMnist } from '../../src/data/mnist.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { findLatestCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory, weightValues } from './helpers.js';

// Everything here runs on the cpu backend (exact and deterministic), on 256 MNIST images.
const root = temporaryDirectory();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const common = ['autoencoder', '--limit', '256', '--layers', '32,8', '--batch-size', '64', '--backend', 'cpu', '--progress', 'none', '--seed', '3'];

async function latestAutoencoder(run: string): Promise<Autoencoder> {
  const { latest } = await findLatestCheckpoint(run);
  expect(latest).toBeDefined();
  return Autoencoder.load(latest!.modelDirectory);
}

function metricsEpochs(run: string): number[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { epoch: number }).epoch);
}

describe('train --resume', () => {
  it('ends with exactly the weights and optimiser state of an uninterrupted run, skipping damaged checkpoints', async () => {
    const whole = path.join(root, 'whole');
    const resumed = path.join(root, 'resumed');
    expect((await runCli('train', ...common, '--epochs', '3', '--out', whole)).code).toBe(0);
    expect((await runCli('train', ...common, '--epochs', '2', '--out', resumed)).code).toBe(0);
    // Epochs numbered from 1, as the terminal and the checkpoints (epoch-000002 after the second).
    expect(metricsEpochs(resumed)).toEqual([1, 2]);

    // A crash can leave: a metrics line of an epoch whose checkpoint was never written, a
    // partial temporary checkpoint, and (disk trouble) a damaged newer checkpoint.
    appendFileSync(path.join(resumed, 'metrics.jsonl'), '{"epoch":3,"loss":0.5}\n{"epoch":4,"lo');
    const checkpoints = path.join(resumed, 'checkpoints');
    const good = path.join(checkpoints, 'epoch-000002');
    mkdirSync(path.join(checkpoints, 'epoch-000003.tmp-99999-abc', 'model'), { recursive: true });
    writeFileSync(path.join(checkpoints, 'epoch-000003.tmp-99999-abc', 'model', 'encoder.json'), '{"modelTopo');
    const copyOfGood = path.join(root, 'epoch-2-copy');
    cpSync(good, copyOfGood, { recursive: true });
    const damaged = path.join(checkpoints, 'epoch-000004');
    cpSync(good, damaged, { recursive: true });
    const optimizerBin = path.join(damaged, 'optimizer.bin');
    const bytes = readFileSync(optimizerBin);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(optimizerBin, bytes);

    const result = await runCli('train', ...common, '--epochs', '3', '--out', resumed, '--resume');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/resuming .* from checkpoints\/epoch-000002 \(2 epochs done\), target 3 epochs/);
    expect(result.stderr).toMatch(/checkpoints\/epoch-000004 is damaged \(checkpoints\/epoch-000004\/optimizer\.bin does not match its SHA-256 in the manifest\); passed over/);
    expect(result.stderr).toMatch(/using checkpoints\/epoch-000002 instead \(the newest checkpoint that verifies: 2 epochs trained\)/);
    expect(result.stderr).toMatch(/skipping checkpoints\/epoch-000003\.tmp-99999-abc: incomplete/);
    // The new checkpoint and the one before it are kept (--keep-checkpoints 2 by default); metrics hold each epoch once.
    expect(readdirSync(checkpoints).sort()).toEqual(['epoch-000002', 'epoch-000003']);
    expect(metricsEpochs(resumed)).toEqual([1, 2, 3]);

    const a = await latestAutoencoder(whole);
    const b = await latestAutoencoder(resumed);
    const [wa, wb] = [await weightValues(a.encoder!, a.decoder!), await weightValues(b.encoder!, b.decoder!)];
    expect(wa.length).toBe(8);
    wa.forEach((values, i) => expect(Array.from(wb[i])).toEqual(Array.from(values)));

    // The optimiser state (Adam's step count and moments) matches too.
    const { latest: la } = await findLatestCheckpoint(whole);
    const { latest: lb } = await findLatestCheckpoint(resumed);
    const { method: ma } = await loadCheckpoint(la!, (dir) => Autoencoder.load(dir));
    const { method: mb } = await loadCheckpoint(lb!, (dir) => Autoencoder.load(dir));
    const [sa, sb] = [await ma.exportTrainingState(), await mb.exportTrainingState()];
    expect(sb.globalStep).toBe(12);
    expect(sb.epochsTrained).toBe(3);
    expect(sb.optimizers.map((g) => g.weights.map((w) => Array.from(w.values)))).toEqual(sa.optimizers.map((g) => g.weights.map((w) => Array.from(w.values))));
    expect(sb.optimizers[0].weights[0]).toMatchObject({ name: 'iter', dtype: 'int32' });
    expect(Array.from(sb.optimizers[0].weights[0].values)).toEqual([12]);
    expect(sb.history.map((h) => h.loss)).toEqual(sa.history.map((h) => h.loss));

    // Control: continuing from the same weights without the optimiser state gives other weights,
    // so the equality above is the checkpoint's doing.
    const control = await Autoencoder.load(path.join(copyOfGood, 'model'));
    await control.fit(await loadMnist({ split: 'train', limit: 256 }), { epochs: 1, batchSize: 64, seed: 3, progress: 'none' });
    const wc = await weightValues(control.encoder!, control.decoder!);
    expect(wc.some((values, i) => values.some((v, j) => v !== wa[i][j]))).toBe(true);
    [a, b, ma, mb, control].forEach((m) => m.dispose());
  });

  it('a new run refuses an existing run directory unless --resume or --overwrite', async () => {
    const run = path.join(root, 'refuse');
    expect((await runCli('train', ...common, '--epochs', '1', '--out', run)).code).toBe(0);
    const again = await runCli('train', ...common, '--epochs', '1', '--out', run);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run \(a checkpoint after epoch 1\)\. Pass --resume to continue it, or --overwrite/);
    expect(again.stderr).toMatch(/Run 'tfjs-unsupervised train --help' for usage/);
    expect(existsSync(path.join(run, 'checkpoints', 'epoch-000001'))).toBe(true);
    const nothingLeft = await runCli('train', ...common, '--epochs', '1', '--out', run, '--resume');
    expect(nothingLeft.code).toBe(0);
    expect(nothingLeft.stdout).toMatch(/nothing to train: 1 epoch done \(target 1\)/);
    const overwritten = await runCli('train', ...common, '--epochs', '2', '--out', run, '--overwrite');
    expect(overwritten.code).toBe(0);
    expect(metricsEpochs(run)).toEqual([1, 2]);
    expect((await runCli('train', ...common, '--epochs', '1', '--out', run, '--resume', '--overwrite')).code).toBe(2);

    const foreign = path.join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    const refused = await runCli('train', ...common, '--out', foreign);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty and holds no run/);
  });

  it('--resume needs a run with a complete checkpoint, and the run’s own settings', async () => {
    const missing = await runCli('train', ...common, '--out', path.join(root, 'nowhere'), '--resume');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--resume: Run directory .*nowhere does not exist/);

    // A run killed before its first epoch ended: run.json, no checkpoint.
    const run = path.join(root, 'no-checkpoint');
    expect((await runCli('train', ...common, '--epochs', '1', '--out', run)).code).toBe(0);
    rmSync(path.join(run, 'checkpoints'), { recursive: true });
    mkdirSync(path.join(run, 'checkpoints', 'epoch-000001.tmp-1-x'), { recursive: true });
    const none = await runCli('train', ...common, '--out', run, '--resume');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no complete checkpoint yet \(no epoch has finished\); nothing to resume from, start over with --overwrite/);

    // A live process's lock refuses; a dead one's is taken over.
    const locked = path.join(root, 'locked');
    expect((await runCli('train', ...common, '--epochs', '1', '--out', locked)).code).toBe(0);
    writeFileSync(path.join(locked, '.lock'), `${process.ppid}\n`);
    const busy = await runCli('train', ...common, '--epochs', '2', '--out', locked, '--resume');
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`Another process \\(pid ${process.ppid}\\) is training into`));
    writeFileSync(path.join(locked, '.lock'), '2147483646\n');
    expect((await runCli('train', ...common, '--epochs', '2', '--out', locked, '--resume')).code).toBe(0);
    expect(existsSync(path.join(locked, '.lock'))).toBe(false);

    const changed = path.join(root, 'changed');
    expect((await runCli('train', ...common, '--epochs', '1', '--out', changed)).code).toBe(0);
    const different = await runCli('train', ...common.map((a) => (a === '3' ? '4' : a)), '--epochs', '2', '--out', changed, '--resume');
    expect(different.code).toBe(2);
    expect(different.stderr).toMatch(/--seed 4 \(the run used 3\)/);
    // Without method and flags, --resume takes everything from run.json.
    const bare = await runCli('train', '--out', changed, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    expect(bare.code, bare.stderr).toBe(0);
    expect(metricsEpochs(changed)).toEqual([1, 2]);
  });
});
