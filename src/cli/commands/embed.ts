/**
 * `tfjs-unsupervised embed <run> --out FILE [--format bin|npy|parquet]`: the embeddings of a split,
 * encoded and written a chunk of rows at a time, with row ids (the files' relative paths for
 * `folder:` datasets, row numbers otherwise) and labels when the split has them.
 *
 * - `bin` (default for other names): raw float32, little-endian, row-major; labels as int32
 *   (`features.labels.bin`); ids of a folder one per line (`features.ids.txt`).
 * - `npy` (default for `.npy`): a NumPy array [rows, cols] float32; labels `features.labels.npy`
 *   (int32); ids of a folder `features.ids.txt`.
 * - `parquet` (default for `.parquet`): one file with columns id (string), label (int32, null when
 *   unknown) and embedding (list of float32), via the optional package `@duckdb/node-api`.
 *
 * Every format also gets the JSON header `features.json` beside it.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import * as path from 'node:path';

import { subset } from '../../data/dataset.js';
import type { ImageDataset } from '../../data/dataset.js';
import { NpyWriter } from '../../data/npy_writer.js';
import { ParquetEmbeddingWriter } from '../../data/parquet_writer.js';
import { FileWriteError, writeFileAtomic, writeJsonAtomic } from '../../train/model_io.js';
import type { CommandHelp } from '../args.js';
import type { DatasetSplit } from '../datasets.js';
import { CliUsageError, displayPath, processIo, writeLine } from '../io.js';
import type { CliIo } from '../io.js';
import { loadRunSplit, SPLITS } from '../run_analysis.js';
import { openRun } from '../run_directory.js';
import { BACKEND_OPTION } from './backend.js';
import { parseRunCommand } from './run_command.js';

/** The `--format` values of `embed`. */
export const EMBEDDING_FORMATS = ['bin', 'npy', 'parquet'] as const;

/** A file format of {@link embedRun}. */
export type EmbeddingFormat = (typeof EMBEDDING_FORMATS)[number];

/** Rows encoded and written at a time. */
export const EMBED_CHUNK_ROWS = 8192;

/** Options of {@link embedRun}. */
export interface EmbedRunOptions {
  /** The features file to write. */
  out: string;
  /** File format. Default: `npy` for a `.npy` name, `parquet` for `.parquet`, else `bin`. */
  format?: EmbeddingFormat;
  /** Split to embed. Default `'test'`. */
  split?: DatasetSplit;
  /** Images (from the first). Default: the whole split. */
  limit?: number;
  io?: CliIo;
}

/** The JSON header written beside the features (`<out>` with `.json` for `.bin`, `.npy` or `.parquet`). */
export interface FeaturesHeader {
  format: 'tfjs-unsupervised-features';
  version: 1;
  /** The features file's name (in the header's folder). */
  file: string;
  /** Its format: raw `bin` (the default), `npy` or `parquet`. Absent in headers written before formats existed (bin). */
  fileFormat?: EmbeddingFormat;
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
  /** The labels file (int32, little-endian; `.labels.npy` for npy), when the split has labels (in the file itself for parquet). */
  labels?: string;
  /** The row ids file (one relative path per line), for datasets whose rows have ids (image folders; in the file itself for parquet). */
  ids?: string;
}

/** The names of a features file's companions, by format. */
interface CompanionFiles {
  header: string;
  labels: string;
  ids: string;
}

const FORMAT_EXTENSIONS: Record<EmbeddingFormat, string> = { bin: '.bin', npy: '.npy', parquet: '.parquet' };

/** `features.bin` → `features.json`; `features` → `features.json`; likewise for `.npy` and `.parquet`. */
function siblingPath(file: string, suffix: string): string {
  const ext = path.extname(file);
  return `${Object.values(FORMAT_EXTENSIONS).includes(ext) ? file.slice(0, -ext.length) : file}${suffix}`;
}

function companionFiles(out: string, format: EmbeddingFormat): CompanionFiles {
  return { header: siblingPath(out, '.json'), labels: siblingPath(out, format === 'npy' ? '.labels.npy' : '.labels.bin'), ids: siblingPath(out, '.ids.txt') };
}

/** The format of `out`: given, or from its extension (`.npy`, `.parquet`), else `bin`. */
export function embeddingFormat(out: string, format?: string): EmbeddingFormat {
  if (format !== undefined) {
    if (!(EMBEDDING_FORMATS as readonly string[]).includes(format)) throw new CliUsageError(`--format must be one of ${EMBEDDING_FORMATS.join(', ')}; got '${format}'.`, 'embed');
    return format as EmbeddingFormat;
  }
  const ext = path.extname(out).toLowerCase();
  return ext === '.npy' ? 'npy' : ext === '.parquet' ? 'parquet' : 'bin';
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
function checkOutputFiles(out: string, format: EmbeddingFormat): void {
  if (out.endsWith('/') || out.endsWith(path.sep) || (existsSync(out) && statSync(out).isDirectory())) {
    throw new CliUsageError(`--out ${displayPath(out)} is a folder; give the features file's name, e.g. --out ${displayPath(path.join(out, `features${FORMAT_EXTENSIONS[format]}`))}.`, 'embed');
  }
  const resolved = path.resolve(out);
  for (const sibling of Object.values(companionFiles(resolved, format))) {
    if (existsSync(sibling) && statSync(sibling).isDirectory()) {
      throw new CliUsageError(`--out ${displayPath(out)}: its ${path.basename(sibling)} would go to ${displayPath(sibling)}, which is a folder; choose another --out.`, 'embed');
    }
  }
}

/** A raw file written in chunks under a temporary name and renamed into place when complete. */
class ChunkedFile {
  private constructor(
    readonly file: string,
    private readonly temporary: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(file: string): Promise<ChunkedFile> {
    const temporary = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      return new ChunkedFile(file, temporary, await fs.open(temporary, 'w'));
    } catch (error) {
      throw new FileWriteError(file, error);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    try {
      let offset = 0;
      while (offset < bytes.length) offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
    } catch (error) {
      throw new FileWriteError(this.file, error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.sync();
      await this.handle.close();
      await fs.rename(this.temporary, this.file);
    } catch (error) {
      await fs.rm(this.temporary, { force: true });
      throw new FileWriteError(this.file, error);
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.temporary, { force: true });
  }
}

/** Where the embeddings of one format go, chunk by chunk. */
interface EmbeddingSink {
  write(rowIds: readonly string[], embeddings: Float32Array, labels: Int32Array | undefined): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

async function openSink(format: EmbeddingFormat, out: string, rows: number, cols: number): Promise<EmbeddingSink> {
  if (format === 'parquet') {
    const writer = await ParquetEmbeddingWriter.create(out, cols).catch((error: Error) => {
      throw new CliUsageError(error.message.replace(/^ParquetEmbeddingWriter\.create: /, '--format parquet: '), 'embed');
    });
    return { write: (ids, embeddings, labels) => writer.write(ids, embeddings, labels), close: () => writer.close(), abort: () => writer.abort() };
  }
  if (format === 'npy') {
    const writer = await NpyWriter.create(out, 'float32', [rows, cols]);
    return { write: (_ids, embeddings) => writer.write(embeddings), close: () => writer.close(), abort: () => writer.abort() };
  }
  const file = await ChunkedFile.create(out);
  return { write: (_ids, embeddings) => file.write(littleEndianBytes(embeddings)), close: () => file.close(), abort: () => file.abort() };
}

/** The ids of a dataset's rows: its own (`ids`, e.g. an image folder's file paths), else undefined. */
function datasetIds(dataset: ImageDataset): readonly string[] | undefined {
  const ids = (dataset as ImageDataset & { ids?: unknown }).ids;
  return Array.isArray(ids) && ids.length === dataset.size ? (ids as string[]) : undefined;
}

/**
 * Writes the embeddings of a split of the run's dataset (with its last checkpoint) to `out` in
 * the chosen format, the header next to it, and the labels and ids when there are any. Rows are
 * encoded and written {@link EMBED_CHUNK_ROWS} at a time; every file appears whole or not at all.
 *
 * @returns the header.
 * @throws {@link CliUsageError} when `out` (or a file beside it) is a folder, the format is
 *   unknown, its package is missing (parquet), or the run has no checkpoint that verifies.
 */
export async function embedRun(runDirectory: string, options: EmbedRunOptions): Promise<FeaturesHeader> {
  if (typeof options?.out !== 'string' || options.out === '') throw new CliUsageError(`embed needs the features file: --out FILE (e.g. features.bin); got ${String(options?.out)}.`, 'embed');
  const io = options.io ?? processIo();
  const split = options.split ?? 'test';
  const format = embeddingFormat(options.out, options.format);
  checkOutputFiles(options.out, format);
  const run = await openRun(path.resolve(runDirectory), 'embed', (line) => writeLine(io.stderr, line));
  try {
    const dataset = await loadRunSplit(run, split, options.limit, 'embed');
    const out = path.resolve(options.out);
    const companions = companionFiles(out, format);
    await fs.mkdir(path.dirname(out), { recursive: true }).catch((error: unknown) => {
      throw new FileWriteError(out, error);
    });
    const ownIds = datasetIds(dataset);
    if (ownIds !== undefined) {
      const bad = ownIds.find((id) => /[\n\r]/.test(id));
      if (bad !== undefined) throw new CliUsageError(`the row id ${JSON.stringify(bad)} holds a line break, which ${path.basename(companions.ids)} cannot hold; rename the file.`, 'embed');
    }
    // The first chunk gives the embedding width; the writer opens then.
    let sink: EmbeddingSink | undefined;
    let cols = 0;
    try {
      for (let start = 0; start < dataset.size; start += EMBED_CHUNK_ROWS) {
        const end = Math.min(dataset.size, start + EMBED_CHUNK_ROWS);
        const features = await run.method.encode(subset(dataset, { start, end }));
        if (sink === undefined) {
          cols = features.cols;
          sink = await openSink(format, out, dataset.size, cols);
        }
        const rowIds = ownIds !== undefined ? ownIds.slice(start, end) : Array.from({ length: end - start }, (_, i) => String(start + i));
        await sink.write(rowIds, features.data, dataset.labels?.subarray(start, end));
      }
      await sink?.close();
    } catch (error) {
      await sink?.abort();
      throw error;
    }
    const header: FeaturesHeader = {
      format: 'tfjs-unsupervised-features',
      version: 1,
      file: path.basename(out),
      fileFormat: format,
      rows: dataset.size,
      cols,
      dtype: 'float32',
      endianness: 'little',
      order: 'row-major',
      split,
      dataset: run.config.dataset,
      method: run.config.method,
      run: run.directory,
      epochsTrained: run.checkpoint.manifest.epoch,
    };
    if (dataset.labels !== undefined && format !== 'parquet') {
      if (format === 'npy') {
        const writer = await NpyWriter.create(companions.labels, 'int32', [dataset.size]);
        await writer.write(dataset.labels);
        await writer.close();
      } else {
        await writeFileAtomic(companions.labels, littleEndianBytes(dataset.labels));
      }
      header.labels = path.basename(companions.labels);
    }
    if (ownIds !== undefined && format !== 'parquet') {
      const file = await ChunkedFile.create(companions.ids);
      try {
        for (let start = 0; start < ownIds.length; start += EMBED_CHUNK_ROWS) {
          await file.write(Buffer.from(`${ownIds.slice(start, start + EMBED_CHUNK_ROWS).join('\n')}\n`, 'utf8'));
        }
        await file.close();
      } catch (error) {
        await file.abort();
        throw error;
      }
      header.ids = path.basename(companions.ids);
    }
    await writeJsonAtomic(companions.header, header);
    const what = format === 'parquet' ? `Parquet (id, label, embedding)` : format === 'npy' ? 'NumPy float32' : 'float32';
    writeLine(io.stdout, `wrote ${header.rows} x ${header.cols} ${what} embeddings of the ${split} split to ${displayPath(out)}`);
    const beside = [header.labels ? `labels ${displayPath(path.join(path.dirname(out), header.labels))}` : '', header.ids ? `ids ${displayPath(path.join(path.dirname(out), header.ids))}` : '']
      .filter((s) => s !== '')
      .join(', ');
    writeLine(io.stdout, `header ${displayPath(companions.header)}${beside ? `, ${beside}` : ''}`);
    return header;
  } finally {
    run.method.dispose();
  }
}

const HELP: CommandHelp = {
  usage: 'embed <run> --out FILE [options]',
  summary:
    "Write the embeddings of a split (with the run's last checkpoint), a chunk of rows at a time, with a JSON header\n" +
    'beside them (features.bin → features.json). bin: float32, little-endian, row-major, int32 labels (features.labels.bin);\n' +
    'npy: a NumPy [rows, cols] float32 array, int32 labels (features.labels.npy); parquet: columns id, label, embedding\n' +
    '(needs the package @duckdb/node-api). Rows of a folder: dataset keep their file paths as ids (features.ids.txt).',
  options: [
    { name: 'out', kind: 'string', placeholder: 'FILE', description: 'the features file, e.g. features.bin, features.npy or features.parquet (required)' },
    { name: 'format', kind: 'string', choices: EMBEDDING_FORMATS, description: 'file format (default: from the --out extension, .npy or .parquet; else bin)' },
    { name: 'split', kind: 'string', choices: SPLITS, description: 'split to embed', default: 'test' },
    { name: 'limit', kind: 'integer', min: 1, description: 'images (from the first; default: the whole split)' },
    BACKEND_OPTION,
  ],
};

/** Runs `embed` with its arguments; returns the exit code. */
export async function embedCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = await parseRunCommand('embed', argv, HELP, io, (values) => {
    if (values.out === undefined) throw new CliUsageError('embed needs --out FILE (e.g. --out features.bin).', 'embed');
    checkOutputFiles(values.out as string, embeddingFormat(values.out as string, values.format as string | undefined));
  });
  if (parsed === undefined) return 0;
  const { run, values } = parsed;
  await embedRun(run, {
    out: values.out as string,
    format: values.format as EmbeddingFormat | undefined,
    split: values.split as DatasetSplit | undefined,
    limit: values.limit as number | undefined,
    io,
  });
  return 0;
}
