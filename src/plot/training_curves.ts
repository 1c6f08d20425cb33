/**
 * Training curves from a run's `metrics.jsonl` (one JSON object per epoch with `epoch`, `loss`
 * and other numeric keys).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { VegaLiteSpec } from './render.js';
import { CONFIG, SCHEMA } from './theme.js';
import { readOptions } from '../data/options.js';
import { checkString, describeArgument } from '../data/checks.js';

/** One epoch's metrics: the epoch number and any other finite numbers. */
export interface EpochRecord {
  /** The epoch number (as written by the training loop, usually from 1 or 0). */
  epoch: number;
  /** Other metrics of the epoch, e.g. `loss`, `seconds`, `samplesPerSecond`. */
  [metric: string]: number;
}

/** The name of the metrics file inside a run directory. */
export const METRICS_FILE = 'metrics.jsonl';

/**
 * Parses JSON Lines of per-epoch metrics. Blank lines are skipped; in every object, keys whose
 * value is not a finite number (strings, nested objects, `null`, `NaN` written as a string) are
 * dropped.
 *
 * @param text the file's contents.
 * @param source how error messages name the file. Default `'metrics.jsonl'`.
 * @returns one record per non-blank line, in file order.
 * @throws naming the file and line on invalid JSON, a line that is not an object, or a missing or
 *   non-numeric `epoch`; and when the file holds no record at all.
 */
export function parseMetricsJsonl(text: string, source = METRICS_FILE): EpochRecord[] {
  if (typeof text !== 'string') throw new Error(`parseMetricsJsonl: text must be the contents of ${METRICS_FILE} (a string), got ${describeArgument(text)}.`);
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
  return records;
}

/**
 * Reads and parses `<runDirectory>/metrics.jsonl` (see {@link parseMetricsJsonl}).
 *
 * @throws naming the file when it does not exist, or on the errors of {@link parseMetricsJsonl}.
 */
export function readMetricsJsonl(runDirectory: string): EpochRecord[] {
  checkString(runDirectory, 'runDirectory', 'readMetricsJsonl');
  const path = join(runDirectory, METRICS_FILE);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new Error(`readMetricsJsonl: no metrics file at ${path} (a run directory holds ${METRICS_FILE}, one JSON object per epoch).`);
  }
  return parseMetricsJsonl(readFileSync(path, 'utf8'), path);
}

/**
 * The metrics that {@link trainingCurvesSpec} plots by default: every key except `epoch` that is
 * present in at least one record, `loss` first, then in order of first appearance.
 */
/** Checks a list of epoch records: an array of objects. */
function checkRecords(records: unknown, context: string): void {
  if (!Array.isArray(records)) throw new Error(`${context}: records must be an array of epoch records ({ epoch, loss, ... }), got ${describeArgument(records)}.`);
  records.forEach((record: unknown, i) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error(`${context}: record ${i} must be an object ({ epoch, loss, ... }), got ${describeArgument(record)}.`);
  });
}

export function metricNames(records: readonly EpochRecord[]): string[] {
  checkRecords(records, 'metricNames');
  const names: string[] = [];
  for (const record of records) for (const key of Object.keys(record)) if (key !== 'epoch' && !names.includes(key)) names.push(key);
  const loss = names.indexOf('loss');
  if (loss > 0) names.unshift(...names.splice(loss, 1));
  return names;
}

/** Options of {@link trainingCurvesSpec}. */
export interface TrainingCurvesOptions {
  /** Metrics to plot, one panel each, in this order. Default: {@link metricNames} of the records. */
  metrics?: string[];
  /** Panels per row. Default `3`. */
  columns?: number;
  /** Title over the figure. Default `'Training curves'`. */
  title?: string;
  /** Width of each panel in pixels. Default `260`. */
  width?: number;
  /** Height of each panel in pixels. Default `170`. */
  height?: number;
}

/**
 * A Vega-Lite figure of training curves: one panel per metric (their scales differ: a loss, an
 * accuracy, seconds per epoch), each a line with a point per epoch, `epoch` on the horizontal
 * axis and the metric's name as the vertical axis title and panel title. Epochs where a metric is
 * missing are left out of its panel.
 *
 * @param records per-epoch metrics, e.g. from {@link readMetricsJsonl}.
 * @param options see {@link TrainingCurvesOptions}.
 * @throws when there are no records, no metric to plot, or a requested metric appears in no record.
 * @example
 * const spec = trainingCurvesSpec(readMetricsJsonl('runs/iic'), { metrics: ['loss'] });
 */
export function trainingCurvesSpec(records: readonly EpochRecord[], options: TrainingCurvesOptions = {}): VegaLiteSpec {
  options = readOptions(options, 'trainingCurvesSpec', { metrics: 'list', columns: 'number', title: 'string', width: 'number', height: 'number' });
  checkRecords(records, 'trainingCurvesSpec');
  if (records.length === 0) throw new Error('trainingCurvesSpec: no epoch records to plot.');
  const available = metricNames(records);
  const metrics = options.metrics ?? available;
  if (metrics.length === 0) throw new Error('trainingCurvesSpec: the records have no metric besides "epoch".');
  for (const m of metrics) {
    if (!available.includes(m)) throw new Error(`trainingCurvesSpec: no record has the metric "${m}"; available: ${available.join(', ') || 'none'}.`);
  }
  const { columns = 3, title = 'Training curves', width = 260, height = 170 } = options;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`trainingCurvesSpec: columns must be a positive integer, got ${columns}.`);
  const epochs = records.map((r) => r.epoch);
  const integerEpochs = epochs.every((e) => Number.isInteger(e));
  const first = Math.min(...epochs);
  const last = Math.max(...epochs);
  // A single epoch still gets a usable axis.
  const domain = first === last ? [first - 1, last + 1] : [first, last];
  const panels = metrics.map((metric) => ({
    title: metric,
    width,
    height,
    data: { values: records.filter((r) => r[metric] !== undefined).map((r) => ({ epoch: r.epoch, value: r[metric] })) },
    mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        title: 'epoch',
        scale: { zero: false, nice: false, domain, padding: 8 },
        axis: integerEpochs ? { format: 'd', tickMinStep: 1 } : {},
      },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false, padding: 6 } },
    },
  }));
  return { $schema: SCHEMA, title, config: CONFIG, columns, concat: panels } as VegaLiteSpec;
}
