/**
 * Reading fixed-size records from binary files a window at a time (CIFAR-10 and STL-10 readers):
 * only the requested records are read, so a 2.7 GB file costs no more than the rows asked for.
 *
 * @internal
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';

/** A file of fixed-size records: its path and how many records it holds. */
export interface RecordFile {
  file: string;
  records: number;
}

/**
 * The folder that holds a dataset's files: `directory` itself, or its `subfolder` (the name the
 * official archive extracts to) when that exists and `directory` does not hold `probe` itself.
 *
 * @throws when `directory` does not exist or is not a folder.
 */
export function resolveDataDirectory(directory: string, subfolder: string, probe: string, context: string): string {
  if (typeof directory !== 'string' || directory === '') throw new Error(`${context}: directory must be a path, got ${JSON.stringify(directory)}.`);
  const folder = path.resolve(directory);
  if (!existsSync(folder)) throw new Error(`${context}: directory ${folder} does not exist.`);
  if (!statSync(folder).isDirectory()) throw new Error(`${context}: ${folder} is not a directory.`);
  const nested = path.join(folder, subfolder);
  if (!existsSync(path.join(folder, probe)) && existsSync(nested) && statSync(nested).isDirectory()) return nested;
  return folder;
}

/**
 * Checks that every file exists and holds a whole number of `recordBytes`-byte records; returns
 * each with its record count.
 *
 * @throws naming the missing files, or a file whose size is not a multiple of `recordBytes`.
 */
export function recordFiles(folder: string, names: readonly string[], recordBytes: number, context: string, what: string): RecordFile[] {
  const missing = names.filter((name) => !existsSync(path.join(folder, name)));
  if (missing.length > 0) throw new Error(`${context}: ${missing.join(', ')} not found in ${folder}.`);
  return names.map((name) => {
    const file = path.join(folder, name);
    const { size } = statSync(file);
    if (size === 0 || size % recordBytes !== 0) {
      throw new Error(`${context}: ${file} has ${size} bytes, not a positive multiple of ${recordBytes} (${what}); the file is truncated or not in this format.`);
    }
    return { file, records: size / recordBytes };
  });
}

/**
 * Reads records [start, start + count) of a file of `recordBytes`-byte records and hands each to
 * `consume(bytes, index)` (`index` counts from 0 over the window), reading in chunks of about
 * 16 MB.
 */
export async function readRecords(
  file: string,
  recordBytes: number,
  start: number,
  count: number,
  consume: (record: Uint8Array, index: number) => void,
): Promise<void> {
  if (count <= 0) return;
  const perChunk = Math.max(1, Math.floor((16 << 20) / recordBytes));
  const buffer = new Uint8Array(Math.min(count, perChunk) * recordBytes);
  const handle = await fs.open(file, 'r');
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(perChunk, count - done);
      const bytes = n * recordBytes;
      let read = 0;
      while (read < bytes) {
        const { bytesRead } = await handle.read(buffer, read, bytes - read, (start + done) * recordBytes + read);
        if (bytesRead === 0) throw new Error(`Cannot read ${file}: it ended early (changed while reading?).`);
        read += bytesRead;
      }
      for (let r = 0; r < n; r++) consume(buffer.subarray(r * recordBytes, (r + 1) * recordBytes), done + r);
      done += n;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The rows [offset, offset + size) that `offset` and `limit` select out of `total` (a `limit`
 * beyond the end is cut to the rows available).
 *
 * @throws when `offset` is not in [0, total) or `limit` is not a positive integer.
 */
export function recordWindow(total: number, offset: number, limit: number | undefined, context: string): { offset: number; size: number } {
  if (!Number.isInteger(offset) || offset < 0 || offset >= total) throw new Error(`${context}: offset ${offset} is outside [0, ${total}) (the split holds ${total} images).`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`${context}: limit must be a positive integer, got ${limit}.`);
  return { offset, size: Math.min(limit ?? total, total - offset) };
}
