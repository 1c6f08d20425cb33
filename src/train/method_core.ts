import * as tf from '@tensorflow/tfjs';

import { batchIndices } from '../data/batching.js';
import { checkSeed } from '../core/random.js';
import { resolveModelStore } from './model_store.js';
import type { ModelStore } from './model_store.js';
import { readMethodFile, writeMethodFile } from './saved_method.js';
import { writeInferenceModel } from './inference_model.js';
import type { SavedModels } from './saved_method.js';
import type { BatchFunction, EpochLogs, FeatureMatrix, JsonObject, JsonValue, MethodOptions } from './types.js';

/** A concrete method class, as `load` is called on it (e.g. `IIC.load`). */
/**
 * A method class as `load` sees it. `methodName` is the name its saved files carry; without it the
 * class's own name is used, which a bundler that minifies names (a production build) changes.
 */
export type MethodClass<M> = (new (options: never) => M) & {
  readonly name: string;
  readonly methodName?: string;
  /**
   * Options added to the method after it could be saved, with the values that reproduce how a
   * method saved before them trained: `load` fills them in where a saved configuration lacks them
   * (a new default applies to new methods only).
   */
  readonly savedConfigDefaults?: Readonly<Record<string, JsonValue>>;
};

/**
 * The configuration a saved method is constructed with: its saved `config`, with the class's
 * {@link MethodClass.savedConfigDefaults} filled in for options added after it was saved.
 */
export function savedMethodConfig(methodClass: Pick<MethodClass<unknown>, 'savedConfigDefaults'>, config: JsonObject): JsonObject {
  return { ...methodClass.savedConfigDefaults, ...config };
}

/** Throws an error naming `context` when `options` is given but is not a plain object. */
export function checkOptionsObject(options: unknown, context: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${context}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`);
  }
}

/**
 * What every method has besides training (see {@link UnsupervisedMethod}, which adds the loop):
 * its configuration and counters, its named models built once for a data shape, persistence
 * (`save` / `load` over {@link models} and {@link restore}), and batched inference (`encode`).
 */
export abstract class MethodCore<TData extends { size: number } = { size: number }> {
  /** The class's name, used in logs and errors, and the `method` of its saved JSON. */
  abstract readonly name: string;
  /**
   * The resolved configuration (every option with its value): saved in the method JSON, and
   * constructing the class from it rebuilds the same method. Default: none.
   */
  readonly config: object = {};
  /** Seed of the method's weights and randomness. */
  readonly seed: number;
  /** Epochs completed over the method's life. */
  epochsTrained = 0;
  /** Optimiser steps taken over the method's life. */
  globalStep = 0;
  /** Metrics of every completed epoch. */
  readonly history: EpochLogs[] = [];

  private builtFor: string | undefined;
  /** Why the weights can no longer be used (they became NaN or infinite in a fit), if they cannot. */
  protected weightsBroken: string | undefined;

  constructor(options: MethodOptions = {}) {
    // `this.name` is a subclass field, not set yet: name the class in constructor errors (by its
    // methodName, which a minifying bundler leaves alone, unlike the class's own name).
    const context = (new.target as { methodName?: string }).methodName ?? new.target.name;
    checkOptionsObject(options, context);
    this.seed = checkSeed(options.seed ?? 0, `${context}: seed`);
  }

  /** Creates the method's models for data like `dataset`. Called once before the first step. */
  protected abstract build(dataset: TData): void;

  /**
   * The method's models by name, in a fixed order (`undefined`: not built yet): what `save`
   * writes, `load` reads, `dispose` frees and, by default, a step trains.
   */
  protected models(): Record<string, tf.LayersModel | undefined> {
    return {};
  }

  /**
   * Puts the models that `load` read (by the names {@link models} gave) and the method's own
   * saved state in place. Default: the method cannot be loaded.
   */
  protected restore(_saved: SavedModels): void {
    throw new Error(`${this.name}: this method does not implement restore(), so it cannot be loaded.`);
  }

  /** The method's own state that `save` keeps beside its configuration, shape and counters (JSON). Default: none. */
  protected savedState(): JsonObject {
    return {};
  }

  /** Checks a dataset before training or inference; throws a clear error. */
  protected abstract validate(dataset: TData, context: string): void;

  /**
   * Checks that data has the shape the models were built for (when they are built), before any
   * tensor reaches them: an error naming the expected and the given shape, never a TF.js message.
   */
  protected requireBuiltShape(dataset: TData, what: string): void {
    if (this.builtFor === undefined) return;
    const key = this.shapeKey(dataset);
    if (key !== this.builtFor) {
      throw new Error(`${this.name}.${what}: the model was built for inputs of shape ${this.builtFor}, got ${key}; give data of the shape it was trained on (or train a new model for this shape).`);
    }
  }

  /** Key of the data shape a model was built for (JSON of the shape, saved as `inputShape`). */
  protected abstract shapeKey(dataset: TData): string;

  /** The shape the models were built for (the parsed {@link shapeKey}), once built. */
  protected get builtShape(): unknown {
    return this.builtFor === undefined ? undefined : JSON.parse(this.builtFor);
  }

  /** Turns rows into the batch's input tensor. */
  protected abstract batchInputs(dataset: TData, indices: Int32Array): tf.Tensor;

  /** Builds the models if they are not built yet for this data shape. */
  protected ensureBuilt(dataset: TData): void {
    const key = this.shapeKey(dataset);
    if (this.builtFor === key) return;
    if (this.builtFor !== undefined) {
      throw new Error(`${this.name}: the model was built for inputs of shape ${this.builtFor}, got ${key}; give data of the shape it was trained on (or train a new model for this shape).`);
    }
    this.build(dataset);
    this.builtFor = key;
  }

  /**
   * Creates the models for data like `dataset` without training them, e.g. to evaluate a
   * randomly initialised network (the weights `fit` would start from, for the same seed).
   */
  initialize(dataset: TData): this {
    this.validate(dataset, 'initialize');
    this.ensureBuilt(dataset);
    return this;
  }

  /** Whether the models exist. */
  get isBuilt(): boolean {
    return this.builtFor !== undefined;
  }

  /**
   * A new, untrained method of the same class and resolved configuration (seed included): built
   * for the same data, it has the weights a fit of this method started from. Nothing is
   * resolved again from options (e.g. `eval`'s random-initialisation baseline of a run).
   */
  untrainedCopy(): this {
    return Reflect.construct(this.constructor, [JSON.parse(JSON.stringify(this.config))]) as this;
  }

  /** Marks the method as built for a data shape (`load` does it for the shape it read). */
  protected markBuilt(key: string): void {
    this.builtFor = key;
  }

  /**
   * Saves the method: its method JSON (method, version, config, input shape, counters, its own
   * state) and every model of {@link models} under its name, into a folder (a path or a
   * `file://` URL), a browser's storage (`indexeddb://<key>`, `localstorage://<key>`,
   * `downloads://`) or any {@link ModelStore}; beside them the portable inference model (see
   * {@link inferenceModel}), which plain `tf.loadLayersModel` serves without this library —
   * not even built when the store skips it ({@link ModelStore.skipsInferenceModel}).
   *
   * @throws before `fit` or `load`, or when a model is not built yet.
   */
  async save(target: string | ModelStore): Promise<void> {
    const context = `${this.name}.save`;
    const store = resolveModelStore(target, context);
    this.requireBuilt('save');
    const models: Record<string, tf.LayersModel> = {};
    for (const [name, model] of Object.entries(this.models())) {
      if (model === undefined) throw new Error(`${context}: nothing trained yet; call fit() first.`);
      models[name] = model;
    }
    const config = JSON.parse(JSON.stringify(this.config)) as JsonObject;
    await writeInferenceModel(store, () => this.inferenceModel());
    await writeMethodFile(store, { method: this.name, config, inputShape: JSON.parse(this.builtFor!) as JsonValue, epochsTrained: this.epochsTrained, globalStep: this.globalStep, state: this.savedState() }, models);
  }

  /**
   * The portable inference model `save` writes as `inference` beside the method's models (see
   * `train/inference_model.ts`): raw images in [0, 1] in, the embeddings (and, for a clustering
   * method, the chosen sub-head's cluster probabilities) out, standard TF.js layers only, so that
   * plain `tf.loadLayersModel` serves it. A new model each call, which the caller disposes.
   * Default: none.
   */
  protected async inferenceModel(): Promise<tf.LayersModel | undefined> {
    return undefined;
  }

  /**
   * Loads a method written by `save` (or by this library before the one saved format) from a
   * folder (a path or a `file://` URL), a server (`http(s)://` URL of the folder's files), a
   * browser's storage (`indexeddb://`, `localstorage://`) or a {@link ModelStore}, on any backend: `encode` and the like work, and `fit`
   * continues (a checkpoint adds the optimiser state, see `loadCheckpoint`).
   *
   * @throws when there is no saved method of this class, or a file is missing or damaged.
   */
  static async load<M extends MethodCore>(this: MethodClass<M>, source: string | ModelStore): Promise<M> {
    const methodName = this.methodName ?? this.name;
    const store = resolveModelStore(source, `${methodName}.load`);
    const saved = await readMethodFile(store, methodName);
    const method = Reflect.construct(this, [savedMethodConfig(this, saved.config)]) as M;
    const models: Record<string, tf.LayersModel> = {};
    try {
      for (const name of saved.models) models[name] = await store.readModel(name);
      method.restore({ models, state: saved.state, inputShape: saved.inputShape });
    } catch (error) {
      for (const model of Object.values(models)) model.dispose();
      method.dispose();
      throw error;
    }
    method.epochsTrained = saved.epochsTrained;
    method.globalStep = saved.globalStep;
    method.builtFor = JSON.stringify(saved.inputShape);
    return method;
  }

  /**
   * Runs `fn` over `dataset` in batches (inference mode) and gathers the 2-D outputs into one
   * row-major matrix. Every batch's tensors are disposed; nothing is kept on the device.
   */
  protected async mapBatches(dataset: TData, fn: BatchFunction, batchSize = 512): Promise<FeatureMatrix> {
    this.requireUsableWeights('inference');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${this.name}: batchSize must be a positive integer, got ${String(batchSize)}.`);
    this.validate(dataset, 'inference');
    this.requireBuiltShape(dataset, 'inference');
    let data: Float32Array | undefined;
    let cols = 0;
    for (const indices of batchIndices(dataset.size, batchSize, { shuffle: false })) {
      const inputs = this.batchInputs(dataset, indices);
      const output = tf.tidy(() => {
        const out = fn(inputs);
        return out.rank === 2 ? out : out.reshape([indices.length, -1]);
      });
      inputs.dispose();
      const values = (await output.data()) as Float32Array;
      if (data === undefined) {
        cols = output.shape[1] as number;
        data = new Float32Array(dataset.size * cols);
      }
      data.set(values, indices[0] * cols);
      output.dispose();
    }
    return { data: data ?? new Float32Array(0), rows: dataset.size, cols };
  }

  /** The embedding of a batch in inference mode. Methods that embed override it. */
  protected encodeBatch(_inputs: tf.Tensor): tf.Tensor {
    throw new Error(`${this.name} does not produce embeddings.`);
  }

  /** Turns a tensor of inputs into data this method reads. Default: tensors are not taken. */
  protected async dataFromTensor(tensor: tf.Tensor): Promise<TData> {
    throw new Error(`${this.name}: takes its data as a dataset, not a tensor (got a tensor of shape [${tensor.shape}]).`);
  }

  /**
   * Embeds every row of `input` (a dataset, or a tensor of images) with the trained model, in
   * batches, and returns the codes as one row-major `Float32Array` with its dimensions.
   */
  async encode(input: TData | tf.Tensor, options: { batchSize?: number } = {}): Promise<FeatureMatrix> {
    this.requireBuilt('encode');
    checkOptionsObject(options, `${this.name}.encode`);
    const data = await this.inferenceData(input, 'encode');
    return this.mapBatches(data, (x) => this.encodeBatch(x), options.batchSize);
  }

  /**
   * Embeds every row of `input` (a dataset, or a tensor of images) as {@link encode} does — the
   * method's own preprocessing applied (e.g. IIC's centre crop), inference mode — and returns the
   * embeddings as one tensor `[rows, features]` on the backend, which the caller disposes. The
   * input tensor is left to its owner.
   *
   * @throws before `fit` or `load`, on a disposed tensor, bad values or a shape the models were not built for.
   */
  async embed(input: TData | tf.Tensor, options: { batchSize?: number } = {}): Promise<tf.Tensor2D> {
    this.requireBuilt('embed');
    checkOptionsObject(options, `${this.name}.embed`);
    const batchSize = options.batchSize ?? 512;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${this.name}.embed: batchSize must be a positive integer, got ${String(batchSize)}.`);
    const data = await this.inferenceData(input, 'embed');
    const parts: tf.Tensor2D[] = [];
    try {
      for (const indices of batchIndices(data.size, batchSize, { shuffle: false })) {
        const inputs = this.batchInputs(data, indices);
        try {
          parts.push(
            tf.tidy(() => {
              const out = this.encodeBatch(inputs);
              return (out.rank === 2 ? out : out.reshape([indices.length, -1])) as tf.Tensor2D;
            }),
          );
        } finally {
          inputs.dispose();
        }
      }
      return parts.length === 1 ? parts.pop()! : tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  }

  /**
   * The data of an inference call from a dataset or a tensor of inputs, checked (values, and the
   * shape the models were built for) before any tensor reaches a model.
   */
  protected async inferenceData(input: TData | tf.Tensor, what: string): Promise<TData> {
    if (input instanceof tf.Tensor && input.isDisposed) throw new Error(`${this.name}.${what}: the input tensor is disposed.`);
    const data = input instanceof tf.Tensor ? await this.dataFromTensor(input) : input;
    this.validate(data, what);
    this.requireBuiltShape(data, what);
    return data;
  }

  /** Throws a clear error when the method is used before `fit` or `load`, or after its weights became NaN. */
  protected requireBuilt(what: string): void {
    if (!this.isBuilt) throw new Error(`${this.name}.${what}: the model is not trained yet; call fit() or load() first.`);
    this.requireUsableWeights(what);
  }

  /** Throws when an earlier fit left the weights NaN or infinite. */
  protected requireUsableWeights(what: string): void {
    if (this.weightsBroken !== undefined) {
      throw new Error(`${this.name}.${what}: ${this.weightsBroken}, so this method cannot be used any more: create a new one (or load a saved one) and train it with a lower learning rate.`);
    }
  }

  /** Frees the models of {@link models}. Subclasses free what else they hold and call `super.dispose()`. */
  dispose(): void {
    for (const model of Object.values(this.models())) model?.dispose();
  }
}
