import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { CliUsageError } from '../../src/cli/io.js';
import { clearRun, lockRun, releaseHeldLocksSync, tidyCheckpoints } from '../../src/cli/run_directory.js';
import type { CheckpointInfo } from '../../src/train/checkpoint.js';
import { temporaryDirectory } from './helpers.js';

const root = temporaryDirectory('tfjs-unsupervised-lock-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Eight takers at once: how many got the lock, and what the others were told. */
async function race(run: string): Promise<{ winners: Array<() => Promise<void>>; refusals: string[] }> {
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockRun(run)));
  const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refusals = results.flatMap((r) => {
    if (r.status === 'fulfilled') return [];
    expect(r.reason).toBeInstanceOf(CliUsageError);
    return [(r.reason as Error).message];
  });
  return { winners, refusals };
}

describe('lockRun', () => {
  it('one taker of eight at once gets a free lock; the others are refused, naming the holder', async () => {
    const run = path.join(root, 'free');
    mkdirSync(run);
    const { winners, refusals } = await race(run);
    expect(winners).toHaveLength(1);
    expect(refusals).toHaveLength(7);
    for (const message of refusals) expect(message).toBe(`Another process (pid ${process.pid}) is training into ${run}; wait for it or stop it first.`);
    expect(readFileSync(path.join(run, '.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await winners[0]();
    expect(readdirSync(run)).toEqual([]);
  });

  for (const [name, content] of [
    ['a process that is gone', '2147483646\n'],
    ['an empty file', ''],
    ['this process id, not held (an earlier process with the same id)', `${process.pid}\n`],
  ] as const) {
    it(`a stale lock (${name}) is taken over by exactly one of eight`, async () => {
      const run = path.join(root, name.replace(/\W+/g, '-'));
      mkdirSync(run);
      writeFileSync(path.join(run, '.lock'), content);
      writeFileSync(path.join(run, '.lock.2147483646-leftover'), '2147483646\n');
      const { winners, refusals } = await race(run);
      expect(winners).toHaveLength(1);
      expect(refusals).toHaveLength(7);
      expect(readdirSync(run)).toEqual(['.lock']);
      await winners[0]();
      expect(existsSync(path.join(run, '.lock'))).toBe(false);
    });
  }

  it('releaseHeldLocksSync removes the locks this process holds (what SIGINT / SIGTERM do)', async () => {
    const run = path.join(root, 'signal');
    mkdirSync(run);
    await lockRun(run);
    expect(releaseHeldLocksSync()).toEqual([run]);
    expect(existsSync(path.join(run, '.lock'))).toBe(false);
    expect(releaseHeldLocksSync()).toEqual([]);
  });
});

describe('leftovers of interrupted writes of the run files (a kill during writeFileAtomic)', () => {
  /** A run folder with leftovers of interrupted writes beside the user's own files. */
  function runWithLeftovers(name: string): string {
    const run = path.join(root, name);
    mkdirSync(path.join(run, 'checkpoints', 'epoch-000001'), { recursive: true });
    for (const file of ['run.json', 'run.json.tmp-123-abc9', 'metrics.jsonl.tmp-45-z0', 'notes.txt', 'data.tmp-1-a']) writeFileSync(path.join(run, file), 'x');
    return run;
  }

  it('tidyCheckpoints (on --resume) removes run.json.tmp-* and metrics.jsonl.tmp-*, nothing else', async () => {
    const run = runWithLeftovers('tidy');
    const latest = { directory: path.join(run, 'checkpoints', 'epoch-000001'), modelDirectory: path.join(run, 'checkpoints', 'epoch-000001', 'model') } as CheckpointInfo;
    await tidyCheckpoints(run, latest);
    expect(readdirSync(run).sort()).toEqual(['checkpoints', 'data.tmp-1-a', 'notes.txt', 'run.json']);
  });

  it('clearRun (--overwrite) removes them with the run files, and keeps the user files', async () => {
    const run = runWithLeftovers('clear');
    await clearRun(run);
    expect(readdirSync(run).sort()).toEqual(['data.tmp-1-a', 'notes.txt']);
  });
});
