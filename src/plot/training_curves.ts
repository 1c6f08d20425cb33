/**
 * Training curves from a run's `metrics.jsonl` (one JSON object per epoch with `epoch`, `loss`
 * and other numeric keys).
 */

import type { VegaLiteSpec } from './render.js';
import { CONFIG, SCHEMA } from './theme.js';
import { METRICS_FILE, metricsFirstEpoch, RUN_FILE } from '../train/run_files.js';
import { nodeBuiltin } from '../core/environment.js';
import { readOptions } from '../data/options.js';
import { checkString, describeArgument } from '../data/checks.js';

/** One epoch's metrics: the epoch number and any other finite numbers. */
export interface EpochRecord {
  /**
   * The epoch, zero-based as `fit` returns it (`EpochLogs.epoch`; a `metrics.jsonl` that counts
   * from 1 is converted when read); plots show it from 1.
   */
  epoch: number;
  /** Other metrics of the epoch, e.g. `loss`, `main0`, `seconds`. */
  [metric: string]: number;
}

/** The name of the metrics file inside a run directory (the run directory's names: train/run_files.ts). */
export { METRICS_FILE };

/**
 * Parses JSON Lines of per-epoch metrics. Blank lines are skipped; in every object, keys whose
 * value is not a finite number (strings, nested objects, `null`, `NaN` written as a string) are
 * dropped. The records' `epoch` counts from 0 (as `fit`'s logs): `train` writes `metrics.jsonl`
 * with epochs from 1 (runs before run.json version 2: from 0), converted here.
 *
 * @param text the file's contents.
 * @param source how error messages name the file. Default `'metrics.jsonl'`.
 * @param firstEpoch the number the file gives its first epoch: 1 (run.json version 2 on) or 0
 *   (before). Default: 0 when a line has epoch 0, else 1 (a run's file always starts at its first
 *   epoch).
 * @returns one record per non-blank line, in file order.
 * @throws naming the file and line on invalid JSON, a line that is not an object, or a missing or
 *   non-numeric `epoch` (or one below `firstEpoch`); and when the file holds no record at all.
 */
export function parseMetricsJsonl(text: string, source = METRICS_FILE, firstEpoch?: 0 | 1): EpochRecord[] {
  if (typeof text !== 'string') throw new Error(`parseMetricsJsonl: text must be the contents of ${METRICS_FILE} (a string), got ${describeArgument(text)}.`);
  if (firstEpoch !== undefined && firstEpoch !== 0 && firstEpoch !== 1) throw new Error(`parseMetricsJsonl: firstEpoch must be 0 or 1, got ${describeArgument(firstEpoch)}.`);
  const records: EpochRecord[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${source}:${index + 1}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}:${index + 1}: expected a JSON object per line.`);
    const object = value as Record<string, unknown>;
    if (typeof object.epoch !== 'number' || !Number.isFinite(object.epoch)) {
      throw new Error(`${source}:${index + 1}: every line needs a numeric "epoch", got ${JSON.stringify(object.epoch)}.`);
    }
    const record: EpochRecord = { epoch: object.epoch };
    for (const [key, v] of Object.entries(object)) if (typeof v === 'number' && Number.isFinite(v)) record[key] = v;
    records.push(record);
  });
  if (records.length === 0) throw new Error(`${source}: no epoch records (the file is empty).`);
  const first = firstEpoch ?? (records.some((r) => r.epoch === 0) ? 0 : 1);
  const below = records.findIndex((r) => r.epoch < first);
  if (below >= 0) throw new Error(`${source}: epoch ${records[below].epoch} in a file whose epochs count from ${first}.`);
  return first === 0 ? records : records.map((r) => ({ ...r, epoch: r.epoch - first }));
}

/**
 * Reads and parses `<runDirectory>/metrics.jsonl` (see {@link parseMetricsJsonl}), its epoch
 * numbering read from the run's `run.json` version (without one: from the file).
 *
 * @throws naming the file when it does not exist, or on the errors of {@link parseMetricsJsonl}.
 */
export function readMetricsJsonl(runDirectory: string): EpochRecord[] {
  checkString(runDirectory, 'runDirectory', 'readMetricsJsonl');
  const { existsSync, readFileSync, statSync } = nodeBuiltin('node:fs', 'readMetricsJsonl');
  const { join } = nodeBuiltin('node:path', 'readMetricsJsonl');
  const path = join(runDirectory, METRICS_FILE);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new Error(`readMetricsJsonl: no metrics file at ${path} (a run directory holds ${METRICS_FILE}, one JSON object per epoch).`);
  }
  const runFile = join(runDirectory, RUN_FILE);
  let firstEpoch: 0 | 1 | undefined;
  if (existsSync(runFile)) {
    let version: unknown;
    try {
      version = (JSON.parse(readFileSync(runFile, 'utf8')) as { version?: unknown }).version;
    } catch (error) {
      throw new Error(`readMetricsJsonl: ${runFile} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
    }
    firstEpoch = metricsFirstEpoch(version as number);
  }
  return parseMetricsJsonl(readFileSync(path, 'utf8'), path, firstEpoch);
}

/**
 * Keys of a metrics line that describe the run rather than its learning (time per epoch,
 * throughput, which sub-head is best, how many starved IIC clusters were re-seeded, which level
 * trains): left out of the default panels and of {@link metricNames}. Ask for one by name
 * (`metrics: ['seconds']`) to plot it anyway.
 */
export const BOOKKEEPING_KEYS: readonly string[] = ['seconds', 'samplesPerSecond', 'bestSubHead', 'reseededClusters', 'level'];

/** Checks a list of epoch records: an array of objects. */
function checkRecords(records: unknown, context: string): void {
  if (!Array.isArray(records)) throw new Error(`${context}: records must be an array of epoch records ({ epoch, loss, ... }), got ${describeArgument(records)}.`);
  records.forEach((record: unknown, i) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error(`${context}: record ${i} must be an object ({ epoch, loss, ... }), got ${describeArgument(record)}.`);
  });
}

/** Every key besides `epoch` present in at least one record, `loss` first, then in order of first appearance. */
function allMetricNames(records: readonly EpochRecord[]): string[] {
  const names: string[] = [];
  for (const record of records) for (const key of Object.keys(record)) if (key !== 'epoch' && !names.includes(key)) names.push(key);
  const loss = names.indexOf('loss');
  if (loss > 0) names.unshift(...names.splice(loss, 1));
  return names;
}

/**
 * The metrics that {@link trainingCurvesSpec} plots by default: the losses and other metrics of
 * the records — every key except `epoch` and the {@link BOOKKEEPING_KEYS} that is present in at
 * least one record, `loss` first, then in order of first appearance.
 */
export function metricNames(records: readonly EpochRecord[]): string[] {
  checkRecords(records, 'metricNames');
  return allMetricNames(records).filter((name) => !BOOKKEEPING_KEYS.includes(name));
}

/** Options of {@link trainingCurvesSpec}. */
export interface TrainingCurvesOptions {
  /**
   * Metrics to plot, in this order. Default: {@link metricNames} of the records. Numbered
   * metrics of one prefix (`main0`, `main1`, ...: an IIC head's sub-heads) share a panel, a line each.
   */
  metrics?: string[];
  /** Panels per row. Default `3`. */
  columns?: number;
  /** Title over the figure. Default `'Training curves'`. */
  title?: string;
  /** Width of each panel in pixels. Default `260`. */
  width?: number;
  /** Height of each panel in pixels. Default `170`. */
  height?: number;
  /**
   * The epoch number shown for a record whose `epoch` is 0. Default `1`: training writes
   * zero-based epochs (`EpochLogs.epoch`), and the plots count them from 1 like the terminal does.
   */
  firstEpoch?: number;
}

/** A panel: one metric, or numbered metrics of one prefix (`main0`...`main4`). */
interface PanelGroup {
  title: string;
  metrics: string[];
}

/** Groups numbered metrics of one prefix (at least two: `main0`, `main1`) into one panel, at the place of the first. */
function groupMetrics(metrics: readonly string[]): PanelGroup[] {
  const prefixOf = (name: string): string | undefined => /^(.*\D)\d+$/.exec(name)?.[1];
  const count = new Map<string, number>();
  for (const m of metrics) {
    const prefix = prefixOf(m);
    if (prefix !== undefined) count.set(prefix, (count.get(prefix) ?? 0) + 1);
  }
  const groups: PanelGroup[] = [];
  const byPrefix = new Map<string, PanelGroup>();
  for (const m of metrics) {
    const prefix = prefixOf(m);
    if (prefix === undefined || (count.get(prefix) ?? 0) < 2) {
      groups.push({ title: m, metrics: [m] });
      continue;
    }
    let group = byPrefix.get(prefix);
    if (group === undefined) {
      group = { title: prefix, metrics: [] };
      byPrefix.set(prefix, group);
      groups.push(group);
    }
    group.metrics.push(m);
  }
  for (const [prefix, group] of byPrefix) group.title = `${prefix} (${group.metrics.map((m) => m.slice(prefix.length)).join(', ')})`;
  return groups;
}

/** Formats a number for a point label: 4 significant digits, no exponent for ordinary sizes. */
function formatValue(value: number): string {
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6 ? String(Number(value.toPrecision(4))) : value.toPrecision(3);
}

/**
 * A Vega-Lite figure of training curves: one panel per metric (their scales differ: a loss, an
 * NMI, a count), each a line with a point per epoch, epochs numbered from `firstEpoch` (1) on the
 * horizontal axis with a tick per epoch, and the metric's name as the panel title. Numbered
 * metrics of one prefix (IIC's sub-head losses `main0`...`main4`) share a panel with a line each.
 * A run of one epoch gets a usable figure: an axis with that epoch alone and each value written
 * beside its point. Epochs where a metric is missing are left out of its panel.
 *
 * @param records per-epoch metrics, e.g. from {@link readMetricsJsonl} (epochs zero-based).
 * @param options see {@link TrainingCurvesOptions}.
 * @throws when there are no records, no metric to plot, or a requested metric appears in no record.
 * @example
 * const spec = trainingCurvesSpec(readMetricsJsonl('runs/iic'), { metrics: ['loss'] });
 */
export function trainingCurvesSpec(records: readonly EpochRecord[], options: TrainingCurvesOptions = {}): VegaLiteSpec {
  options = readOptions(options, 'trainingCurvesSpec', { metrics: 'list', columns: 'number', title: 'string', width: 'number', height: 'number', firstEpoch: 'number' });
  checkRecords(records, 'trainingCurvesSpec');
  if (records.length === 0) throw new Error('trainingCurvesSpec: no epoch records to plot.');
  const available = allMetricNames(records);
  const metrics = options.metrics ?? metricNames(records);
  if (metrics.length === 0) {
    throw new Error(`trainingCurvesSpec: the records have no metric besides "epoch"${available.length > 0 ? ` and bookkeeping (${available.join(', ')}; ask for them with metrics)` : ''}.`);
  }
  for (const m of metrics) {
    if (!available.includes(m)) throw new Error(`trainingCurvesSpec: no record has the metric "${m}"; available: ${available.join(', ') || 'none'}.`);
  }
  const { columns = 3, title = 'Training curves', width = 260, height = 170, firstEpoch = 1 } = options;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`trainingCurvesSpec: columns must be a positive integer, got ${columns}.`);
  if (!Number.isFinite(firstEpoch)) throw new Error(`trainingCurvesSpec: firstEpoch must be a finite number, got ${firstEpoch}.`);
  const shown = (record: EpochRecord) => record.epoch + firstEpoch;
  const epochs = records.map(shown);
  const integerEpochs = epochs.every((e) => Number.isInteger(e));
  const first = Math.min(...epochs);
  const last = Math.max(...epochs);
  // Integer epochs: half an epoch of room either side, a tick on every epoch (up to 20 of them).
  const domain = integerEpochs ? [first - 0.5, last + 0.5] : first === last ? [first - 1, last + 1] : [first, last];
  const tickValues = integerEpochs && last - first < 20 ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : undefined;
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { zero: false, nice: false, domain },
    axis: integerEpochs ? { format: 'd', tickMinStep: 1, ...(tickValues ? { values: tickValues } : {}), grid: false } : {},
  };
  const panels = groupMetrics(metrics).map((group) => {
    const values = records.flatMap((r) => group.metrics.filter((m) => r[m] !== undefined).map((m) => ({ epoch: shown(r), value: r[m], metric: m, label: formatValue(r[m]) })));
    const single = new Set(values.map((v) => v.epoch)).size === 1;
    const numbers = values.map((v) => v.value);
    const low = Math.min(...numbers);
    const high = Math.max(...numbers);
    // One epoch: a domain around the values (Vega-Lite would collapse it to a point).
    const spread = high - low || Math.abs(high) * 0.5 || 1;
    const y = {
      field: 'value',
      type: 'quantitative',
      title: group.metrics.length > 1 ? group.title.split(' (')[0] : group.title,
      scale: single ? { domain: [low - spread, high + spread], nice: true } : { zero: false, padding: 6 },
    };
    const color = group.metrics.length > 1 ? { color: { field: 'metric', type: 'nominal', title: null, sort: group.metrics, legend: { orient: 'right', labelLimit: 120 } } } : {};
    const layer: Record<string, unknown>[] = [{ mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 2 }, encoding: { x, y, ...color } }];
    if (single && group.metrics.length === 1) layer.push({ mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 12 }, encoding: { x, y, text: { field: 'label' } } });
    return { title: group.title, width, height, data: { values }, layer };
  });
  // Each panel its own colours and legend (sub-heads of different heads are different series).
  const resolve = { scale: { color: 'independent' }, legend: { color: 'independent' } };
  return { $schema: SCHEMA, title, config: CONFIG, columns, concat: panels, resolve } as unknown as VegaLiteSpec;
}
