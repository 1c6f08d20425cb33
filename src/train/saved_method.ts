/**
 * The one saved format of every method: `method.json` (method, version, config, input shape,
 * counters, the names of its models, its own state) and one model per name in the same
 * {@link ModelStore}. Folders written before this format (one `<method>.json` per class, e.g.
 * `iic.json`) are read too.
 */
import type * as tf from '@tensorflow/tfjs';

import type { ModelStore } from './model_store.js';
import type { JsonObject, JsonValue } from './types.js';

/** The name of the method JSON in a store (`method.json` in a folder). */
export const METHOD_FILE = 'method';
/** `format` of a method JSON. */
export const METHOD_FORMAT = 'tfjs-unsupervised-method';
/** The version this code writes (1: the per-class files before it). */
export const METHOD_FORMAT_VERSION = 2;

/** A method JSON: everything but the weights. */
export interface SavedMethodFile {
  format: typeof METHOD_FORMAT;
  version: number;
  /** The class's name, e.g. `'IIC'`. */
  method: string;
  /** The method's resolved configuration (constructing the class from it gives the same method). */
  config: JsonObject;
  /** The shape of the data the models were built for, e.g. `[28, 28, 1]`. */
  inputShape: JsonValue;
  epochsTrained: number;
  globalStep: number;
  /** The names of the models in the store, in the method's order. */
  models: string[];
  /** The method's own state (e.g. IIC's sub-head losses, DeepCluster's cluster history). */
  state: JsonObject;
}

/** What a method's `restore` hook receives after its models were read. */
export interface SavedModels {
  /** The models by name. */
  models: Record<string, tf.LayersModel>;
  /** The method's own state, as its `savedState` returned it. */
  state: JsonObject;
  /** The shape of the data the models were built for. */
  inputShape: JsonValue;
}

/** The per-class file names before the one format (format version 1), by method. */
const LEGACY_FILES: Readonly<Record<string, string>> = {
  Autoencoder: 'autoencoder',
  AutoencoderClassifier: 'autoencoder_classifier',
  DeepCluster: 'deep_cluster',
  FilterDistinguisher: 'filter_distinguisher',
  IIC: 'iic',
  MineEncoder: 'mine_encoder',
  RelationalReasoning: 'relational_reasoning',
};

/** Fields of a version-1 file that are not the method's own state. */
const LEGACY_COMMON = new Set(['method', 'version', 'config', 'inputShape', 'epochsTrained', 'globalStep']);

/** Writes the models (each under its name), then the method JSON last. */
export async function writeMethodFile(store: ModelStore, file: Omit<SavedMethodFile, 'format' | 'version' | 'models'>, models: Record<string, tf.LayersModel>): Promise<void> {
  for (const [name, model] of Object.entries(models)) await store.writeModel(name, model);
  const saved: SavedMethodFile = { format: METHOD_FORMAT, version: METHOD_FORMAT_VERSION, ...file, models: Object.keys(models) };
  // Key order: format, version, method, config, inputShape, counters, models, state.
  const { format, version, method, config, inputShape, epochsTrained, globalStep, state } = saved;
  await store.writeJson(METHOD_FILE, { format, version, method, config, inputShape, epochsTrained, globalStep, models: saved.models, state });
}

/**
 * Reads the method JSON of `store` (or a version-1 file of `method`), checks that it holds a
 * `method`, and returns it in the current shape.
 *
 * @throws an error naming the store when there is no method file, or it holds another method.
 */
export async function readMethodFile(store: ModelStore, method: string): Promise<SavedMethodFile> {
  const current = await store.readJson<SavedMethodFile>(METHOD_FILE);
  if (current !== undefined) {
    if (current.format !== METHOD_FORMAT || !Array.isArray(current.models)) throw new Error(`${store.location}/${METHOD_FILE}.json is not a ${METHOD_FORMAT} file.`);
    if (current.method !== method) throw new Error(`${store.location} holds a ${String(current.method)}, not a ${method}.`);
    if (current.version > METHOD_FORMAT_VERSION) throw new Error(`${store.location} was saved by a newer version of tfjs-unsupervised (format version ${current.version}; this one reads up to ${METHOD_FORMAT_VERSION}).`);
    return current;
  }
  for (const [legacyMethod, name] of Object.entries(LEGACY_FILES)) {
    const legacy = await store.readJson<JsonObject>(name);
    if (legacy === undefined) continue;
    if (legacy.method !== method) throw new Error(`${store.location} holds a ${String(legacy.method ?? legacyMethod)}, not a ${method}.`);
    const state: JsonObject = {};
    for (const [key, value] of Object.entries(legacy)) if (!LEGACY_COMMON.has(key)) state[key] = value;
    return {
      format: METHOD_FORMAT,
      version: 1,
      method,
      config: (legacy.config ?? {}) as JsonObject,
      inputShape: legacy.inputShape ?? null,
      // Version-1 files lacked some counters (FilterDistinguisher: epochsTrained; most: globalStep).
      epochsTrained: typeof legacy.epochsTrained === 'number' ? legacy.epochsTrained : 0,
      globalStep: typeof legacy.globalStep === 'number' ? legacy.globalStep : 0,
      models: await store.modelNames(),
      state,
    };
  }
  throw new Error(`Cannot read ${store.location}/${METHOD_FILE}.json: no such file (no saved ${method} there).`);
}
