import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { METHOD_NAMES, registerMethod } from '../../src/cli/method_registry.js';
import { findLatestCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { runCli, temporaryDirectory } from './helpers.js';
import { ToyAutoencoder } from './toy_method.js';

// The worked example of docs/ARCHITECTURE.md ("Adding a method"): test/cli/toy_method.ts,
// registered with the CLI on import, trained, saved, loaded and resumed through the CLI.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = temporaryDirectory('tfjs-unsupervised-toy-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const common = ['toy', '--limit', '64', '--batch-size', '32', '--code-size', '3', '--backend', 'cpu', '--progress', 'none'];

async function codes(run: string): Promise<number[]> {
  const { latest } = await findLatestCheckpoint(run);
  const { method } = await loadCheckpoint(latest!, (directory) => ToyAutoencoder.load(directory));
  const images = new Float32Array(2 * 28 * 28).map((_, i) => (i % 7) / 7);
  const out = await method.encode({ images, shape: [28, 28, 1], size: 2 });
  method.dispose();
  return Array.from(out.data);
}

describe('a method added with registerMethod (docs/ARCHITECTURE.md)', () => {
  it('is the code the architecture document shows', () => {
    const doc = readFileSync(path.join(here, '..', '..', 'docs', 'ARCHITECTURE.md'), 'utf8');
    const source = readFileSync(path.join(here, 'toy_method.ts'), 'utf8');
    expect(doc).toContain('```ts\n' + source + '```');
  });

  it('trains, saves, loads and resumes through the CLI, ending as an uninterrupted run', async () => {
    expect(METHOD_NAMES).toContain('toy');
    const help = await runCli('train', '--help');
    expect(help.stdout).toMatch(/toy options:\n\s+--code-size N\s+width of the code \(default 4\)/);

    const resumed = path.join(root, 'resumed');
    const first = await runCli('train', ...common, '--epochs', '1', '--out', resumed);
    expect(first.code, first.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(resumed, 'checkpoints', 'epoch-000001', 'model', 'method.json'), 'utf8'));
    expect(saved).toMatchObject({ method: 'ToyAutoencoder', config: { codeSize: 3, seed: 0 }, inputShape: [28, 28, 1], epochsTrained: 1, globalStep: 2, models: ['encoder', 'decoder'] });
    const again = await runCli('train', 'toy', '--out', resumed, '--resume', '--epochs', '2', '--backend', 'cpu', '--progress', 'none');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resuming .* from checkpoints\/epoch-000001 \(1 epoch done\), target 2 epochs/);

    const whole = path.join(root, 'whole');
    expect((await runCli('train', ...common, '--epochs', '2', '--out', whole)).code).toBe(0);
    const [a, b] = [await codes(resumed), await codes(whole)];
    expect(a).toHaveLength(6);
    expect(a).toEqual(b);

    const scored = await runCli('eval', resumed, '--limit', '50', '--no-probes', '--backend', 'cpu');
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stdout).toMatch(/k-means \(k=10\) on the 3-d embeddings/);
  }, 120_000);

  it('refuses a taken name or class, and a name that is not lower-case words', () => {
    const entry = { name: 'toy', className: 'Other', summary: '', defaults: { epochs: 1, batchSize: 1 }, epochBased: true, options: [], create: () => new ToyAutoencoder(), load: (d: string) => ToyAutoencoder.load(d) };
    expect(() => registerMethod(entry)).toThrow("registerMethod: a method named 'toy' is registered already.");
    expect(() => registerMethod({ ...entry, name: 'toy-2', className: 'ToyAutoencoder' })).toThrow(/className must be a class name no other method uses/);
    expect(() => registerMethod({ ...entry, name: 'Toy Method' })).toThrow(/name must be lower-case words joined by '-'/);
  });
});
