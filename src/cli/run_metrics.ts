/**
 * A run's `metrics.jsonl`: one JSON line per epoch, its `epoch` numbered as the run's run.json
 * version says (from 1 now, from 0 in version-1 runs; see `metricsFirstEpoch`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { FileWriteError, writeFileAtomic } from '../train/model_io.js';
import { METRICS_FILE, metricsFirstEpoch } from '../train/run_files.js';
import type { EpochLogs } from '../train/unsupervised_method.js';
import type { RunConfig } from './run_directory.js';

/**
 * One metrics line: the epoch's logs, its `epoch` numbered as the run's metrics file numbers them
 * (`firstEpoch`: 1 for runs written now, 0 for version-1 runs; the logs count from 0), and
 * non-finite numbers written as null.
 */
function metricsLine(logs: EpochLogs, firstEpoch: 0 | 1): string {
  const line = { ...logs, epoch: logs.epoch + firstEpoch };
  return `${JSON.stringify(line, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value))}\n`;
}

/** The number the run's `metrics.jsonl` gives its first epoch (by run.json's version; see `metricsFirstEpoch`). */
export function runMetricsFirstEpoch(config: Pick<RunConfig, 'version'>): 0 | 1 {
  return metricsFirstEpoch(config.version);
}

/**
 * Appends one epoch's metrics to `<run>/metrics.jsonl`, the epoch numbered from `firstEpoch`
 * ({@link runMetricsFirstEpoch}).
 *
 * @throws `FileWriteError` naming the file (e.g. `ENOSPC`).
 */
export async function appendMetrics(runDirectory: string, logs: EpochLogs, firstEpoch: 0 | 1): Promise<void> {
  const file = path.join(runDirectory, METRICS_FILE);
  try {
    await fs.appendFile(file, metricsLine(logs, firstEpoch));
  } catch (error) {
    throw new FileWriteError(file, error);
  }
}

/**
 * Rewrites `<run>/metrics.jsonl` (atomically) to hold exactly these epochs: on resume, the
 * checkpoint's history, so epochs after the checkpoint (written before a crash) are not duplicated.
 */
export async function rewriteMetrics(runDirectory: string, history: EpochLogs[], firstEpoch: 0 | 1): Promise<void> {
  await writeFileAtomic(path.join(runDirectory, METRICS_FILE), history.map((logs) => metricsLine(logs, firstEpoch)).join(''));
}
