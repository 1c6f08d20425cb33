/**
 * A GPU device lost during training (issue 17): a child process trains on webgpu (SwiftShader
 * here) and loses its device right after epoch 1's checkpoint (fixtures/lose_webgpu_device_hook.ts
 * destroys it); it must exit non-zero with the one clear message, leave that checkpoint intact, and
 * `train --out <run> --resume --backend wasm` must load exactly the checkpoint's weights and finish
 * the run (from there with wasm's own numerics). With CI=true an absent adapter fails; otherwise
 * the test is skipped with a message (as the other webgpu tests).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { METHODS } from '../../src/cli/method_registry.js';
import type { TrainableMethod } from '../../src/cli/method_registry.js';
import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { skipWebGpuTests, webGpuAvailability } from '../backend/webgpu_helpers.js';
import { runCli, temporaryDirectory } from './helpers.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const HOOK = fileURLToPath(new URL('./fixtures/lose_webgpu_device_hook.ts', import.meta.url));

const availability = await webGpuAvailability();
const skip = skipWebGpuTests(availability, 'test/cli/device_lost_resume.test.ts');

const root = temporaryDirectory();
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The weight files (`*.bin`) of a saved model folder, by name. */
function weightFiles(directory: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(directory).sort()) if (name.endsWith('.bin')) files.set(name, readFileSync(path.join(directory, name)));
  return files;
}

function metricsLines(run: string): { epoch: number; loss: number }[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { epoch: number; loss: number });
}

describe.skipIf(skip)('a GPU device lost during training', () => {
  it('exits non-zero with one clear error, keeps the last checkpoint, and --resume --backend wasm loads its weights and finishes', async () => {
    const run = path.join(root, 'run');
    const firstCheckpoint = path.join(run, 'checkpoints', 'epoch-000001');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', HOOK, 'src/cli/main.ts', 'train', 'autoencoder', '--layers', '8,4', '--limit', '64', '--epochs', '3', '--batch-size', '32', '--backend', 'webgpu', '--progress', 'none', '--out', run],
      { cwd: REPOSITORY, env: { ...process.env, LOSE_DEVICE_AFTER: firstCheckpoint }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.error, 'the child did not exit by itself').toBeUndefined();
    expect(child.stderr).toMatch(/lose_webgpu_device_hook: destroyed the GPU device after epoch-000001/);
    expect(child.status, child.stderr).toBe(1);
    // The backend's own notice, then the CLI's error for this run: what is intact and the exact command.
    expect(child.stderr).toMatch(/^webgpu: the GPU device was lost \(destroyed[^\n]*`tfjs-unsupervised train --out <run> --resume --backend wasm`/m);
    const error = child.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(error).toEqual([
      `error: webgpu: the GPU device was lost (destroyed: device was destroyed); the tensors on it are gone and nothing more runs on webgpu in this process (during epoch 2). ` +
        `checkpoints/epoch-000001 (1 epoch) is intact: continue on another backend with train --out ${run} --resume --backend wasm (the same weights; from there that backend's own numerics).`,
    ]);
    expect(child.stdout).not.toMatch(/trained \d+ epoch/);

    // Epoch 1's checkpoint verifies and is the newest; nothing half-written, no lock left.
    const search = await findLatestCheckpoint(run);
    expect(search.skipped).toEqual([]);
    expect(search.latest?.directory).toBe(firstCheckpoint);
    expect(search.latest?.manifest.epoch).toBe(1);
    expect(readdirSync(path.join(run, 'checkpoints'))).toEqual(['epoch-000001']);
    expect(existsSync(path.join(run, '.lock'))).toBe(false);
    expect(metricsLines(run).map((line) => line.epoch)).toEqual([1]);
    const runJson = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as { backend: string };
    expect(runJson.backend).toMatch(/^webgpu/);
    // Kept before the resume (with --keep-checkpoints 2 it is pruned once epoch 3 is written).
    cpSync(firstCheckpoint, path.join(root, 'epoch-1-copy'), { recursive: true });
    const checkpointWeights = weightFiles(path.join(root, 'epoch-1-copy', 'model'));
    expect(checkpointWeights.size).toBeGreaterThan(0);

    // The resume loads the method through the registry: what it loaded is saved again for comparison.
    const entry = METHODS.autoencoder;
    const load = entry.load.bind(entry);
    const loadedCopy = path.join(root, 'loaded-on-wasm');
    const spy = vi.spyOn(entry, 'load').mockImplementation(async (directory: string) => {
      const method = (await load(directory)) as TrainableMethod;
      await method.save(loadedCopy);
      return method;
    });
    try {
      const resumed = await runCli('train', '--out', run, '--resume', '--backend', 'wasm', '--progress', 'none');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/backend wasm/);
      expect(resumed.stdout).toMatch(/resuming .* from checkpoints\/epoch-000001 \(1 epoch done\), target 3 epochs/);
      expect(resumed.stdout).toMatch(/trained 2 epochs in .* \(3 in all\)/);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    // Same weights loaded on wasm as the GPU wrote, bit for bit.
    expect(weightFiles(loadedCopy)).toEqual(checkpointWeights);

    const finished = await findLatestCheckpoint(run);
    expect(finished.skipped).toEqual([]);
    expect(finished.latest?.manifest.epoch).toBe(3);
    const lines = metricsLines(run);
    expect(lines.map((line) => line.epoch)).toEqual([1, 2, 3]);
    for (const line of lines) expect(Number.isFinite(line.loss)).toBe(true);
  }, 180_000);
});
