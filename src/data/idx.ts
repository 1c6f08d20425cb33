/**
 * IDX, the MNIST family's file format. Parsing is browser-safe: {@link parseIdx} (bytes, sync) and
 * {@link decodeIdx} / {@link idxDataset} (an ArrayBuffer, Uint8Array, Blob or fetch Response,
 * gunzipped with `DecompressionStream` where there is one) are in the core entry; {@link loadIdx}
 * reads files from disk and is in the Node entry (Node's modules are reached only when it runs).
 */
import { inNode, nodeBuiltin } from '../core/environment.js';
import type { ImageDataset } from './dataset.js';
import { readOptions } from './options.js';
import { checkString, describeArgument } from './checks.js';

/** The element types an IDX file can declare (third byte of its magic number). */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array that holds an IDX file's values, by {@link IdxDataType}. */
export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its values (in the file's order, row-major), dimensions and element type. */
export interface IdxArray {
  /** The values, row-major. Bytes are views of the file's buffer; wider types are decoded copies. */
  data: IdxValues;
  /** The dimensions, outermost first (e.g. [n, rows, cols] for MNIST images, [n] for labels). */
  dims: number[];
  /** The element type declared by the header. */
  dtype: IdxDataType;
}

interface IdxTypeInfo {
  dtype: IdxDataType;
  bytes: number;
  description: string;
}

const IDX_TYPES: Record<number, IdxTypeInfo> = {
  0x08: { dtype: 'uint8', bytes: 1, description: 'unsigned byte' },
  0x09: { dtype: 'int8', bytes: 1, description: 'signed byte' },
  0x0b: { dtype: 'int16', bytes: 2, description: 'short (int16)' },
  0x0c: { dtype: 'int32', bytes: 4, description: 'int (int32)' },
  0x0d: { dtype: 'float32', bytes: 4, description: 'float (float32)' },
  0x0e: { dtype: 'float64', bytes: 8, description: 'double (float64)' },
};

const hex32 = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

/** Whether bytes start with the gzip magic 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Removes gzip compression when the bytes start with the gzip magic 1f 8b (whatever the file's extension); synchronous, so Node only. */
function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (isGzip(bytes)) {
    if (!inNode()) throw new Error(`${file}: gzipped IDX bytes need decodeIdx (asynchronous, DecompressionStream) in a browser; parseIdx gunzips only in Node.`);
    try {
      return nodeBuiltin('node:zlib', 'parseIdx (gunzip)').gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${file}: corrupt or truncated gzip data (${(error as Error).message}).`);
    }
  }
  return bytes;
}

/** Decodes `count` big-endian values of a multi-byte type, in one pass. */
function decodeBigEndian(view: DataView, offset: number, count: number, dtype: IdxDataType): IdxValues {
  switch (dtype) {
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i);
      return out;
    }
    default:
      throw new Error(`internal: ${dtype} is not a multi-byte IDX type.`);
  }
}

/**
 * Parses an IDX file's bytes (the MNIST family's format), plain or gzipped (detected by the gzip
 * magic bytes 1f 8b, not by the name). The header is a magic number `0x0000 TT RR` (TT: element
 * type, RR: number of dimensions), then RR big-endian int32 dimensions, then the values,
 * big-endian, row-major. All six IDX types are decoded: unsigned/signed bytes are zero-copy views,
 * wider types are decoded into a new typed array.
 *
 * @param bytes the file's contents.
 * @param file the file's name, used in every error message.
 * @throws naming `file` on corrupt gzip data, a bad magic number, an unknown type, no dimensions,
 *   or a length that does not match the header (truncated or with trailing bytes).
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new Error(`parseIdx: bytes must be a Uint8Array (the file's contents), got ${describeArgument(bytes)}.`);
  const raw = maybeGunzip(bytes, file);
  if (raw.length < 4) throw new Error(`${file}: not an IDX file (only ${raw.length} bytes, shorter than the 4-byte magic number).`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  if (view.getUint16(0) !== 0) throw new Error(`${file}: not an IDX file (bad magic number ${hex32(magic)}; IDX files start with 0x0000).`);
  const info = IDX_TYPES[raw[2]];
  if (info === undefined) {
    throw new Error(`${file}: not an IDX file (magic number ${hex32(magic)} declares unknown data type 0x${raw[2].toString(16).padStart(2, '0')}).`);
  }
  const rank = raw[3];
  if (rank < 1) throw new Error(`${file}: the IDX header (magic number ${hex32(magic)}) declares no dimensions.`);
  const headerSize = 4 + 4 * rank;
  if (raw.length < headerSize) throw new Error(`${file}: truncated IDX header (${raw.length} bytes, the ${rank} dimensions need ${headerSize}).`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = count * info.bytes;
  const actualBytes = raw.length - headerSize;
  if (actualBytes !== expectedBytes) {
    const what = actualBytes < expectedBytes ? 'truncated' : `${actualBytes - expectedBytes} trailing bytes`;
    throw new Error(
      `${file}: the IDX header says ${dims.join(' × ')} ${info.description} values = ${expectedBytes} bytes of data, but the file holds ${actualBytes} (${what}).`,
    );
  }
  let data: IdxValues;
  if (info.dtype === 'uint8') data = raw.subarray(headerSize);
  else if (info.dtype === 'int8') data = new Int8Array(raw.buffer, raw.byteOffset + headerSize, count);
  else data = decodeBigEndian(view, headerSize, count, info.dtype);
  return { data, dims, dtype: info.dtype };
}

/**
 * Reads a file's bytes, with an error naming the file when it is missing or unreadable.
 *
 * @internal
 */
export async function readFileBytes(file: string): Promise<Uint8Array> {
  try {
    // A Buffer is a Uint8Array already: no copy.
    return await nodeBuiltin('node:fs', 'Reading a file').promises.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new Error(`Cannot read ${file}: ${reason}.`);
  }
}

/**
 * The rows [offset, offset + size) that `offset` and `limit` select out of `total`: `limit`
 * beyond the end is cut to the rows available.
 *
 * @internal
 * @throws when `offset` is not in [0, total) or `limit` is not a positive integer.
 */
export function resolveRowWindow(total: number, offset: number, limit: number | undefined, context: string, file: string): { offset: number; size: number } {
  if (!Number.isInteger(offset) || offset < 0 || offset >= total) {
    throw new Error(`${context}: offset ${offset} is outside [0, ${total}) (${file} holds ${total} images).`);
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`${context}: limit must be a positive integer, got ${limit}.`);
  return { offset, size: Math.min(limit ?? total, total - offset) };
}

/** 0..255 → value / 255 as float32, exactly as the division would round. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * Builds an {@link ImageDataset} from parsed IDX images (and labels): rows [offset, offset + size)
 * only, pixels converted into a fresh Float32Array in one pass (bytes scaled by 1/255; floats
 * checked to be in [0, 1]) and labels into a fresh Int32Array. The IDX arrays are not modified
 * or referenced by the result.
 *
 * @internal shared by {@link loadIdx} and `loadMnist`.
 */
export function datasetFromIdx(
  images: IdxArray,
  labels: IdxArray | undefined,
  files: { images: string; labels?: string },
  options: LoadIdxOptions & { context?: string } = {},
): ImageDataset {
  const { context = 'loadIdx' } = options;
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new Error(`${files.images}: expected images [n, rows, cols] or [n, rows, cols, channels], got dimensions ${images.dims.join(' × ')}.`);
  }
  const [total, h, w, c = 1] = images.dims;
  if (total === 0 || h === 0 || w === 0 || c === 0) throw new Error(`${files.images}: the file holds no pixels (dimensions ${images.dims.join(' × ')}).`);
  if (images.dtype !== 'uint8' && images.dtype !== 'float32' && images.dtype !== 'float64') {
    throw new Error(`${files.images}: IDX images of type ${images.dtype} are not supported (only unsigned bytes, scaled by 1/255, or floats in [0, 1]).`);
  }
  if (labels !== undefined) {
    const labelsFile = files.labels ?? 'labels';
    if (labels.dims.length !== 1) throw new Error(`${labelsFile}: expected a 1-D label file, got dimensions ${labels.dims.join(' × ')}.`);
    if (labels.dtype === 'float32' || labels.dtype === 'float64') throw new Error(`${labelsFile}: IDX labels must be integers, got type ${labels.dtype}.`);
    if (labels.dims[0] !== total) throw new Error(`${labelsFile} has ${labels.dims[0]} labels but ${files.images} has ${total} images.`);
  }
  const { offset, size } = resolveRowWindow(total, options.offset ?? 0, options.limit, context, files.images);
  const d = h * w * c;
  const source = images.data.subarray(offset * d, (offset + size) * d);
  const pixels = new Float32Array(size * d);
  if (images.dtype === 'uint8') {
    for (let i = 0; i < source.length; i++) pixels[i] = BYTE_TO_UNIT[source[i]];
  } else {
    for (let i = 0; i < source.length; i++) {
      const v = source[i];
      if (!(v >= 0 && v <= 1)) {
        throw new Error(`${files.images}: float IDX images must hold values in [0, 1]; image ${offset + Math.floor(i / d)} has ${v} at position ${i % d}.`);
      }
      pixels[i] = v;
    }
  }
  const dataset: ImageDataset = { images: pixels, shape: [h, w, c], size, name: options.name ?? baseName(files.images) };
  if (labels !== undefined) dataset.labels = Int32Array.from(labels.data.subarray(offset, offset + size));
  return dataset;
}

/** Options of {@link loadIdx}. */
export interface LoadIdxOptions {
  /** First image to keep. Default 0. */
  offset?: number;
  /** Most images to keep (fewer when the file ends first). Default: all after `offset`. */
  limit?: number;
  /** Name of the dataset. Default: the images file's base name. */
  name?: string;
}

/**
 * Loads an IDX image file (and optionally its labels), plain or gzipped — MNIST, Fashion-MNIST,
 * KMNIST, EMNIST and the like — as an {@link ImageDataset}: images [n, rows, cols] (one channel)
 * or [n, rows, cols, channels], as a fresh Float32Array in [0, 1] (unsigned bytes divided by 255;
 * float files must already be in [0, 1]); labels of any integer IDX type as an Int32Array.
 *
 * @param imagesPath the images file (`.gz` or not: gzip is detected by its magic bytes).
 * @param labelsPath the labels file, 1-D with one label per image. Default: no labels.
 * @throws naming the file when it is missing, not IDX, of an unsupported type, truncated, or when
 *   images and labels differ in count, or `offset` / `limit` are out of range.
 */
export async function loadIdx(imagesPath: string, labelsPath?: string, options: LoadIdxOptions = {}): Promise<ImageDataset> {
  options = readOptions(options, 'loadIdx');
  checkString(imagesPath, 'imagesPath', 'loadIdx');
  if (labelsPath !== undefined) checkString(labelsPath, 'labelsPath', 'loadIdx');
  const [imageBytes, labelBytes] = await Promise.all([readFileBytes(imagesPath), labelsPath === undefined ? undefined : readFileBytes(labelsPath)]);
  const images = parseIdx(imageBytes, imagesPath);
  const labels = labelBytes === undefined ? undefined : parseIdx(labelBytes, labelsPath!);
  return datasetFromIdx(images, labels, { images: imagesPath, labels: labelsPath }, options);
}

/** The last part of a path or URL: `data/train.idx` → `train.idx` (Node's path.basename in Node). */
function baseName(file: string): string {
  if (inNode()) return nodeBuiltin('node:path', 'baseName').basename(file);
  return file.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? file;
}

/** Bytes of an IDX file from a browser or Node source: the bytes themselves, an `ArrayBuffer`, a `Blob` or a fetch `Response`. */
export type IdxSource = Uint8Array | ArrayBuffer | Blob | Response;

/** Gunzips with the platform's `DecompressionStream` (browsers, Node 18+), else Node's zlib. */
async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') return maybeGunzip(bytes, name);
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(`${name}: corrupt or truncated gzip data (${(error as Error).message}).`);
  }
}

/** The bytes of `source`, with errors naming it (a Response that is not ok names its URL and status). */
async function sourceBytes(source: IdxSource, name: string, context: string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Response === 'function' && source instanceof Response) {
    if (!source.ok) throw new Error(`${context}: ${name} answered HTTP ${source.status}${source.statusText ? ` ${source.statusText}` : ''}.`);
    return new Uint8Array(await source.arrayBuffer());
  }
  if (typeof Blob === 'function' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  throw new Error(`${context}: the IDX source must be a Uint8Array, an ArrayBuffer, a Blob or a fetch Response; got ${describeArgument(source)}.`);
}

/** A name for `source` in messages: the given one, a Response's URL, else `what`. */
function sourceName(source: IdxSource, name: string | undefined, what: string): string {
  if (name !== undefined) return name;
  if (typeof Response === 'function' && source instanceof Response && source.url !== '') return source.url;
  return what;
}

/**
 * Decodes an IDX file held in memory or fetched, plain or gzipped (gunzipped with
 * `DecompressionStream` in a browser), into its values and dimensions. Works in browsers and Node.
 *
 * @param source the file's bytes: a Uint8Array, an ArrayBuffer, a Blob, or a fetch Response (its
 *   body is read; a response that is not ok is an error naming its URL and status).
 * @param name names the file in error messages. Default: the Response's URL, else `IDX bytes`.
 * @throws naming the file on corrupt gzip data and on every error of {@link parseIdx}.
 * @example
 * const labels = await decodeIdx(await fetch('t10k-labels-idx1-ubyte.gz'));
 */
export async function decodeIdx(source: IdxSource, name?: string): Promise<IdxArray> {
  if (name !== undefined) checkString(name, 'name', 'decodeIdx');
  const label = sourceName(source, name, 'IDX bytes');
  const bytes = await sourceBytes(source, label, 'decodeIdx');
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, label) : bytes, label);
}

/**
 * An {@link ImageDataset} from IDX images (and labels) held in memory or fetched — the browser's
 * counterpart of {@link loadIdx}: the same checks, conversion (bytes / 255 as float32) and
 * `offset` / `limit` / `name` options.
 *
 * @param images the images file's bytes or Response (see {@link decodeIdx}).
 * @param labels the labels file's bytes or Response. Default: no labels.
 * @throws naming the file as {@link loadIdx} does.
 * @example
 * const test = await idxDataset(await fetch('t10k-images-idx3-ubyte.gz'), await fetch('t10k-labels-idx1-ubyte.gz'), { limit: 2000 });
 */
export async function idxDataset(images: IdxSource, labels?: IdxSource, options: LoadIdxOptions = {}): Promise<ImageDataset> {
  options = readOptions(options, 'idxDataset');
  if (options.name !== undefined) checkString(options.name, 'options.name', 'idxDataset');
  const imagesName = sourceName(images, undefined, 'images');
  const labelsName = labels === undefined ? undefined : sourceName(labels, undefined, 'labels');
  const [imageArray, labelArray] = await Promise.all([
    decodeIdx(images, imagesName),
    labels === undefined ? undefined : decodeIdx(labels, labelsName),
  ]);
  return datasetFromIdx(imageArray, labelArray, { images: imagesName, labels: labelsName }, { ...options, context: 'idxDataset' });
}
