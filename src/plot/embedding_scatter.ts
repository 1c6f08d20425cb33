/**
 * A 2-D view of embeddings: projection (PCA, or UMAP on request) and a scatter-plot spec coloured
 * by true label and by cluster.
 */
import { fitPcaWhiten } from '../cluster/pca_whiten.js';
import { seededRandom } from '../data/random.js';
import { clusterAccuracy } from '../metrics/cluster_accuracy.js';
import type { VegaLiteSpec } from './render.js';
import { CONFIG, SCHEMA } from './theme.js';
import { readOptions } from '../data/options.js';
import { checkNumber, checkNumberArray, checkObject, describeArgument } from '../data/checks.js';

/** Shape of a row-major embedding matrix: its number of columns `d`, or `[rows, cols]`. */
export type EmbeddingDims = number | readonly [number, number];

/** How {@link projectEmbeddings} maps embeddings to two dimensions. */
export type ProjectionMethod = 'pca' | 'umap';

/** Options of {@link projectEmbeddings}. */
export interface ProjectEmbeddingsOptions {
  /**
   * `'pca'` (default): the first two principal components (deterministic, seconds at most).
   * `'umap'`: UMAP (`umap-js`, 15 neighbours, seeded), which separates clusters far better but
   * costs about 5 s for 2 000 points on one core.
   */
  method?: ProjectionMethod;
  /** Seed of UMAP's random initialisation and sampling. Default `0`. */
  seed?: number;
  /** UMAP's number of neighbours. Default `15`. */
  nNeighbors?: number;
}

/** The result of {@link projectEmbeddings}. */
export interface Projection2d {
  /** First coordinate of every row. */
  x: Float64Array;
  /** Second coordinate of every row. */
  y: Float64Array;
  /** The method used. */
  method: ProjectionMethod;
  /** Axis titles, e.g. `['PC 1 (23.1 % of variance)', 'PC 2 (11.0 % of variance)']`. */
  axisTitles: [string, string];
}

/** A validated embedding matrix. */
interface Embeddings {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/**
 * Checks a row-major embedding matrix against its `dims` (`d` or `[rows, cols]`).
 *
 * @throws on empty data, a length that is not rows × cols, or a NaN / infinite entry.
 */
export function checkEmbeddings(embeddings: ArrayLike<number>, dims: EmbeddingDims, context: string): Embeddings {
  if (embeddings === null || typeof embeddings !== 'object' || typeof embeddings.length !== 'number') {
    throw new Error(`${context}: embeddings must be a row-major array (e.g. a Float32Array of N × d values).`);
  }
  if (embeddings.length === 0) throw new Error(`${context}: embeddings are empty (0 values).`);
  if (typeof dims !== 'number' && !(Array.isArray(dims) && dims.length === 2)) {
    throw new Error(`${context}: dims must be the number of columns or [rows, cols], got ${describeArgument(dims)}.`);
  }
  const [rowsGiven, cols] = typeof dims === 'number' ? [undefined, dims] : dims;
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`${context}: dims must give a positive integer number of columns, got ${JSON.stringify(dims)}.`);
  const rows = rowsGiven ?? embeddings.length / cols;
  if (!Number.isInteger(rows) || rows < 1 || rows * cols !== embeddings.length) {
    throw new Error(`${context}: embeddings have ${embeddings.length} values, which is not rows × cols for dims ${JSON.stringify(dims)}.`);
  }
  for (let i = 0; i < embeddings.length; i++) {
    if (!Number.isFinite(embeddings[i])) {
      throw new Error(`${context}: embeddings[${i}] (row ${Math.floor(i / cols)}, column ${i % cols}) is ${embeddings[i]}, not a finite number.`);
    }
  }
  return { data: embeddings, rows, cols };
}

/**
 * Projects row-major embeddings onto two dimensions for plotting.
 *
 * PCA uses {@link fitPcaWhiten} (no whitening), so the axes are the directions of largest
 * variance and are labelled with their share of it; two-column embeddings are still rotated onto
 * their principal axes. UMAP is `umap-js` with a seeded random source.
 *
 * @param embeddings row-major values, `rows × cols` of them (e.g. the `data` of a method's `encode`).
 * @param dims the number of columns, or `[rows, cols]`.
 * @param options see {@link ProjectEmbeddingsOptions}.
 * @throws on empty or misshaped input, non-finite values, fewer than 2 columns, or fewer than 3 rows.
 * @example
 * const z = await autoencoder.encode(test);
 * const { x, y } = await projectEmbeddings(z.data, [z.rows, z.cols]);
 */
export async function projectEmbeddings(embeddings: ArrayLike<number>, dims: EmbeddingDims, options: ProjectEmbeddingsOptions = {}): Promise<Projection2d> {
  options = readOptions(options, 'projectEmbeddings', { method: 'string', seed: 'number', nNeighbors: 'number', title: 'string', xTitle: 'string', yTitle: 'string', width: 'number', height: 'number', pointSize: 'number', opacity: 'number', maxPoints: 'number', matchClusterColours: 'boolean' });
  const { method = 'pca', seed = 0, nNeighbors = 15 } = options;
  const e = checkEmbeddings(embeddings, dims, 'projectEmbeddings');
  if (e.cols < 2) throw new Error(`projectEmbeddings: embeddings need at least 2 columns for a 2-D projection, got ${e.cols}.`);
  if (e.rows < 3) throw new Error(`projectEmbeddings: need at least 3 rows to project, got ${e.rows}.`);
  const data = Float64Array.from(e.data);
  if (method === 'pca') {
    const model = fitPcaWhiten({ data, rows: e.rows, cols: e.cols }, { nComponents: 2, whiten: false });
    const projected = model.transform({ data, rows: e.rows, cols: e.cols }).data;
    const x = new Float64Array(e.rows);
    const y = new Float64Array(e.rows);
    for (let i = 0; i < e.rows; i++) {
      x[i] = projected[2 * i];
      y[i] = projected[2 * i + 1];
    }
    const share = (i: number): string => `${(100 * model.explainedVarianceRatio[i]).toFixed(1)} % of variance`;
    return { x, y, method, axisTitles: [`PC 1 (${share(0)})`, `PC 2 (${share(1)})`] };
  }
  if (method === 'umap') {
    if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new Error(`projectEmbeddings: nNeighbors must be an integer ≥ 2, got ${nNeighbors}.`);
    const { UMAP } = await import('umap-js');
    const random = seededRandom(seed, 'projectEmbeddings');
    const rows: number[][] = [];
    for (let i = 0; i < e.rows; i++) rows.push(Array.from(data.subarray(i * e.cols, (i + 1) * e.cols)));
    const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(nNeighbors, e.rows - 1), random: () => random.next() });
    const result = umap.fit(rows);
    return {
      x: Float64Array.from(result, (p) => p[0]),
      y: Float64Array.from(result, (p) => p[1]),
      method,
      axisTitles: ['UMAP 1', 'UMAP 2'],
    };
  }
  throw new Error(`projectEmbeddings: unknown method '${String(method)}'; use 'pca' or 'umap'.`);
}

/**
 * Row indices of a seeded uniform sample of `min(rows, maxPoints)` rows, ascending (all rows when
 * `rows ≤ maxPoints`).
 *
 * @throws when `maxPoints` is not a positive integer.
 */
export function sampleRowIndices(rows: number, maxPoints: number, seed = 0): Int32Array {
  checkNumber(rows, 'rows', 'sampleRowIndices', { integer: true, min: 0 });
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new Error(`sampleRowIndices: maxPoints must be a positive integer, got ${maxPoints}.`);
  if (rows <= maxPoints) return Int32Array.from({ length: rows }, (_, i) => i);
  return seededRandom(seed, 'sampleRowIndices').permutation(rows).subarray(0, maxPoints).sort();
}

/** The points of {@link embeddingScatterSpec}. */
export interface ScatterPoints {
  /** Horizontal coordinates. */
  x: ArrayLike<number>;
  /** Vertical coordinates, as many as `x`. */
  y: ArrayLike<number>;
  /** True labels (integers), one per point: adds a panel coloured by label. */
  labels?: ArrayLike<number>;
  /** Cluster ids (integers), one per point: adds a panel coloured by cluster. */
  clusters?: ArrayLike<number>;
}

/** Options of {@link embeddingScatterSpec}. */
export interface EmbeddingScatterOptions {
  /** Title over the figure. Default `'Embeddings'`. */
  title?: string;
  /** Horizontal axis title. Default `'component 1'`. */
  xTitle?: string;
  /** Vertical axis title. Default `'component 2'`. */
  yTitle?: string;
  /** Width of each panel in pixels. Default `420`. */
  width?: number;
  /** Height of each panel in pixels. Default `420`. */
  height?: number;
  /** Area of each point in square pixels. Default: 40 up to 500 points, shrinking to 8 at 5 000 and more. */
  pointSize?: number;
  /** Opacity of the points. Default `0.75`. */
  opacity?: number;
  /**
   * With both labels and clusters: colour every cluster like the class it is matched to by the
   * Hungarian matching (so a well-clustered embedding shows the same colours in both panels, and
   * a cluster that took the wrong class stands out). Default `true`; `false` colours clusters by
   * their id.
   */
  matchClusterColours?: boolean;
}

/** Checks an optional per-point integer array. */
function checkPerPoint(values: ArrayLike<number> | undefined, n: number, name: string): void {
  if (values === undefined) return;
  if (values.length !== n) throw new Error(`embeddingScatterSpec: ${name} has ${values.length} entries but there are ${n} points.`);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(values[i])) throw new Error(`embeddingScatterSpec: ${name}[${i}] is ${values[i]}, not an integer.`);
  }
}

/** Vega's `tableau10` palette: ten well-separated hues. */
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
/** Vega's `tableau20` palette: the tableau hues and a lighter twin of each. */
const TABLEAU20 = [
  '#4c78a8', '#9ecae9', '#f58518', '#ffbf79', '#54a24b', '#88d27a', '#b79a20', '#f2cf5b', '#439894', '#83bcb6',
  '#e45756', '#ff9d98', '#79706e', '#bab0ac', '#d67195', '#fcbfd2', '#b279a2', '#d6a5c9', '#9e765f', '#d8b5a5',
];

/** Distinct values, ascending. */
function distinctSorted(values: ArrayLike<number>): number[] {
  return [...new Set(Array.from(values))].sort((a, b) => a - b);
}

/** `count` colours: tableau10 up to 10, tableau20 beyond (repeating past 20). */
function palette(count: number): string[] {
  const base = count <= 10 ? TABLEAU10 : TABLEAU20;
  return Array.from({ length: count }, (_, i) => base[i % base.length]);
}

/** A colour scale: category values (ascending) and their colours. */
interface ColourScale {
  domain: number[];
  range: string[];
}

/**
 * Colours of the clusters: each cluster matched to a class (Hungarian matching, as in
 * `clusterAccuracy`) takes that class's colour, so the two panels read alike; unmatched clusters
 * (more clusters than classes) take the palette's colours not used by a class, cycling.
 */
function matchedClusterColours(labels: ArrayLike<number>, clusters: ArrayLike<number>, labelScale: ColourScale): ColourScale {
  const { mapping } = clusterAccuracy(labels, clusters);
  const domain = distinctSorted(clusters);
  const spare = TABLEAU20.filter((c) => !labelScale.range.includes(c));
  let next = 0;
  const range = domain.map((cluster) => {
    const cls = mapping.get(cluster);
    if (cls !== undefined) return labelScale.range[labelScale.domain.indexOf(cls)];
    return spare.length > 0 ? spare[next++ % spare.length] : TABLEAU20[next++ % TABLEAU20.length];
  });
  return { domain, range };
}

/** One scatter panel, coloured by `field` when given. */
function panel(field: 'label' | 'cluster' | undefined, colours: ColourScale | undefined, legendTitle: string | string[], options: Required<Omit<EmbeddingScatterOptions, 'title' | 'matchClusterColours'>>): Record<string, unknown> {
  const encoding: Record<string, unknown> = {
    x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: { zero: false, nice: false } },
    y: { field: 'y', type: 'quantitative', title: options.yTitle, scale: { zero: false, nice: false } },
  };
  if (field !== undefined && colours !== undefined) {
    encoding.color = {
      field,
      type: 'nominal',
      title: legendTitle,
      scale: { domain: colours.domain, range: colours.range },
      legend: { symbolOpacity: 1, symbolSize: 80, columns: colours.domain.length > 20 ? 2 : 1, symbolLimit: 60 },
    };
  }
  return {
    title: field === undefined ? undefined : field === 'label' ? 'coloured by true label' : 'coloured by cluster',
    width: options.width,
    height: options.height,
    mark: { type: 'circle', size: options.pointSize, opacity: options.opacity },
    encoding,
  };
}

/**
 * A Vega-Lite scatter plot of 2-D points (for example from {@link projectEmbeddings}): one panel
 * coloured by true label and one by cluster, side by side, when both are given (each with its own
 * legend, clusters coloured like their Hungarian-matched class unless `matchClusterColours` is
 * false); a single panel otherwise. Ten categories or fewer get the `tableau10` palette, more get
 * `tableau20` (colours repeat past 20).
 *
 * @param points coordinates, and optionally labels and clusters, one entry per point.
 * @param options see {@link EmbeddingScatterOptions}.
 * @returns a Vega-Lite spec with the points inline; render it with `renderSvg`.
 * @throws on no points, arrays of different lengths, non-finite coordinates or non-integer labels.
 * @example
 * const p = await projectEmbeddings(z.data, [z.rows, z.cols]);
 * const spec = embeddingScatterSpec({ x: p.x, y: p.y, labels, clusters }, { xTitle: p.axisTitles[0], yTitle: p.axisTitles[1] });
 */
export function embeddingScatterSpec(points: ScatterPoints, options: EmbeddingScatterOptions = {}): VegaLiteSpec {
  options = readOptions(options, 'embeddingScatterSpec', { method: 'string', seed: 'number', nNeighbors: 'number', title: 'string', xTitle: 'string', yTitle: 'string', width: 'number', height: 'number', pointSize: 'number', opacity: 'number', maxPoints: 'number', matchClusterColours: 'boolean' });
  checkObject(points, 'points', 'embeddingScatterSpec');
  checkNumberArray(points.x, 'points.x', 'embeddingScatterSpec');
  checkNumberArray(points.y, 'points.y', 'embeddingScatterSpec');
  const { x, y, labels, clusters } = points;
  const n = x.length;
  if (n === 0) throw new Error('embeddingScatterSpec: no points to plot.');
  if (y.length !== n) throw new Error(`embeddingScatterSpec: x has ${n} entries but y has ${y.length}.`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new Error(`embeddingScatterSpec: point ${i} is (${x[i]}, ${y[i]}), not finite.`);
  }
  checkPerPoint(labels, n, 'labels');
  checkPerPoint(clusters, n, 'clusters');
  const resolved: Required<Omit<EmbeddingScatterOptions, 'title' | 'matchClusterColours'>> = {
    xTitle: options.xTitle ?? 'component 1',
    yTitle: options.yTitle ?? 'component 2',
    width: options.width ?? 420,
    height: options.height ?? 420,
    pointSize: options.pointSize ?? Math.round(Math.max(8, Math.min(40, 40 - (32 * Math.log(n / 500)) / Math.log(10)))),
    opacity: options.opacity ?? 0.75,
  };
  const values = Array.from({ length: n }, (_, i) => {
    const row: Record<string, number> = { x: x[i], y: y[i] };
    if (labels !== undefined) row.label = labels[i];
    if (clusters !== undefined) row.cluster = clusters[i];
    return row;
  });
  const panels: Record<string, unknown>[] = [];
  let labelScale: ColourScale | undefined;
  if (labels !== undefined) {
    const domain = distinctSorted(labels);
    labelScale = { domain, range: palette(domain.length) };
    panels.push(panel('label', labelScale, 'true label', resolved));
  }
  if (clusters !== undefined) {
    const matched = labels !== undefined && labelScale !== undefined && (options.matchClusterColours ?? true);
    const domain = distinctSorted(clusters);
    const scale = matched ? matchedClusterColours(labels, clusters, labelScale as ColourScale) : { domain, range: palette(domain.length) };
    panels.push(panel('cluster', scale, matched ? ['cluster', '(colour of', 'matched class)'] : 'cluster', resolved));
  }
  if (panels.length === 0) panels.push(panel(undefined, undefined, '', resolved));
  const title = options.title ?? 'Embeddings';
  const base = { $schema: SCHEMA, title, data: { values }, config: CONFIG };
  const spec = panels.length === 1 ? { ...base, ...panels[0], title } : { ...base, hconcat: panels, resolve: { scale: { color: 'independent' } } };
  return spec as VegaLiteSpec;
}
