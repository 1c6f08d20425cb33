/**
 * A {@link ModelStore} that reads a saved method's files over HTTP(S): the folder a method saved
 * in Node (`method.json`, `<name>.json`, `<name>.weights.bin`), served by any web server, loads in
 * a browser page (or in Node) with `IIC.load(new UrlModelStore('https://host/models/iic'))`.
 * Browser-safe: it only uses `fetch`.
 */
import * as tf from '@tensorflow/tfjs';

import { checkString } from '../data/checks.js';
import type { ModelStore } from './model_store.js';

/** The fetch function a {@link UrlModelStore} uses (the global `fetch` by default). */
export type FetchFunction = (url: string) => Promise<Response>;

/** The parts of a TF.js `model.json` this store reads. */
interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** A read-only store of files under a base URL: `<url>/<name>.json`, `<url>/<name>.weights.bin`. */
export class UrlModelStore implements ModelStore {
  readonly location: string;
  private readonly fetchFunction: FetchFunction;

  /**
   * @param url the folder's URL (absolute, or relative to the page); a trailing `/` is ignored.
   * @param fetchFunction the fetch to use. Default: the global `fetch`.
   * @throws when `url` is not a non-empty string, or no fetch is available.
   */
  constructor(url: string, fetchFunction?: FetchFunction) {
    checkString(url, 'url', 'UrlModelStore');
    if (fetchFunction !== undefined && typeof fetchFunction !== 'function') throw new Error('UrlModelStore: fetchFunction must be a function (url) => Promise<Response>.');
    const fetchToUse = fetchFunction ?? (typeof fetch === 'function' ? (target: string) => fetch(target) : undefined);
    if (fetchToUse === undefined) throw new Error('UrlModelStore: no fetch function here; pass one as the second argument.');
    this.location = url.replace(/\/+$/, '');
    this.fetchFunction = fetchToUse;
  }

  /** Always throws: files served over HTTP are read-only here. */
  async writeJson(name: string): Promise<void> {
    this.url(name, 'writeJson', '.json');
    throw new Error(`UrlModelStore.writeJson: ${this.location} is read-only (files served over HTTP); save to a folder in Node or to another ModelStore.`);
  }

  /** Reads `<url>/<name>.json`; undefined when the server answers 404. */
  async readJson<T>(name: string): Promise<T | undefined> {
    const url = this.url(name, 'readJson', '.json');
    const response = await this.get(url, 'readJson', true);
    if (response === undefined) return undefined;
    return (await this.parseJson(response, url, 'readJson')) as T;
  }

  /** Always throws: files served over HTTP are read-only here. */
  async writeModel(name: string): Promise<void> {
    this.url(name, 'writeModel', '.json');
    throw new Error(`UrlModelStore.writeModel: ${this.location} is read-only (files served over HTTP); save to a folder in Node or to another ModelStore.`);
  }

  /** Reads the Layers model `<url>/<name>.json` and the weight files its manifest names (relative to it). */
  async readModel(name: string): Promise<tf.LayersModel> {
    const url = this.url(name, 'readModel', '.json');
    const modelJson = (await this.parseJson((await this.get(url, 'readModel', false))!, url, 'readModel')) as ModelJson;
    if (modelJson === null || typeof modelJson !== 'object' || !Array.isArray(modelJson.weightsManifest) || modelJson.modelTopology === undefined) {
      throw new Error(`UrlModelStore.readModel: ${url} is not a TF.js Layers model (no modelTopology or weightsManifest).`);
    }
    const chunks: Uint8Array[] = [];
    const weightSpecs: tf.io.WeightsManifestEntry[] = [];
    const folder = url.slice(0, url.lastIndexOf('/') + 1);
    for (const group of modelJson.weightsManifest) {
      for (const relative of group.paths) {
        const weightsUrl = folder + relative;
        chunks.push(new Uint8Array(await (await this.get(weightsUrl, 'readModel', false))!.arrayBuffer()));
      }
      weightSpecs.push(...group.weights);
    }
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const weightData = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      weightData.set(chunk, offset);
      offset += chunk.length;
    }
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: weightData.buffer }));
  }

  /** Always throws: a folder cannot be listed over HTTP (the method JSON lists its models). */
  async modelNames(): Promise<string[]> {
    throw new Error(`UrlModelStore.modelNames: ${this.location} cannot be listed over HTTP; only saves whose method.json lists their models load from a URL.`);
  }

  /** The store of `<url>/<name>`. */
  child(name: string): ModelStore {
    this.url(name, 'child', '');
    return new UrlModelStore(`${this.location}/${encodeURIComponent(name)}`, this.fetchFunction);
  }

  /** `<url>/<name><extension>`, after checking that `name` is a plain file name. */
  private url(name: string, what: string, extension: string): string {
    checkString(name, 'name', `UrlModelStore.${what}`);
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`UrlModelStore.${what}: name must be a file name without folders, got '${name}'.`);
    return `${this.location}/${encodeURIComponent(name)}${extension}`;
  }

  /** GETs `url`; undefined on 404 when `missingIsUndefined`, else an error naming the URL and the status. */
  private async get(url: string, what: string, missingIsUndefined: boolean): Promise<Response | undefined> {
    let response: Response;
    try {
      response = await this.fetchFunction(url);
    } catch (error) {
      throw new Error(`UrlModelStore.${what}: cannot fetch ${url}: ${(error as Error).message}.`);
    }
    if (response.status === 404 && missingIsUndefined) return undefined;
    if (!response.ok) throw new Error(`UrlModelStore.${what}: ${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`);
    return response;
  }

  private async parseJson(response: Response, url: string, what: string): Promise<unknown> {
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`UrlModelStore.${what}: ${url} is not valid JSON (${(error as Error).message}).`);
    }
  }
}
