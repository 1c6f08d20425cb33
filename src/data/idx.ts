import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

import type { ImageDataset } from './dataset.js';

/** A parsed IDX file: unsigned bytes and their dimensions. */
export interface IdxArray {
  data: Uint8Array;
  dims: number[];
}

const IDX_TYPES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/** Removes gzip compression when the bytes start with the gzip magic 1f 8b. */
function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${file}: corrupt gzip data (${(error as Error).message}).`);
    }
  }
  return bytes;
}

/**
 * Parses an IDX buffer (MNIST's format: magic 0x0000 TT DD, big-endian int32 dimensions, data).
 * Only unsigned-byte data (type 0x08) is accepted: every image and label set of the MNIST family.
 *
 * @param file the file's name, for error messages.
 * @throws on a bad magic number, an unsupported data type, or a size that does not match the header.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const raw = maybeGunzip(bytes, file);
  if (raw.length < 4) throw new Error(`${file}: not an IDX file (only ${raw.length} bytes).`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint16(0) !== 0) throw new Error(`${file}: not an IDX file (bad magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')}).`);
  const type = raw[2];
  const rank = raw[3];
  if (IDX_TYPES[type] === undefined) throw new Error(`${file}: not an IDX file (unknown data type 0x${type.toString(16)}).`);
  if (type !== 0x08) throw new Error(`${file}: IDX data of type ${IDX_TYPES[type]} is not supported (only unsigned bytes).`);
  if (rank < 1) throw new Error(`${file}: IDX header has no dimensions.`);
  const headerSize = 4 + 4 * rank;
  if (raw.length < headerSize) throw new Error(`${file}: truncated IDX header (${raw.length} bytes, needs ${headerSize}).`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = raw.length - headerSize;
  if (actual !== expected) {
    throw new Error(`${file}: the header says ${dims.join(' × ')} = ${expected} values but the file holds ${actual}${actual < expected ? ' (truncated)' : ''}.`);
  }
  return { data: raw.subarray(headerSize), dims };
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
}

/** Options of {@link loadIdx}. */
export interface LoadIdxOptions {
  /** First image to keep. Default 0. */
  offset?: number;
  /** Number of images to keep. Default: all after `offset`. */
  limit?: number;
  /** Name of the dataset. Default: the images file's name. */
  name?: string;
}

/**
 * Loads an IDX image file (and optionally its labels), plain or gzipped — MNIST, Fashion-MNIST,
 * KMNIST and the like — as an {@link ImageDataset} with pixels scaled to [0, 1].
 *
 * @throws naming the file when it is missing, corrupt, truncated, or when images and labels differ in count.
 */
export async function loadIdx(imagesPath: string, labelsPath?: string, options: LoadIdxOptions = {}): Promise<ImageDataset> {
  const images = parseIdx(await readBytes(imagesPath), imagesPath);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new Error(`${imagesPath}: expected images [n, rows, cols] or [n, rows, cols, channels], got dimensions ${images.dims.join(' × ')}.`);
  }
  const [total, h, w, c = 1] = images.dims;
  let labels: IdxArray | undefined;
  if (labelsPath !== undefined) {
    labels = parseIdx(await readBytes(labelsPath), labelsPath);
    if (labels.dims.length !== 1) throw new Error(`${labelsPath}: expected a 1-D label file, got dimensions ${labels.dims.join(' × ')}.`);
    if (labels.dims[0] !== total) throw new Error(`${labelsPath} has ${labels.dims[0]} labels but ${imagesPath} has ${total} images.`);
  }
  const { offset = 0, limit = total - offset, name = path.basename(imagesPath) } = options;
  if (!Number.isInteger(offset) || offset < 0 || offset >= total) throw new Error(`loadIdx: offset ${offset} is outside [0, ${total}) for ${imagesPath}.`);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`loadIdx: limit must be a positive integer, got ${limit}.`);
  const size = Math.min(limit, total - offset);
  const d = h * w * c;
  const pixels = new Float32Array(size * d);
  const source = images.data.subarray(offset * d, (offset + size) * d);
  for (let i = 0; i < source.length; i++) pixels[i] = source[i] / 255;
  return {
    images: pixels,
    labels: labels === undefined ? undefined : Int32Array.from(labels.data.subarray(offset, offset + size)),
    shape: [h, w, c],
    size,
    name,
  };
}
