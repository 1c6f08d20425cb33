/**
 * `tfjs-unsupervised embed <run> --out features.bin`: the embeddings of a split as raw float32,
 * little-endian, row-major, with a JSON header beside them (`features.json`) and, when the split
 * has labels, the labels as int32 (`features.labels.bin`).
 */
import { existsSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import * as path from 'node:path';

import { writeFileAtomic, writeJsonAtomic } from '../../train/model_io.js';
import type { CommandHelp } from '../args.js';
import type { DatasetSplit } from '../datasets.js';
import { CliUsageError, displayPath, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { loadRunSplit, SPLITS } from '../run_analysis.js';
import { openRun } from '../run_directory.js';
import { BACKEND_OPTION } from './backend.js';
import { parseRunCommand } from './run_command.js';

/** Options of {@link embedRun}. */
export interface EmbedRunOptions {
  /** The features file to write (float32, little-endian, row-major). */
  out: string;
  /** Split to embed. Default `'test'`. */
  split?: DatasetSplit;
  /** Images (from the first). Default: the whole split. */
  limit?: number;
  io?: CliIo;
}

/** The JSON header written beside the features (`<out>` with `.json` for `.bin`). */
export interface FeaturesHeader {
  format: 'tfjs-unsupervised-features';
  version: 1;
  /** The features file's name (in the header's folder). */
  file: string;
  rows: number;
  cols: number;
  dtype: 'float32';
  endianness: 'little';
  order: 'row-major';
  split: DatasetSplit;
  dataset: string;
  method: string;
  run: string;
  epochsTrained: number;
  /** The labels file (int32, little-endian), when the split has labels. */
  labels?: string;
}

/** `features.bin` → `features.json`; `features` → `features.json`. */
function siblingPath(file: string, suffix: string): string {
  const ext = path.extname(file);
  return `${ext === '.bin' ? file.slice(0, -ext.length) : file}${suffix}`;
}

/** Little-endian bytes of a typed array (a copy only on big-endian machines). */
function littleEndianBytes(values: Float32Array | Int32Array): Uint8Array {
  if (endianness() === 'LE') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => (values instanceof Float32Array ? view.setFloat32(4 * i, v, true) : view.setInt32(4 * i, v, true)));
  return bytes;
}

/**
 * Checks, before any work, that the features file and the files beside it can be written: none
 * of them may be a folder.
 *
 * @throws {@link CliUsageError} naming the path and what to give instead.
 */
function checkOutputFiles(out: string): void {
  if (out.endsWith('/') || out.endsWith(path.sep) || (existsSync(out) && statSync(out).isDirectory())) {
    throw new CliUsageError(`--out ${displayPath(out)} is a folder; give the features file's name, e.g. --out ${displayPath(path.join(out, 'features.bin'))}.`, 'embed');
  }
  const resolved = path.resolve(out);
  for (const sibling of [siblingPath(resolved, '.json'), siblingPath(resolved, '.labels.bin')]) {
    if (existsSync(sibling) && statSync(sibling).isDirectory()) {
      throw new CliUsageError(`--out ${displayPath(out)}: its ${path.basename(sibling)} would go to ${displayPath(sibling)}, which is a folder; choose another --out.`, 'embed');
    }
  }
}

/**
 * Writes the embeddings of a split of the run's dataset (with its last checkpoint) to `out`,
 * the header next to it, and the labels when there are any. Every file is written atomically.
 *
 * @returns the header.
 * @throws {@link CliUsageError} when `out` (or a file beside it) is a folder, or the run has no
 *   checkpoint that verifies.
 */
export async function embedRun(runDirectory: string, options: EmbedRunOptions): Promise<FeaturesHeader> {
  if (typeof options?.out !== 'string' || options.out === '') throw new CliUsageError(`embed needs the features file: --out FILE (e.g. features.bin); got ${String(options?.out)}.`, 'embed');
  const io = options.io ?? processIo();
  const split = options.split ?? 'test';
  checkOutputFiles(options.out);
  const run = await openRun(path.resolve(runDirectory), 'embed', (line) => writeLine(io.stderr, line));
  try {
    const dataset = await loadRunSplit(run, split, options.limit, 'embed');
    const features = await run.method.encode(dataset);
    const out = path.resolve(options.out);
    await writeFileAtomic(out, littleEndianBytes(features.data));
    const header: FeaturesHeader = {
      format: 'tfjs-unsupervised-features',
      version: 1,
      file: path.basename(out),
      rows: features.rows,
      cols: features.cols,
      dtype: 'float32',
      endianness: 'little',
      order: 'row-major',
      split,
      dataset: run.config.dataset,
      method: run.config.method,
      run: run.directory,
      epochsTrained: run.checkpoint.manifest.epoch,
    };
    if (dataset.labels !== undefined) {
      const labelsFile = siblingPath(out, '.labels.bin');
      await writeFileAtomic(labelsFile, littleEndianBytes(dataset.labels));
      header.labels = path.basename(labelsFile);
    }
    const headerFile = siblingPath(out, '.json');
    await writeJsonAtomic(headerFile, header);
    writeLine(io.stdout, `wrote ${features.rows} x ${features.cols} float32 embeddings of the ${split} split to ${displayPath(out)}`);
    writeLine(io.stdout, `header ${displayPath(headerFile)}${header.labels ? `, labels ${displayPath(path.join(path.dirname(out), header.labels))}` : ''}`);
    return header;
  } finally {
    run.method.dispose();
  }
}

const HELP: CommandHelp = {
  usage: 'embed <run> --out FILE [options]',
  summary:
    "Write the embeddings of a split (with the run's last checkpoint) as float32, little-endian, row-major,\nwith a JSON header beside them (features.bin → features.json) and int32 labels (features.labels.bin).",
  options: [
    { name: 'out', kind: 'string', placeholder: 'FILE', description: 'the features file, e.g. features.bin (required)' },
    { name: 'split', kind: 'string', choices: SPLITS, description: 'split to embed', default: 'test' },
    { name: 'limit', kind: 'integer', min: 1, description: 'images (from the first; default: the whole split)' },
    BACKEND_OPTION,
  ],
};

/** Runs `embed` with its arguments; returns the exit code. */
export async function embedCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = await parseRunCommand('embed', argv, HELP, io, (values) => {
    if (values.out === undefined) throw new CliUsageError('embed needs --out FILE (e.g. --out features.bin).', 'embed');
    checkOutputFiles(values.out as string);
  });
  if (parsed === undefined) return 0;
  const { run, values } = parsed;
  await embedRun(run, { out: values.out as string, split: values.split as DatasetSplit | undefined, limit: values.limit as number | undefined, io });
  return 0;
}
