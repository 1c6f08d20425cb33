/**
 * A streaming writer of NumPy `.npy` files (format version 1.0, little-endian, C order): the
 * header with the final shape first, then the rows in chunks as they come, so that a large array
 * never has to be held whole. Node-only (node:fs).
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

/** The element types the writer supports. */
export type NpyDataType = 'float32' | 'int32' | 'uint8';

const DESCRIPTORS: Record<NpyDataType, string> = { float32: '<f4', int32: '<i4', uint8: '|u1' };
const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;

/** The typed array of each element type. */
export type NpyValues<T extends NpyDataType> = T extends 'float32' ? Float32Array : T extends 'int32' ? Int32Array : Uint8Array;

/**
 * The header of a version 1.0 `.npy` file for `shape` and `dtype`: magic, version, header
 * length, and the dictionary padded with spaces and a newline to a multiple of 64 bytes.
 */
export function npyHeader(dtype: NpyDataType, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dictionary = `{'descr': '${DESCRIPTORS[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dictionary.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  if (total - 10 > 65535) throw new Error(`npyHeader: the shape ${shapeText} makes a header too long for .npy version 1.0.`);
  const text = `${dictionary}${' '.repeat(total - unpadded)}\n`;
  const bytes = new Uint8Array(total);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) bytes[10 + i] = text.charCodeAt(i);
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The values' bytes in little-endian order (a view on little-endian machines, a copy otherwise). */
function littleEndianBytes(values: Float32Array | Int32Array | Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN || values instanceof Uint8Array) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(4 * i, values[i], true);
    else view.setInt32(4 * i, values[i], true);
  }
  return bytes;
}

/**
 * Writes one `.npy` array of a shape known in advance, chunk by chunk. The file is written under a
 * temporary name beside `file` and renamed into place by {@link NpyWriter.close} once every
 * value is in, so a reader never sees a half-written array; {@link NpyWriter.abort} removes it.
 *
 * @example
 * ```ts
 * const writer = await NpyWriter.create('features.npy', 'float32', [rows, cols]);
 * for (const chunk of chunks) await writer.write(chunk);
 * await writer.close();
 * ```
 */
export class NpyWriter<T extends NpyDataType = NpyDataType> {
  private written = 0;
  private closed = false;

  private constructor(
    /** The final path. */
    readonly file: string,
    /** The element type. */
    readonly dtype: T,
    /** The array's shape. */
    readonly shape: readonly number[],
    private readonly handle: FileHandle,
    private readonly temporary: string,
    private readonly expected: number,
  ) {}

  /**
   * Opens a writer: writes the header for `shape` (rows first) to a temporary file beside `file`.
   *
   * @throws when the shape is not a list of non-negative integers, or the file cannot be created.
   */
  static async create<T extends NpyDataType>(file: string, dtype: T, shape: readonly number[]): Promise<NpyWriter<T>> {
    if (typeof file !== 'string' || file === '') throw new Error(`NpyWriter.create: file must be a non-empty path, got ${String(file)}.`);
    if (!(dtype in DESCRIPTORS)) throw new Error(`NpyWriter.create: dtype must be one of ${Object.keys(DESCRIPTORS).join(', ')}, got ${String(dtype)}.`);
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) {
      throw new Error(`NpyWriter.create: shape must be a non-empty list of non-negative integers, got ${JSON.stringify(shape)}.`);
    }
    const resolved = path.resolve(file);
    const temporary = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${process.pid}.${Date.now()}.tmp`);
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.write(npyHeader(dtype, shape));
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(temporary, { force: true });
      throw error;
    }
    const expected = shape.reduce((a, b) => a * b, 1);
    return new NpyWriter(resolved, dtype, [...shape], handle, temporary, expected);
  }

  /** Values written so far. */
  get valuesWritten(): number {
    return this.written;
  }

  /**
   * Appends values (row-major; any number, e.g. a chunk of rows).
   *
   * @throws when the values are not of the writer's type, or more than the shape holds.
   */
  async write(values: NpyValues<T>): Promise<void> {
    if (this.closed) throw new Error(`NpyWriter.write: ${this.file} is closed already.`);
    if (!(values instanceof ARRAY_TYPES[this.dtype])) throw new Error(`NpyWriter.write: expected a ${ARRAY_TYPES[this.dtype].name} for ${this.dtype} values.`);
    if (this.written + values.length > this.expected) {
      throw new Error(`NpyWriter.write: ${this.written + values.length} values would exceed the ${this.expected} of shape [${this.shape.join(', ')}].`);
    }
    const bytes = littleEndianBytes(values);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    this.written += values.length;
  }

  /**
   * Finishes the file: checks that every value of the shape was written, flushes it to disk and
   * renames it into place.
   *
   * @throws (and removes the temporary file) when values are missing.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.written !== this.expected) {
      await this.abort();
      throw new Error(`NpyWriter.close: ${this.file} got ${this.written} values, its shape [${this.shape.join(', ')}] needs ${this.expected}.`);
    }
    this.closed = true;
    await this.handle.sync();
    await this.handle.close();
    await fs.rename(this.temporary, this.file);
  }

  /** Stops writing and removes the temporary file (the final path is left as it was). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.temporary, { force: true });
  }
}
