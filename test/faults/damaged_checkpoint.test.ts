/**
 * A damaged newest checkpoint (a truncated weights file, as a full disk or a bad copy leaves):
 * `train --resume`, `eval`, `embed` and `plot` fall back to the checkpoint before it and say which
 * file is damaged (its size against the manifest's), which checkpoint they use, and what to do.
 * Also: `--keep-checkpoints`, and `--resume --epochs N` with nothing to train leaving run.json.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { runCli, temporaryDirectory } from '../cli/helpers.js';
import { checkpointFingerprint } from './child_cli.js';

const root = temporaryDirectory('tfjs-unsupervised-damaged-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const common = ['autoencoder', '--limit', '64', '--layers', '32,8', '--batch-size', '16', '--seed', '7', '--backend', 'cpu', '--progress', 'none'];
const reference = path.join(root, 'reference');

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const result = await runCli('train', ...common, '--epochs', '3', '--out', reference);
  expect(result.code, result.stderr).toBe(0);
});

/** A copy of the reference run whose newest checkpoint (epoch 3) has a truncated encoder weights file. */
function damagedCopy(name: string): { run: string; file: string; bytes: number } {
  const run = path.join(root, name);
  cpSync(reference, run, { recursive: true });
  const file = path.join(run, 'checkpoints', 'epoch-000003', 'model', 'encoder.weights.bin');
  const bytes = statSync(file).size;
  truncateSync(file, 100);
  return { run, file, bytes };
}

describe('a damaged newest checkpoint', () => {
  it('keeps two checkpoints by default', () => {
    expect(readdirSync(path.join(reference, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003']);
    expect(JSON.parse(readFileSync(path.join(reference, 'run.json'), 'utf8'))).toMatchObject({ keepCheckpoints: 2, epochs: 3 });
  });

  it('--resume falls back to the one before, names the file and its size, and ends bitwise equal to the uninterrupted run', async () => {
    const { run, bytes } = damagedCopy('resume');
    const result = await runCli('train', '--out', run, '--resume', '--backend', 'cpu', '--progress', 'none');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: checkpoints/epoch-000003 is damaged (checkpoints/epoch-000003/model/encoder.weights.bin has 100 bytes, the manifest says ${bytes}); passed over.`);
    expect(result.stderr).toContain('warning: using checkpoints/epoch-000002 instead (the newest checkpoint that verifies: 2 epochs trained).');
    expect(result.stdout).toMatch(/resuming .* from checkpoints\/epoch-000002 \(2 epochs done\), target 3 epochs/);
    expect(result.stdout).toMatch(/trained 1 epoch in .* \(3 in all\)/);
    // Epoch 3 trained again replaces the damaged checkpoint, bit for bit what it was.
    expect(checkpointFingerprint(path.join(run, 'checkpoints', 'epoch-000003'))).toEqual(checkpointFingerprint(path.join(reference, 'checkpoints', 'epoch-000003')));
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003']);
  });

  it('eval, embed and plot use the checkpoint before it and say so', async () => {
    const { run } = damagedCopy('inference');
    const features = path.join(root, 'features.bin');
    const embedded = await runCli('embed', run, '--out', features, '--limit', '32', '--backend', 'cpu');
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.stderr).toMatch(/warning: checkpoints\/epoch-000003 is damaged \(checkpoints\/epoch-000003\/model\/encoder\.weights\.bin has 100 bytes, the manifest says \d+\); passed over\./);
    expect(embedded.stderr).toContain('warning: embed uses the weights after epoch 2; to train the lost epochs again: train --out');
    expect(JSON.parse(readFileSync(path.join(root, 'features.json'), 'utf8'))).toMatchObject({ rows: 32, cols: 8, epochsTrained: 2 });

    const evaluated = await runCli('eval', run, '--limit', '64', '--no-probes', '--backend', 'cpu');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stderr).toContain('warning: using checkpoints/epoch-000002 instead');
    expect(evaluated.stderr).toContain('warning: eval uses the weights after epoch 2');

    const plotted = await runCli('plot', run, '--limit', '64', '--format', 'svg', '--backend', 'cpu');
    expect(plotted.code, plotted.stderr).toBe(0);
    expect(plotted.stderr).toContain('warning: plot uses the weights after epoch 2');
  });

  it('with every checkpoint damaged, --resume and eval say so (not "no epoch has finished")', async () => {
    const { run } = damagedCopy('all-damaged');
    truncateSync(path.join(run, 'checkpoints', 'epoch-000002', 'optimizer.bin'), 3);
    const resumed = await runCli('train', '--out', run, '--resume', '--backend', 'cpu', '--progress', 'none');
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/--resume: none of the checkpoints of .*all-damaged verifies \(checkpoints\/epoch-000003: model\/encoder\.weights\.bin has 100 bytes, the manifest says \d+; checkpoints\/epoch-000002: optimizer\.bin has 3 bytes, the manifest says \d+\); nothing to resume from, start over with --overwrite\./);
    expect(resumed.stderr).not.toMatch(/no epoch has finished/);
    const evaluated = await runCli('eval', run, '--backend', 'cpu');
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toMatch(/none of the checkpoints of .* verifies .*; train the run again \(train --overwrite\)/);
  });

  it('--keep-checkpoints N keeps the newest N; bad values are usage errors', async () => {
    const run = path.join(root, 'keep');
    const result = await runCli('train', ...common, '--epochs', '4', '--keep-checkpoints', '3', '--out', run);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003', 'epoch-000004']);
    // On --resume the run's number holds unless given again.
    expect((await runCli('train', '--out', run, '--resume', '--epochs', '5', '--backend', 'cpu', '--progress', 'none')).code).toBe(0);
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000003', 'epoch-000004', 'epoch-000005']);
    expect((await runCli('train', '--out', run, '--resume', '--epochs', '6', '--keep-checkpoints', '1', '--backend', 'cpu', '--progress', 'none')).code).toBe(0);
    expect(readdirSync(path.join(run, 'checkpoints'))).toEqual(['epoch-000006']);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ keepCheckpoints: 1, epochs: 6 });
    for (const bad of ['0', '-2', '1.5', 'two', '']) {
      const refused = await runCli('train', ...common, `--keep-checkpoints=${bad}`, '--out', path.join(root, 'never'));
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr).toMatch(bad === '0' || bad === '-2' ? `--keep-checkpoints must be ≥ 1; got ${bad}.` : `--keep-checkpoints must be a positive integer; got '${bad}'.`);
    }
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });

  it('--resume --epochs fewer than done: nothing to train, run.json unchanged', async () => {
    const run = path.join(root, 'fewer');
    cpSync(reference, run, { recursive: true });
    const before = readFileSync(path.join(run, 'run.json'), 'utf8');
    const result = await runCli('train', '--out', run, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('nothing to train: 3 epochs done (target 2); run.json keeps its target of 3 epochs; raise --epochs to train more.');
    expect(readFileSync(path.join(run, 'run.json'), 'utf8')).toBe(before);
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003']);
  });
});
