import { describe, expect, it } from 'vitest';

import { confusionMatrixSpec, matchedConfusionMatrix } from '../../src/plot/confusion_matrix_plot.js';
import { renderSvg } from '../../src/plot/render.js';
import { checkWellFormed, markCounts, svgSize } from './svg_helpers.js';

describe('matchedConfusionMatrix', () => {
  it('puts each class’s matched cluster on the diagonal, unmatched clusters last', () => {
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    const clusters = [7, 7, 5, 5, 5, 5, 9, 9, 3, 3];
    const m = matchedConfusionMatrix(labels, clusters);
    expect(m.trueClasses).toEqual([0, 1, 2]);
    // Matching: 7 → 0, 5 → 1, and 9 or 3 → 2 (tie); the other is unmatched.
    expect(m.clusters.slice(0, 2)).toEqual([7, 5]);
    expect([9, 3]).toContain(m.clusters[2]);
    expect(m.matchedClass).toEqual([0, 1, 2, null]);
    expect(m.matrix[0]).toEqual([2, 1, 0, 0]);
    expect(m.matrix[1]).toEqual([0, 3, 0, 0]);
    expect(m.matrix[2]).toEqual([0, 0, 2, 2]);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
  });

  it('rejects empty and mismatched input', () => {
    expect(() => matchedConfusionMatrix([], [])).toThrow(/empty/);
    expect(() => matchedConfusionMatrix([0, 1], [0])).toThrow(/labels has 2 entries but clusters has 1/);
    expect(() => matchedConfusionMatrix([0, 1.5], [0, 1])).toThrow(/not a finite integer/);
  });
});

describe('confusionMatrixSpec', () => {
  const labels = Int32Array.from({ length: 300 }, (_, i) => i % 10);
  const clusters = Int32Array.from(labels, (l, i) => (i % 7 === 0 ? (l + 1) % 10 : (l * 3) % 10));

  it('has one cell per (label, cluster), the row share as colour, counts as text, accuracy in the subtitle', async () => {
    const spec = confusionMatrixSpec(labels, clusters) as unknown as {
      title: { text: string; subtitle: string };
      data: { values: Array<{ label: string; cluster: string; count: number; share: number }> };
      encoding: { x: { sort: string[]; title: string }; y: { sort: string[]; title: string } };
      layer: Array<{ mark: { type: string } }>;
    };
    const m = matchedConfusionMatrix(labels, clusters);
    expect(spec.title.text).toBe('Clusters vs true labels');
    expect(spec.title.subtitle).toBe(`confusion matrix, clusters matched to labels (Hungarian): accuracy ${(100 * m.accuracy).toFixed(2)} %, 300 samples`);
    expect(spec.data.values).toHaveLength(100);
    expect(spec.encoding.x.sort).toEqual(m.clusters.map(String));
    expect(spec.encoding.y.sort).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(spec.encoding.y.title).toBe('true label');
    expect(spec.encoding.x.title).toMatch(/^cluster/);
    const cell = spec.data.values.find((v) => v.label === '4' && v.cluster === String(m.clusters[4]))!;
    expect(cell.count).toBe(m.matrix[4][4]);
    expect(cell.share).toBeCloseTo(m.matrix[4][4] / 30, 12);
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['rect', 'text']);

    const svg = await renderSvg(spec as never);
    checkWellFormed(svg);
    expect(markCounts(svg, 'mark-rect role-mark')).toEqual([100]);
    expect(markCounts(svg, 'mark-text role-mark')).toEqual([100]);
    expect(svg).toContain('>true label<');
  });

  it('fills a grid of at least 440 px when there are few clusters (cells grow, not the blank margin)', async () => {
    const few = Int32Array.from(labels, (l) => (l < 2 ? 0 : 1));
    const spec = confusionMatrixSpec(labels, few) as unknown as { width: { step: number }; height: { step: number } };
    const classes = new Set(labels).size;
    expect(spec.width.step * 2).toBeGreaterThanOrEqual(440);
    expect(spec.height.step * classes).toBeGreaterThanOrEqual(440);
    const small = confusionMatrixSpec(labels, few, { minGridSize: 0 }) as unknown as { width: { step: number } };
    expect(small.width.step).toBe(36);
    // The figure is not much wider than grid + axis + legend: the subtitle's width is measured, not over-guessed.
    const { width } = svgSize(await renderSvg(confusionMatrixSpec(labels, few)));
    expect(width).toBeLessThan(440 + 200);
    expect(() => confusionMatrixSpec(labels, few, { cellSize: 0 })).toThrow(/cellSize must be a positive number/);
  });

  it('drops the counts on request (and by default for many clusters)', () => {
    const spec = confusionMatrixSpec(labels, clusters, { showCounts: false, title: 'X' }) as unknown as { title: { text: string }; layer: unknown[] };
    expect(spec.title.text).toBe('X');
    expect(spec.layer).toHaveLength(1);
    const many = confusionMatrixSpec(labels, Int32Array.from(labels, (_, i) => i % 40)) as unknown as { layer: unknown[] };
    expect(many.layer).toHaveLength(1);
  });
});
