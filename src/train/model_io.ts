import * as tf from '@tensorflow/tfjs';

import { nodeBuiltin } from '../core/environment.js';

/** Node's file system (promises), reached when first used: model files on disk are a Node thing, and the core entry must bundle for a browser. */
const fs = (): typeof import('node:fs').promises => nodeBuiltin('node:fs', 'Reading and writing files on disk').promises;
/** Node's path module, reached when first used (see {@link fs}). */
const path = (): typeof import('node:path') => nodeBuiltin('node:path', 'Reading and writing files on disk');

/** How a wrong argument is described in an error: `null`, `number NaN`, `an object`, `an array`. */
function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the empty string`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks that a path argument is a non-empty string.
 *
 * @param context the function, e.g. `'writeCheckpoint'`, and the argument's name, e.g. `'runDirectory'`.
 * @throws an error naming both and what was given.
 */
export function checkPathArgument(value: unknown, context: string, argument: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new Error(`${context}: ${argument} must be a path (a non-empty string); got ${describeArgument(value)}.`);
}

/** `ENOSPC` → `no space left on device (ENOSPC)`: the system's words for an error code, and the code. */
function describeSystemError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string') return String(message ?? error);
  // Node's messages read `ENOSPC: no space left on device, write`: keep the words, drop the call.
  const words = /^[A-Z]+: ([^,]+)/.exec(String(message))?.[1];
  return words === undefined ? code : `${words} (${code})`;
}

/**
 * The error a failed write throws: its message names the file (a system error such as `ENOSPC`
 * does not), `code` and `cause` keep the original.
 */
export class FileWriteError extends Error {
  /** The file that could not be written. */
  readonly path: string;
  /** The system error code (e.g. `'ENOSPC'`, `'EISDIR'`), when there is one. */
  readonly code: string | undefined;

  constructor(file: string, cause: unknown) {
    super(`Cannot write ${file}: ${describeSystemError(cause)}.`, { cause });
    this.name = 'FileWriteError';
    this.path = file;
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, which is
 * then renamed over the target. A crash at any moment leaves either the old file or the new one,
 * never a half-written file; a failed write or rename removes the temporary file.
 *
 * @throws {@link FileWriteError} naming `file` (and the system error, e.g. `ENOSPC` or `EISDIR`
 *   when `file` is a folder); the old file, if any, is untouched.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  checkPathArgument(file, 'writeFileAtomic', 'file');
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new Error(`writeFileAtomic: data must be a string or a Uint8Array; got ${describeArgument(data)}.`);
  try {
    await fs().mkdir(path().dirname(file), { recursive: true });
  } catch (error) {
    throw new FileWriteError(file, error);
  }
  const temporary = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const handle = await fs().open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs().rename(temporary, file);
  } catch (error) {
    await fs().rm(temporary, { force: true }).catch(() => undefined);
    throw new FileWriteError(file, error);
  }
}

/** Writes `value` as pretty JSON, atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  checkPathArgument(file, 'writeJsonAtomic', 'file');
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads and parses a JSON file, with an error naming the file when it is missing or corrupt. */
export async function readJson<T>(file: string): Promise<T> {
  checkPathArgument(file, 'readJson', 'file');
  let text: string;
  try {
    text = await fs().readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`Corrupt JSON in ${file}: ${(error as Error).message}.`);
  }
}

function concatenateWeightData(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    bytes.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return bytes;
}

/**
 * Saves a Layers model into `directory` as `<name>.json` + `<name>.weights.bin`, the layout of
 * tfjs's `file://` handler, on any backend (that handler exists only with tfjs-node). Both files
 * are written atomically, weights first.
 */
export async function saveLayersModel(model: tf.LayersModel, directory: string, name = 'model'): Promise<void> {
  if (!(model instanceof tf.LayersModel)) throw new Error(`saveLayersModel: model must be a tf.LayersModel; got ${describeArgument(model)}.`);
  checkPathArgument(directory, 'saveLayersModel', 'directory');
  checkPathArgument(name, 'saveLayersModel', 'name');
  const weightsFile = `${name}.weights.bin`;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = concatenateWeightData(artifacts.weightData);
      await writeFileAtomic(path().join(directory, weightsFile), weights);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeJsonAtomic(path().join(directory, `${name}.json`), modelJson);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Loads a model written by {@link saveLayersModel} (or by tfjs's `file://` handler) on any backend. */
export async function loadLayersModel(directory: string, name = 'model'): Promise<tf.LayersModel> {
  checkPathArgument(directory, 'loadLayersModel', 'directory');
  checkPathArgument(name, 'loadLayersModel', 'name');
  const jsonFile = path().join(directory, `${name}.json`);
  const modelJson = await readJson<ModelJson>(jsonFile);
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${jsonFile} is not a TensorFlow.js layers model (no modelTopology / weightsManifest).`);
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const chunks: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const relative of group.paths) {
      const file = path().join(directory, relative);
      try {
        chunks.push(await fs().readFile(file));
      } catch {
        throw new Error(`Missing weights file ${file} (listed in ${jsonFile}).`);
      }
    }
  }
  const weightData = concatenateWeightData(chunks.map((c) => c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength) as ArrayBuffer));
  const bytesPerValue = (spec: tf.io.WeightsManifestEntry) => (spec.quantization ? Number.NaN : spec.dtype === 'bool' ? 1 : 4);
  const expected = weightSpecs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec), 0);
  if (Number.isFinite(expected) && weightData.byteLength !== expected) {
    throw new Error(`Weights in ${directory} have ${weightData.byteLength} bytes, ${jsonFile} expects ${expected}: the files are truncated or mismatched.`);
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: weightData.buffer as ArrayBuffer }));
}

/**
 * Reads a method's saved JSON (`<directory>/<file>`) and checks that it was written by `method`:
 * a clear error names the directory and what it holds instead.
 */
export async function readSavedMethod<T extends { method: string }>(directory: string, file: string, method: T['method']): Promise<T> {
  checkPathArgument(directory, 'readSavedMethod', 'directory');
  checkPathArgument(file, 'readSavedMethod', 'file');
  const saved = await readJson<T>(path().join(directory, file));
  if (saved.method !== method) throw new Error(`${directory} holds a ${String(saved.method)}, not a ${method}.`);
  return saved;
}
