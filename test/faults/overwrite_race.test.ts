/**
 * Two processes, one run: while a child process trains (held by the fault hook between epochs,
 * after its first checkpoint), a second `train --overwrite` (and a plain `train`, and `--resume`)
 * is refused with exit 2 and touches nothing; the first run then finishes with all its files. And
 * SIGTERM / SIGINT to the trainer (one process: `node --import tsx src/cli/main.ts`) end it at once,
 * release the lock, and --resume continues.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from '../cli/helpers.js';
import { checkpointFingerprint, REPOSITORY, startCli } from './child_cli.js';
import type { RunningChild } from './child_cli.js';

const root = temporaryDirectory('tfjs-unsupervised-race-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const args = ['autoencoder', '--limit', '64', '--layers', '32,8', '--batch-size', '16', '--epochs', '3', '--seed', '11', '--backend', 'cpu', '--progress', 'none'];

/** Starts a training child that waits before its second metrics line (epoch 1's checkpoint is on disk). */
async function heldTrainer(out: string, name: string): Promise<{ running: RunningChild; release: () => void }> {
  const holdFile = path.join(root, `${name}.go`);
  const running = startCli(['train', ...args, '--out', out], { FAULT_RUN_DIR: out, FAULT_HOLD_AT: 'append:2', FAULT_HOLD_FILE: holdFile });
  const waiting = `${holdFile}.waiting`;
  for (let i = 0; i < 3000 && !existsSync(waiting); i++) {
    const ended = await Promise.race([running.done.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 20))]);
    if (ended) throw new Error(`the trainer ended before it was held: ${(await running.done).stderr}`);
  }
  expect(existsSync(waiting)).toBe(true);
  return { running, release: () => writeFileSync(holdFile, '') };
}

/** Every file of the run with its bytes, to show that nothing changed. */
function snapshot(run: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(run, relative), { withFileTypes: true })) {
      const name = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(name);
      else out[name] = readFileSync(path.join(run, name)).toString('base64');
    }
  };
  walk('');
  return out;
}

describe('the overwrite race', () => {
  it('a second process with --overwrite is refused (exit 2) while the first trains, and the first run keeps every file', async () => {
    const run = path.join(root, 'race');
    const { running, release } = await heldTrainer(run, 'race');
    const pid = running.child.pid!;
    const before = snapshot(run);
    expect(Object.keys(before).sort()).toEqual(expect.arrayContaining(['.lock', 'run.json', 'metrics.jsonl', path.join('checkpoints', 'epoch-000001', 'checkpoint.json')]));

    for (const extra of [['--overwrite'], [], ['--resume']]) {
      const second = await runCli('train', ...args, '--out', run, ...extra);
      expect(second.code, `${extra.join(' ')}: ${second.stderr}`).toBe(2);
      expect(second.stderr).toContain(`error: Another process (pid ${pid}) is training into ${run}; wait for it or stop it first.`);
      expect(snapshot(run)).toEqual(before);
    }

    release();
    const first = await running.done;
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ method: 'autoencoder', epochs: 3, seed: 11 });
    expect(readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(['epoch-000002', 'epoch-000003']);
    const { latest, skipped } = await findLatestCheckpoint(run);
    expect(latest?.manifest.epoch).toBe(3);
    expect(skipped).toEqual([]);
    expect(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(existsSync(path.join(run, '.lock'))).toBe(false);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops the trainer at once, releases the lock, and --resume ends bitwise equal to an uninterrupted run`, async () => {
      const run = path.join(root, signal);
      const { running } = await heldTrainer(run, signal);
      running.child.kill(signal);
      const stopped = await running.done;
      expect(stopped.signal).toBeNull();
      expect(stopped.code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(stopped.stderr).toContain(`${signal}: stopped training ${run}; its completed epochs are kept. Continue with: tfjs-unsupervised train --out ${run} --resume`);
      expect(existsSync(path.join(run, '.lock'))).toBe(false);
      expect((await findLatestCheckpoint(run)).latest?.manifest.epoch).toBe(1);

      const resumed = await runCli('train', '--out', run, '--resume', '--backend', 'cpu', '--progress', 'none');
      expect(resumed.code, resumed.stderr).toBe(0);
      if (signal === 'SIGTERM') {
        const whole = path.join(root, 'whole');
        expect((await runCli('train', ...args, '--out', whole)).code).toBe(0);
        expect(checkpointFingerprint(path.join(run, 'checkpoints', 'epoch-000003'))).toEqual(checkpointFingerprint(path.join(whole, 'checkpoints', 'epoch-000003')));
      }
    });
  }

  it('`npm run cli` passes SIGTERM on to the trainer (one process after npm: exec), which releases the lock', async () => {
    const run = path.join(root, 'npm');
    const npm = spawn('npm', ['run', '--silent', 'cli', '--', 'train', ...args.map((a) => (a === '3' ? '1000' : a)), '--out', run], {
      cwd: REPOSITORY,
      env: { ...process.env, TFJS_UNSUPERVISED_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ended = new Promise<number | null>((resolve) => npm.on('close', (code) => resolve(code)));
    for (let i = 0; i < 1500 && !existsSync(path.join(run, 'checkpoints', 'epoch-000001')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const trainer = Number(readFileSync(path.join(run, '.lock'), 'utf8'));
    expect(trainer).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    await ended;
    expect(stderr).toContain(`SIGTERM: stopped training ${run}`);
    // The trainer itself is gone (not left running without its parent), and its lock with it.
    expect(() => process.kill(trainer, 0)).toThrow();
    expect(existsSync(path.join(run, '.lock'))).toBe(false);
  });
});
