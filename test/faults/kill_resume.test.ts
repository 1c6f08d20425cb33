/**
 * kill -9 at seeded random points of a run (optimiser steps and every file operation of the
 * checkpoint writes), in child processes, again and again until the run is done: after every kill
 * the newest checkpoint that verifies loads and equals the uninterrupted run's at that epoch bit
 * for bit, and the run finished by --resume ends bitwise equal to the uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { Autoencoder } from '../../src/methods/autoencoder.js';
import { findLatestCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { temporaryDirectory } from '../cli/helpers.js';
import { checkpointFingerprint, runCliChild, seededRandom } from './child_cli.js';

const root = temporaryDirectory('tfjs-unsupervised-kill-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EPOCHS = 4;
const args = (out: string) => ['train', 'autoencoder', '--limit', '64', '--layers', '32,8', '--batch-size', '16', '--epochs', String(EPOCHS), '--seed', '5', '--backend', 'cpu', '--progress', 'none', '--out', out];
/** Chains of kills: one per seed, up to KILLS_PER_CHAIN kills each, then a run to the end. */
const SEEDS = [1, 2, 3, 4, 5];
const KILLS_PER_CHAIN = 3;

let reference: Array<ReturnType<typeof checkpointFingerprint>> = [];
let referenceKinds: string[] = [];

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  // The uninterrupted run, every checkpoint kept, its events counted.
  const out = path.join(root, 'reference');
  const countFile = path.join(root, 'reference-events.json');
  const result = await runCliChild([...args(out), '--keep-checkpoints', '100'], { FAULT_RUN_DIR: out, FAULT_COUNT_FILE: countFile });
  expect(result.code, result.stderr).toBe(0);
  reference = readdirSync(path.join(out, 'checkpoints'))
    .sort()
    .map((name) => checkpointFingerprint(path.join(out, 'checkpoints', name)));
  referenceKinds = (JSON.parse(readFileSync(countFile, 'utf8')) as { kinds: string[] }).kinds;
});

/**
 * A seeded kill point in a run that has `remainingEpochs` to train: an optimiser step or a file
 * operation (half each), numbered within that kind, always one the run reaches.
 */
function killPoint(random: () => number, remainingEpochs: number): string {
  const batches = referenceKinds.filter((k) => k === 'batch').length;
  const files = referenceKinds.length - batches;
  if (random() < 0.5) return `batch:${1 + Math.floor(random() * Math.floor((batches * remainingEpochs) / EPOCHS))}`;
  return `file:${1 + Math.floor(random() * Math.floor((files * remainingEpochs) / EPOCHS))}`;
}

describe('kill -9 at seeded random points', () => {
  it('reference run: events of training and checkpoint writing', () => {
    expect(reference.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(referenceKinds.filter((k) => k === 'batch')).toHaveLength(16);
    expect(referenceKinds.length).toBeGreaterThan(200);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: every kill leaves a loadable checkpoint equal to the uninterrupted run's; resume ends bitwise equal`, async () => {
      const random = seededRandom(seed);
      const out = path.join(root, `chain-${seed}`);
      const log: string[] = [];
      let kills = 0;
      for (let attempt = 0; attempt <= KILLS_PER_CHAIN; attempt++) {
        const latest = existsSync(out) ? (await findLatestCheckpoint(out)).latest : undefined;
        const mode = latest !== undefined ? '--resume' : '--overwrite';
        const point = attempt < KILLS_PER_CHAIN ? killPoint(random, EPOCHS - (latest?.manifest.epoch ?? 0)) : undefined;
        const note = path.join(root, `note-${seed}-${attempt}`);
        const env: Record<string, string> = { FAULT_RUN_DIR: out, FAULT_KILL_NOTE: note };
        if (point !== undefined) env.FAULT_KILL_AT = point;
        const result = await runCliChild([...args(out), mode], env);
        const killedAt = existsSync(note) ? readFileSync(note, 'utf8') : 'not reached';
        log.push(`${mode}: kill at ${point ?? '-'} → ${result.signal ?? `exit ${result.code}`}${result.signal ? ` at ${killedAt}` : ''}`);
        if (result.signal === 'SIGKILL') {
          kills++;
          // The newest checkpoint that verifies loads, and is the uninterrupted run's at its epoch.
          const after = existsSync(out) ? await findLatestCheckpoint(out) : { latest: undefined };
          if (after.latest !== undefined) {
            const epoch = after.latest.manifest.epoch;
            expect(checkpointFingerprint(after.latest.directory), log.join('\n')).toEqual(reference[epoch - 1]);
            const tensors = tf.memory().numTensors;
            const { method } = await loadCheckpoint(after.latest, (dir) => Autoencoder.load(dir));
            expect(method.epochsTrained).toBe(epoch);
            method.dispose();
            expect(tf.memory().numTensors).toBe(tensors);
          }
          if (existsSync(path.join(out, 'run.json'))) expect(() => JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).not.toThrow();
          continue;
        }
        expect(result.code, `${log.join('\n')}\n${result.stderr}`).toBe(0);
        break;
      }
      // The run is complete now: bitwise the uninterrupted run's last checkpoint.
      const { latest } = await findLatestCheckpoint(out);
      expect(latest?.manifest.epoch, log.join('\n')).toBe(EPOCHS);
      expect(checkpointFingerprint(latest!.directory)).toEqual(reference[EPOCHS - 1]);
      const metrics = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { epoch: number }).epoch);
      expect(metrics).toEqual([1, 2, 3, 4]);
      expect(readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['epoch-000003', 'epoch-000004']);
      // No lock, no leftovers of lock attempts or interrupted writes.
      expect(readdirSync(out).sort()).toEqual(['checkpoints', 'metrics.jsonl', 'run.json']);
      expect(kills, log.join('\n')).toBeGreaterThan(0);
      console.log(`seed ${seed}:\n  ${log.join('\n  ')}`);
    });
  }
});
