import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { PNG_SIGNATURE, pngSize } from '../../src/plot/render.js';
import { writeRunPlots } from '../../src/plot/write_run_plots.js';
import { checkWellFormed, markCounts, svgSize } from './svg_helpers.js';

const root = mkdtempSync(join(tmpdir(), 'plot-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A run directory with a metrics.jsonl of `epochs` epochs. */
function makeRun(name: string, epochs = 4): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const lines = Array.from({ length: epochs }, (_, e) => JSON.stringify({ epoch: e, loss: 2 / (e + 1), nmi: 0.1 * e, seconds: 1.5, samplesPerSecond: 1000 }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

const n = 120;
const d = 6;
const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
const clusters = Int32Array.from(labels, (l, i) => (i % 10 === 0 ? 0 : (l + 1) % 4));
const embeddings = Float32Array.from({ length: n * d }, (_, k) => {
  const i = Math.floor(k / d);
  const j = k % d;
  return (j === labels[i] ? 4 : 0) + Math.sin(k * 12.9898) * 0.3;
});

describe('writeRunPlots', () => {
  it('writes training curves, embedding and confusion matrix as SVG and PNG', async () => {
    const run = makeRun('full');
    const result = await writeRunPlots(run, { embeddings, dims: [n, d], labels, clusters });
    const out = join(run, 'plots');
    expect(result.plots.map((p) => p.name)).toEqual(['training_curves', 'embedding', 'confusion_matrix']);
    expect(readdirSync(out).sort()).toEqual(
      ['confusion_matrix.png', 'confusion_matrix.svg', 'embedding.png', 'embedding.svg', 'training_curves.png', 'training_curves.svg'],
    );
    expect(result.files).toHaveLength(6);
    for (const file of result.files) expect(existsSync(file)).toBe(true);

    const curves = readFileSync(join(out, 'training_curves.svg'), 'utf8');
    checkWellFormed(curves);
    expect(markCounts(curves, 'mark-symbol role-mark')).toEqual([4, 4]); // loss and nmi; not seconds or samplesPerSecond
    expect(curves).not.toContain('>seconds<');
    expect(curves).toContain(`>${basename(run)}: training curves<`);

    const embedding = readFileSync(join(out, 'embedding.svg'), 'utf8');
    checkWellFormed(embedding);
    expect(markCounts(embedding, 'mark-symbol role-mark')).toEqual([n, n]);
    expect(embedding).toMatch(/>PC 1 \(\d+\.\d % of variance\)</);

    const confusion = readFileSync(join(out, 'confusion_matrix.svg'), 'utf8');
    checkWellFormed(confusion);
    expect(markCounts(confusion, 'mark-rect role-mark')).toEqual([16]);
    expect(confusion).toContain('accuracy 90.00 %, 120 samples');

    const png = readFileSync(join(out, 'embedding.png'));
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png).width).toBe(2 * svgSize(embedding).width);
  });

  it('writes only the training curves when given no data; honours outDir, formats, maxPoints and png width', async () => {
    const run = makeRun('curves-only', 1);
    const only = await writeRunPlots(run, { formats: ['png'], png: { width: 640 } });
    expect(only.plots.map((p) => p.name)).toEqual(['training_curves']);
    expect(only.files).toEqual([join(run, 'plots', 'training_curves.png')]);
    expect(pngSize(readFileSync(only.files[0])).width).toBe(640);

    const outDir = join(root, 'elsewhere');
    const sampled = await writeRunPlots(run, { embeddings, dims: d, clusters, outDir, formats: ['svg'], maxPoints: 50, title: 'mine' });
    expect(sampled.plots.map((p) => p.name)).toEqual(['training_curves', 'embedding']); // no labels: no confusion matrix
    const svg = readFileSync(join(outDir, 'embedding.svg'), 'utf8');
    expect(markCounts(svg, 'mark-symbol role-mark')).toEqual([50]);
    expect(svg).toContain('mine: embeddings (PCA, 50 of 120 samples)');
  });

  it('names the missing metrics.jsonl', async () => {
    const empty = join(root, 'no-metrics');
    mkdirSync(empty, { recursive: true });
    await expect(writeRunPlots(empty)).rejects.toThrow(`no metrics file at ${join(empty, 'metrics.jsonl')}`);
    expect(existsSync(join(empty, 'plots'))).toBe(false);
  });

  it('rejects empty and mismatched data before writing anything', async () => {
    const run = makeRun('bad');
    await expect(writeRunPlots(run, { embeddings })).rejects.toThrow(/embeddings were given without dims/);
    await expect(writeRunPlots(run, { dims: d })).rejects.toThrow(/dims were given without embeddings/);
    await expect(writeRunPlots(run, { embeddings: new Float32Array(0), dims: d })).rejects.toThrow(/embeddings are empty/);
    await expect(writeRunPlots(run, { embeddings, dims: [n + 1, d] })).rejects.toThrow(/not rows × cols/);
    await expect(writeRunPlots(run, { embeddings, dims: d, labels: labels.subarray(1) })).rejects.toThrow(/labels has 119 entries but the embeddings \(rows\) has 120/);
    await expect(writeRunPlots(run, { labels, clusters: clusters.subarray(2) })).rejects.toThrow(/clusters has 118 entries but labels has 120/);
    await expect(writeRunPlots(run, { labels: [], clusters: [] })).rejects.toThrow(/labels are empty/);
    await expect(writeRunPlots(run, { formats: ['pdf' as 'svg'] })).rejects.toThrow(/unknown format 'pdf'/);
    expect(existsSync(join(run, 'plots'))).toBe(false);
  });
});
