/**
 * Write errors, injected by wrapping `fs.promises` from the test (nothing in the library knows):
 * ENOSPC in the middle of a checkpoint leaves the previous checkpoints intact and no temporary
 * files, and the message names the file, what happened and what to do; `embed --out` a folder is
 * a usage error; a failed new run leaves no folder behind.
 */
import { existsSync, mkdirSync, promises, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from '../cli/helpers.js';
import { enospcError, failWritesTo } from '../helpers/write_faults.js';
import { checkpointFingerprint } from './child_cli.js';

const root = temporaryDirectory('tfjs-unsupervised-write-errors-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const common = ['autoencoder', '--limit', '64', '--layers', '32,8', '--batch-size', '16', '--seed', '9', '--backend', 'cpu', '--progress', 'none'];

describe('write errors', () => {
  it('ENOSPC during a checkpoint: the message names the file, the previous checkpoints stay intact, --resume continues bitwise', async () => {
    const reference = path.join(root, 'reference');
    expect((await runCli('train', ...common, '--epochs', '3', '--out', reference)).code).toBe(0);

    const run = path.join(root, 'full-disk');
    const { failed } = failWritesTo(/epoch-000003\.tmp-[^/]*\/optimizer\.bin\.tmp-/);
    const result = await runCli('train', ...common, '--epochs', '3', '--out', run);
    vi.restoreAllMocks();
    expect(failed).toHaveLength(1);
    expect(result.code).toBe(1);
    const target = failed[0].replace(/\.tmp-[^/]*$/, '');
    expect(result.stderr).toContain(
      `error: the checkpoint after epoch 3 could not be written: Cannot write ${target}: no space left on device (ENOSPC). checkpoints/epoch-000002 (2 epochs) is intact; fix the cause (e.g. free disk space), then continue with train --out ${run} --resume.`,
    );
    // No temporary directory or file is left, both earlier checkpoints verify, the lock is gone.
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000001', 'epoch-000002']);
    expect((await findLatestCheckpoint(run)).skipped).toEqual([]);
    expect(existsSync(path.join(run, '.lock'))).toBe(false);

    const resumed = await runCli('train', '--out', run, '--resume', '--backend', 'cpu', '--progress', 'none');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(checkpointFingerprint(path.join(run, 'checkpoints', 'epoch-000003'))).toEqual(checkpointFingerprint(path.join(reference, 'checkpoints', 'epoch-000003')));
  });

  it('ENOSPC on the metrics line names metrics.jsonl', async () => {
    const run = path.join(root, 'metrics-full');
    vi.spyOn(promises, 'appendFile').mockRejectedValue(enospcError());
    const result = await runCli('train', ...common, '--epochs', '1', '--out', run);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: the metrics line of epoch 1 could not be written: Cannot write ${path.join(run, 'metrics.jsonl')}: no space left on device (ENOSPC). The run has no checkpoint yet; fix the cause (e.g. free disk space), then start over with --overwrite.`,
    );
  });

  it('embed --out an existing folder: a usage error, nothing written', async () => {
    const run = path.join(root, 'embed');
    expect((await runCli('train', ...common, '--epochs', '1', '--out', run)).code).toBe(0);
    const folder = path.join(root, 'features-folder');
    mkdirSync(folder);
    const result = await runCli('embed', run, '--out', folder, '--limit', '16', '--backend', 'cpu');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --out ${folder} is a folder; give the features file's name, e.g. --out ${path.join(folder, 'features.bin')}.`);
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(root).filter((name) => name.includes('.tmp-'))).toEqual([]);
    // The header beside it would be a folder.
    mkdirSync(path.join(root, 'clash.json'));
    const clash = await runCli('embed', run, '--out', path.join(root, 'clash.bin'), '--backend', 'cpu');
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--out .*clash\.bin: its clash\.json would go to .*clash\.json, which is a folder; choose another --out\./);
  });

  it('a new run that fails before it starts leaves no folder it created; a folder that existed stays', async () => {
    const nested = path.join(root, 'new', 'deeper', 'run');
    const result = await runCli('train', ...common, '--dataset', `idx:${path.join(root, 'no-such-dataset')}`, '--out', nested);
    expect(result.code).toBe(2);
    expect(existsSync(path.join(root, 'new'))).toBe(false);

    const existing = path.join(root, 'existing-empty');
    mkdirSync(existing);
    expect((await runCli('train', ...common, '--dataset', `idx:${path.join(root, 'no-such-dataset')}`, '--out', existing)).code).toBe(2);
    expect(readdirSync(existing)).toEqual([]);

    // --overwrite with a bad dataset: refused before the old run is deleted.
    const run = path.join(root, 'embed');
    const before = readFileSync(path.join(run, 'run.json'), 'utf8');
    expect((await runCli('train', ...common, '--dataset', `idx:${path.join(root, 'no-such-dataset')}`, '--out', run, '--overwrite')).code).toBe(2);
    expect(readFileSync(path.join(run, 'run.json'), 'utf8')).toBe(before);
    expect((await findLatestCheckpoint(run)).latest?.manifest.epoch).toBe(1);
  });
});
