/**
 * Where a method's files go: a small interface with one writer/reader per kind of storage. The
 * files are the same everywhere (a method JSON and one `<name>.json` + `<name>.weights.bin` per
 * sub-model); a directory on disk is the first store, and a URL scheme (`indexeddb://`,
 * `downloads://`, …) is one more implementation of {@link ModelStore}.
 */
import type * as tf from '@tensorflow/tfjs';

import { inNode, nodeBuiltin } from '../core/environment.js';
import { checkString } from '../data/checks.js';
import { checkPathArgument, loadLayersModel, readJson, saveLayersModel, writeJsonAtomic } from './model_io.js';
import { BrowserModelStore } from './browser_model_store.js';
import { UrlModelStore } from './url_model_store.js';

/** Reads and writes a method's files by name (no extension, no folder: `'method'`, `'encoder'`). */
export interface ModelStore {
  /** Where the files are, for messages (a folder, a URL). */
  readonly location: string;
  /** Writes a JSON document `name`. */
  writeJson(name: string, value: unknown): Promise<void>;
  /** Reads the JSON document `name`; `undefined` when there is none (an error when it is corrupt). */
  readJson<T>(name: string): Promise<T | undefined>;
  /** Writes a Layers model as `name` (topology and weights), loadable by plain `tf.loadLayersModel`. */
  writeModel(name: string, model: tf.LayersModel): Promise<void>;
  /** Reads the Layers model `name` written by {@link writeModel}. */
  readModel(name: string): Promise<tf.LayersModel>;
  /** Names of the models in the store (used to read stores written before the method JSON listed them). */
  modelNames(): Promise<string[]>;
  /** A store for a part of this one (e.g. one member of an ensemble), `<location>/<name>`. */
  child(name: string): ModelStore;
  /**
   * `true` when the store leaves out the portable inference model (the model named `inference`,
   * see `train/inference_model.ts`), as a checkpoint written with `inferenceModel: 'none'` does:
   * `save` then does not build it (a copy of every weight) only to have it thrown away. Absent
   * or `false`: `save` writes it. Its {@link child} stores answer the same.
   */
  readonly skipsInferenceModel?: boolean;
}

/**
 * The store of a folder on disk: `<directory>/<name>.json`, `<directory>/<name>.weights.bin`
 * (the layout of TF.js's `file://` handler), every file written atomically.
 */
export class DirectoryModelStore implements ModelStore {
  readonly location: string;

  constructor(directory: string) {
    checkPathArgument(directory, 'DirectoryModelStore', 'directory');
    this.location = directory;
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeJsonAtomic(this.file(name, 'writeJson', '.json'), value);
  }

  async readJson<T>(name: string): Promise<T | undefined> {
    const file = this.file(name, 'readJson', '.json');
    try {
      await nodeBuiltin('node:fs', 'DirectoryModelStore').promises.access(file);
    } catch {
      return undefined;
    }
    return readJson<T>(file);
  }

  async writeModel(name: string, model: tf.LayersModel): Promise<void> {
    this.file(name, 'writeModel', '.json');
    await saveLayersModel(model, this.location, name);
  }

  async readModel(name: string): Promise<tf.LayersModel> {
    this.file(name, 'readModel', '.json');
    return loadLayersModel(this.location, name);
  }

  /** `<directory>/<name><extension>`, after checking that `name` is a plain file name. */
  private file(name: string, what: string, extension: string): string {
    checkString(name, 'name', `DirectoryModelStore.${what}`);
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`DirectoryModelStore.${what}: name must be a file name without folders, got '${name}'.`);
    return nodeBuiltin('node:path', 'DirectoryModelStore').join(this.location, `${name}${extension}`);
  }

  async modelNames(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await nodeBuiltin('node:fs', 'DirectoryModelStore').promises.readdir(this.location);
    } catch (error) {
      throw new Error(`Cannot read ${this.location}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message}.`);
    }
    return entries.filter((e) => e.endsWith('.weights.bin')).map((e) => e.slice(0, -'.weights.bin'.length)).sort();
  }

  child(name: string): ModelStore {
    this.file(name, 'child', '');
    return new DirectoryModelStore(nodeBuiltin('node:path', 'DirectoryModelStore').join(this.location, name));
  }
}

/** The URL schemes `save` / `load` take besides plain folder paths. */
export const MODEL_STORE_SCHEMES = ['file', 'http', 'https', 'indexeddb', 'localstorage', 'downloads'] as const;

/**
 * The store a `save` / `load` argument names: a store as given; a URL — `file://<folder>` (a
 * folder on disk, as a plain path: `file:///abs/path` or `file://./relative`), `http(s)://…`
 * (read-only, {@link UrlModelStore}), `indexeddb://<key>`, `localstorage://<key>`, `downloads://`
 * (a browser's, {@link BrowserModelStore}); or a plain folder path.
 *
 * @throws on an unknown scheme (naming those taken), or a folder path outside Node.
 */
export function resolveModelStore(target: string | ModelStore, context: string): ModelStore {
  if (typeof target === 'object' && target !== null && typeof (target as ModelStore).writeModel === 'function') return target;
  const scheme = typeof target === 'string' ? /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(target)?.[1].toLowerCase() : undefined;
  if (scheme !== undefined) {
    const url = target as string;
    if (scheme === 'http' || scheme === 'https') return new UrlModelStore(url);
    if (scheme === 'indexeddb' || scheme === 'localstorage' || scheme === 'downloads') return new BrowserModelStore(url);
    if (scheme === 'file') {
      let folder = url.slice('file://'.length);
      if (folder.startsWith('localhost/')) folder = folder.slice('localhost'.length);
      target = decodeURIComponent(folder);
      if (target === '') throw new Error(`${context}: '${url}' names no folder; write file:///absolute/path or file://./relative/path.`);
    } else {
      throw new Error(`${context}: unknown URL scheme '${scheme}://' in '${url}'; use ${MODEL_STORE_SCHEMES.map((s) => `${s}://`).join(', ')}, or a folder path.`);
    }
  }
  if (!inNode() && typeof target === 'string' && target !== '') {
    throw new Error(`${context}: '${target}' is a folder path, and folders on disk need Node.js; in a browser pass a ModelStore (e.g. new UrlModelStore(url) to read files a server holds).`);
  }
  return new DirectoryModelStore(checkString(target, 'directory', context));
}
