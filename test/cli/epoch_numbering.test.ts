import { cpSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { readMetricsJsonl, trainingCurvesSpec } from '../../src/plot/training_curves.js';
import { findLatestCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from './helpers.js';

// Epochs are numbered from 1 wherever a person reads them (issue 23): the terminal, metrics.jsonl,
// the checkpoints (epoch-000002 and its manifest's epoch hold the state after the second epoch),
// the plots and eval. Runs written before (run.json version 1, metrics from 0) keep their
// numbering when resumed and plot the same.
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const root = temporaryDirectory('tfjs-unsupervised-epochs-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = ['--limit', '64', '--batch-size', '32', '--layers', '8,4', '--backend', 'cpu'];

function fileEpochs(run: string): number[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { epoch: number }).epoch);
}

function plottedEpochs(run: string): number[] {
  const spec = trainingCurvesSpec(readMetricsJsonl(run)) as unknown as { concat: Array<{ data: { values: Array<{ epoch: number }> } }> };
  return [...new Set(spec.concat[0].data.values.map((v) => v.epoch))];
}

describe('epochs numbered from 1', () => {
  it('a new run: the terminal, metrics.jsonl, the checkpoint, the plot and eval agree', async () => {
    const run = path.join(root, 'new');
    const trained = await runCli('train', 'autoencoder', ...tiny, '--epochs', '2', '--progress', 'lines', '--out', run);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/ epoch 1\/2 loss /);
    expect(trained.stderr).toMatch(/ epoch 2\/2 loss /);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ version: 2 });
    expect(fileEpochs(run)).toEqual([1, 2]);
    const { latest } = await findLatestCheckpoint(run);
    expect(path.basename(latest!.directory)).toBe('epoch-000002');
    expect(latest!.manifest.epoch).toBe(fileEpochs(run).at(-1));
    expect(plottedEpochs(run)).toEqual([1, 2]);
    const scored = await runCli('eval', run, '--limit', '50', '--no-probes', '--backend', 'cpu');
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stdout).toMatch(/^autoencoder, 2 epochs \(checkpoints\/epoch-000002\)/m);
  }, 60_000);

  it('a run written before (metrics from 0) keeps its numbering when resumed, and plots from 1', async () => {
    const run = path.join(root, 'legacy');
    cpSync(path.join(fixtures, 'legacy_run_autoencoder'), run, { recursive: true });
    expect(fileEpochs(run)).toEqual([0]);
    expect(plottedEpochs(run)).toEqual([1]);
    const resumed = await runCli('train', '--out', run, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'lines');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/ epoch 2\/2 loss /);
    const config = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as { version: number; methodConfig: unknown };
    expect(config.version).toBe(1);
    // A run from before run.json kept the resolved configuration gets its checkpoint's when it trains again.
    const { latest } = await findLatestCheckpoint(run);
    expect(config.methodConfig).toEqual(JSON.parse(readFileSync(path.join(latest!.modelDirectory, 'method.json'), 'utf8')).config);
    expect(fileEpochs(run)).toEqual([0, 1]);
    expect((await findLatestCheckpoint(run)).latest!.manifest.epoch).toBe(2);
    expect(plottedEpochs(run)).toEqual([1, 2]);
  }, 60_000);
});
