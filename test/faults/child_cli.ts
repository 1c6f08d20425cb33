/**
 * Runs the CLI in a child process, the way a user does (one node process, signals reach it), with
 * the fault hook (`fault_hook.ts`) loaded first: for the fault suite's kills, holds and signals.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { CheckpointManifest } from '../../src/train/checkpoint.js';

/** The repository root (children run there, so that `--import tsx` resolves). */
export const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const HOOK = fileURLToPath(new URL('./fault_hook.ts', import.meta.url));

/** How a child ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A started child and its end. */
export interface RunningChild {
  child: ChildProcess;
  done: Promise<ChildResult>;
}

/**
 * Starts `node --import tsx --import fault_hook.ts src/cli/main.ts ...argv` with `env` added to
 * the environment; a child still running after `timeoutSeconds` is killed (the result then says
 * SIGKILL with `timed out` on stderr, so a hang fails the test instead of stalling it).
 */
export function startCli(argv: string[], env: Record<string, string> = {}, timeoutSeconds = 60): RunningChild {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', HOOK, 'src/cli/main.ts', ...argv], {
    cwd: REPOSITORY,
    env: { ...process.env, TFJS_UNSUPERVISED_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ChildResult>((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\ntimed out after ${timeoutSeconds} s`;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** {@link startCli} and wait for its end. */
export function runCliChild(argv: string[], env: Record<string, string> = {}, timeoutSeconds = 60): Promise<ChildResult> {
  return startCli(argv, env, timeoutSeconds).done;
}

/**
 * A checkpoint's numbers, to compare two checkpoints bit for bit: its epoch and step, and the
 * SHA-256 of its weights and optimiser files (state.json is left out: it records timings; so is
 * the inference model, a copy of the weights that only the newest checkpoint keeps).
 */
export function checkpointFingerprint(checkpointDirectory: string): { epoch: number; globalStep: number; files: Record<string, string> } {
  const manifest = JSON.parse(readFileSync(path.join(checkpointDirectory, 'checkpoint.json'), 'utf8')) as CheckpointManifest;
  const files: Record<string, string> = {};
  for (const file of manifest.files) {
    if (!/(weights\.bin|optimizer\.bin)$/.test(file.path) || file.path.startsWith('model/inference.')) continue;
    const actual = createHash('sha256').update(readFileSync(path.join(checkpointDirectory, file.path))).digest('hex');
    files[file.path] = actual;
  }
  return { epoch: manifest.epoch, globalStep: manifest.globalStep, files };
}

/** A small seeded generator (mulberry32): the suite's random points are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
