import { describe, expect, it } from 'vitest';

import { checkEmbeddings, embeddingScatterSpec, projectEmbeddings, sampleRowIndices } from '../../src/plot/embedding_scatter.js';
import { renderSvg } from '../../src/plot/render.js';
import { checkWellFormed, markCounts } from './svg_helpers.js';

/** n points in d dims around `classes` well-separated centres; labels i % classes. */
function blobs(n: number, d: number, classes: number): { data: Float32Array; labels: Int32Array } {
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  let s = 1;
  const noise = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.2;
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === labels[i] % d ? 3 : 0) + (j === 0 ? labels[i] : 0) + noise();
  }
  return { data, labels };
}

interface Panel {
  title?: string;
  mark: { type: string; size: number };
  encoding: { x: { title: string }; y: { title: string }; color?: { field: string; scale: { domain: number[]; range: string[] } } };
}

describe('projectEmbeddings', () => {
  it('projects onto the two principal axes, labelled with their share of variance', async () => {
    // Points on a line along (1, 1, 0) plus a little spread along (0, 0, 1).
    const data = new Float32Array([0, 0, 0.1, 1, 1, -0.1, 2, 2, 0, 3, 3, -0.1, 4, 4, 0.1]); // spread uncorrelated with the line
    const p = await projectEmbeddings(data, 3);
    expect(p.method).toBe('pca');
    expect(p.x).toHaveLength(5);
    const step = p.x[1] - p.x[0];
    expect(Math.abs(step)).toBeCloseTo(Math.SQRT2, 5);
    for (let i = 1; i < 5; i++) expect(p.x[i] - p.x[i - 1]).toBeCloseTo(step, 5);
    expect(p.axisTitles[0]).toMatch(/^PC 1 \(99\.\d % of variance\)$/);
    expect(p.axisTitles[1]).toMatch(/^PC 2 \(0\.\d % of variance\)$/);
    // [rows, cols] dims give the same result.
    expect(Array.from((await projectEmbeddings(data, [5, 3])).x)).toEqual(Array.from(p.x));
  });

  it('runs UMAP, seeded', async () => {
    const { data } = blobs(60, 4, 3);
    const a = await projectEmbeddings(data, 4, { method: 'umap', seed: 3, nNeighbors: 8 });
    const b = await projectEmbeddings(data, 4, { method: 'umap', seed: 3, nNeighbors: 8 });
    expect(a.axisTitles).toEqual(['UMAP 1', 'UMAP 2']);
    expect(a.x).toHaveLength(60);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(a.x.every(Number.isFinite) && a.y.every(Number.isFinite)).toBe(true);
  });

  it('rejects empty, misshaped or unusable input clearly', async () => {
    await expect(projectEmbeddings(new Float32Array(0), 2)).rejects.toThrow(/embeddings are empty/);
    await expect(projectEmbeddings(new Float32Array(7), 2)).rejects.toThrow(/7 values, which is not rows × cols for dims 2/);
    await expect(projectEmbeddings(new Float32Array(8), [3, 2])).rejects.toThrow(/8 values, which is not rows × cols for dims \[3,2\]/);
    await expect(projectEmbeddings(new Float32Array(8), 0)).rejects.toThrow(/positive integer number of columns/);
    await expect(projectEmbeddings(new Float32Array(5), 1)).rejects.toThrow(/at least 2 columns/);
    await expect(projectEmbeddings(new Float32Array(4), 2)).rejects.toThrow(/at least 3 rows/);
    await expect(projectEmbeddings(new Float32Array([0, 1, NaN, 2, 3, 4]), 2)).rejects.toThrow(/embeddings\[2\] \(row 1, column 0\) is NaN/);
    await expect(projectEmbeddings(new Float32Array(6), 2, { method: 'tsne' as 'pca' })).rejects.toThrow(/unknown method 'tsne'/);
    expect(checkEmbeddings([1, 2, 3, 4], 2, 'ctx')).toMatchObject({ rows: 2, cols: 2 });
  });
});

describe('sampleRowIndices', () => {
  it('keeps all rows up to maxPoints, else a seeded ascending sample', () => {
    expect(Array.from(sampleRowIndices(4, 10))).toEqual([0, 1, 2, 3]);
    const s = sampleRowIndices(1000, 50, 7);
    expect(s).toHaveLength(50);
    expect(new Set(s).size).toBe(50);
    expect(Array.from(s)).toEqual([...s].sort((a, b) => a - b));
    expect(Array.from(sampleRowIndices(1000, 50, 7))).toEqual(Array.from(s));
    expect(() => sampleRowIndices(10, 0)).toThrow(/maxPoints must be a positive integer/);
  });
});

describe('embeddingScatterSpec', () => {
  const n = 200;
  const x = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  // Clusters are the labels renamed (c = (l + 3) % 10) except every 20th point.
  const clusters = Int32Array.from(labels, (l, i) => (i % 20 === 0 ? 0 : (l + 3) % 10));

  it('draws a label panel and a cluster panel, clusters coloured like their matched class', async () => {
    const spec = embeddingScatterSpec({ x, y, labels, clusters }, { title: 'T', xTitle: 'PC 1', yTitle: 'PC 2' }) as unknown as {
      title: string;
      data: { values: Array<Record<string, number>> };
      hconcat: Panel[];
    };
    expect(spec.title).toBe('T');
    expect(spec.data.values).toHaveLength(n);
    expect(spec.data.values[1]).toEqual({ x: x[1], y: y[1], label: 1, cluster: 4 });
    expect(spec.hconcat).toHaveLength(2);
    const [byLabel, byCluster] = spec.hconcat;
    expect(byLabel.encoding.x.title).toBe('PC 1');
    expect(byLabel.encoding.y.title).toBe('PC 2');
    expect(byLabel.encoding.color?.field).toBe('label');
    expect(byCluster.encoding.color?.field).toBe('cluster');
    const labelScale = byLabel.encoding.color!.scale;
    const clusterScale = byCluster.encoding.color!.scale;
    expect(labelScale.domain).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(labelScale.range).size).toBe(10); // ten distinct colours
    for (let l = 0; l < 10; l++) expect(clusterScale.range[clusterScale.domain.indexOf((l + 3) % 10)]).toBe(labelScale.range[l]);

    const svg = await renderSvg(spec as never);
    checkWellFormed(svg);
    expect(markCounts(svg, 'mark-symbol role-mark')).toEqual([n, n]);
    expect(markCounts(svg, 'mark-symbol role-legend-symbol')).toHaveLength(20); // 10 legend entries per panel
    expect(svg).toContain('>PC 1<');
    expect(svg).toContain('>true label<');
  });

  it('colours clusters by id when asked, gives spare colours to unmatched clusters, and draws one panel without labels', () => {
    const plain = embeddingScatterSpec({ x, y, labels, clusters }, { matchClusterColours: false }) as unknown as { hconcat: Panel[] };
    expect(plain.hconcat[1].encoding.color!.scale.range).toEqual(plain.hconcat[0].encoding.color!.scale.range);
    const over = Int32Array.from({ length: n }, (_, i) => i % 15); // 15 clusters, 10 classes
    const spec = embeddingScatterSpec({ x, y, labels, clusters: over }) as unknown as { hconcat: Panel[] };
    const range = spec.hconcat[1].encoding.color!.scale.range;
    expect(range).toHaveLength(15);
    expect(new Set(range).size).toBe(15);
    const single = embeddingScatterSpec({ x, y }) as unknown as Panel & { hconcat?: unknown };
    expect(single.hconcat).toBeUndefined();
    expect(single.encoding.color).toBeUndefined();
    expect(single.mark.type).toBe('circle');
  });

  it('rejects empty and mismatched input', () => {
    expect(() => embeddingScatterSpec({ x: [], y: [] })).toThrow(/no points to plot/);
    expect(() => embeddingScatterSpec({ x: [1, 2], y: [1] })).toThrow(/x has 2 entries but y has 1/);
    expect(() => embeddingScatterSpec({ x: [1, 2], y: [1, 2], labels: [0] })).toThrow(/labels has 1 entries but there are 2 points/);
    expect(() => embeddingScatterSpec({ x: [1, 2], y: [1, 2], clusters: [0, 0.5] })).toThrow(/clusters\[1\] is 0\.5, not an integer/);
    expect(() => embeddingScatterSpec({ x: [1, Infinity], y: [1, 2] })).toThrow(/point 1 is \(Infinity, 2\), not finite/);
  });
});
