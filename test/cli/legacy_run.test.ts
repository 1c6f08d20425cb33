import { cpSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { METHODS } from '../../src/cli/method_registry.js';
import { findLatestCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from './helpers.js';

// Run directories written by the code before issue 19 (one saved JSON per method, its own
// `Saved…` shape) with `--backend cpu`: they must keep loading, scoring and resuming.
//   train autoencoder --limit 64 --epochs 1 --batch-size 32 --layers 8,4 --keep-checkpoints 1
//   train iic --limit 64 --epochs 1 --batch-size 32 --backbone 4,M,4,M --clusters 3 --overcluster 5 --sub-heads 2 --keep-checkpoints 1
//   eval <run> --limit 100
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const root = temporaryDirectory('tfjs-unsupervised-legacy-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface EvalFile {
  clustering: { accuracy: number; nmi: number; ari: number };
  linearProbe: { accuracy: number };
  knnProbe: { accuracy: number };
}

function copyFixture(name: string): string {
  const run = path.join(root, name);
  cpSync(path.join(fixtures, name), run, { recursive: true });
  return run;
}

function readEval(run: string): EvalFile {
  return JSON.parse(readFileSync(path.join(run, 'eval.json'), 'utf8')) as EvalFile;
}

async function embeddings(run: string, method: 'autoencoder' | 'iic'): Promise<Float32Array> {
  const { latest } = await findLatestCheckpoint(run);
  expect(latest).toBeDefined();
  const entry = METHODS[method];
  const { method: loaded } = await loadCheckpoint(latest!, (dir) => entry.load(dir));
  const images = new Float32Array(4 * 28 * 28).map((_, i) => ((i * 37) % 101) / 100);
  const codes = await loaded.encode({ images, shape: [28, 28, 1], size: 4 });
  loaded.dispose();
  return codes.data;
}

describe('a run directory saved before the one-method-core change', () => {
  for (const method of ['autoencoder', 'iic'] as const) {
    it(`${method}: loads, reproduces its eval.json and resumes to completion`, async () => {
      const name = `legacy_run_${method}`;
      const recorded = readEval(path.join(fixtures, name));
      const run = copyFixture(name);
      const scored = await runCli('eval', run, '--limit', '100', '--backend', 'cpu');
      expect(scored.code, scored.stderr).toBe(0);
      const now = readEval(run);
      expect(now.clustering).toEqual(recorded.clustering);
      expect(now.linearProbe.accuracy).toBe(recorded.linearProbe.accuracy);
      expect(now.knnProbe.accuracy).toBe(recorded.knnProbe.accuracy);

      const resumed = await runCli('train', method, '--out', run, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/resuming .* from checkpoints\/epoch-000001 \(1 epoch done\), target 2 epochs/);
      const { latest } = await findLatestCheckpoint(run);
      expect(latest?.manifest.epoch).toBe(2);
      // The new checkpoint is written in today's format: one method.json.
      expect(latest!.manifest.files.map((f) => f.path)).toContain('model/method.json');
      const lines = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as { epoch: number }).epoch)).toEqual([0, 1]);
    }, 120_000);
  }

  it('autoencoder: the resumed legacy run ends bit-identical to an uninterrupted run of today', async () => {
    const run = copyFixture('legacy_run_autoencoder');
    const resumed = await runCli('train', 'autoencoder', '--out', run, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    expect(resumed.code, resumed.stderr).toBe(0);
    const whole = path.join(root, 'whole');
    const trained = await runCli('train', 'autoencoder', '--limit', '64', '--epochs', '2', '--batch-size', '32', '--layers', '8,4', '--backend', 'cpu', '--progress', 'none', '--out', whole);
    expect(trained.code, trained.stderr).toBe(0);
    const [a, b] = [await embeddings(run, 'autoencoder'), await embeddings(whole, 'autoencoder')];
    expect(a.length).toBe(16);
    expect(Array.from(a)).toEqual(Array.from(b));
  }, 120_000);
});
