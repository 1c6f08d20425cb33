/**
 * A {@link ModelStore} in a browser, on TF.js's own storage: `indexeddb://<key>` (IndexedDB, the
 * store that survives reloads), `localstorage://<key>` (small models), or `downloads://` (the
 * files are downloaded: `method.json`, `<name>.json`, `<name>.weights.bin`, the layout of a folder
 * saved in Node, so the downloaded files put in one folder load in Node with `IIC.load(folder)`).
 */
import * as tf from '@tensorflow/tfjs';

import { checkString } from '../data/checks.js';
import type { ModelStore } from './model_store.js';

/** The URL schemes a {@link BrowserModelStore} writes to. */
export type BrowserStoreScheme = 'indexeddb' | 'localstorage' | 'downloads';

const SCHEMES: readonly BrowserStoreScheme[] = ['indexeddb', 'localstorage', 'downloads'];

/** A method's files in IndexedDB, localStorage, or as downloads. */
export class BrowserModelStore implements ModelStore {
  readonly location: string;
  private readonly scheme: BrowserStoreScheme;

  /**
   * @param url `indexeddb://<key>`, `localstorage://<key>` or `downloads://`.
   * @throws when `url` is not a string with one of these schemes, or outside a browser.
   */
  constructor(url: string) {
    checkString(url, 'url', 'BrowserModelStore');
    const match = /^([a-z]+):\/\/(.*)$/.exec(url);
    if (match === null || !(SCHEMES as readonly string[]).includes(match[1])) {
      throw new Error(`BrowserModelStore: url must start with ${SCHEMES.map((s) => `${s}://`).join(', ')}; got '${url}'.`);
    }
    if (match[1] !== 'downloads' && match[2] === '') throw new Error(`BrowserModelStore: ${match[1]}:// needs a key after it, e.g. '${match[1]}://my-model'.`);
    if (match[1] === 'downloads' && match[2] !== '') {
      throw new Error(`BrowserModelStore: downloads:// takes no name (got '${url}'): the files are named as in a saved folder (method.json, <model>.json, <model>.weights.bin).`);
    }
    if (typeof (globalThis as { document?: unknown }).document === 'undefined' && match[1] !== 'indexeddb') {
      throw new Error(`BrowserModelStore: ${match[1]}:// needs a browser page (document); in Node save to a folder.`);
    }
    this.scheme = match[1] as BrowserStoreScheme;
    this.location = `${this.scheme}://${match[2].replace(/\/+$/, '')}`;
  }

  /** Writes a JSON document: a downloaded `<name>.json`, or an entry of TF.js's IndexedDB / localStorage store. */
  async writeJson(name: string, value: unknown): Promise<void> {
    const url = this.url(name, 'writeJson');
    if (this.scheme === 'downloads') {
      this.download(`${name}.json`, new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
      return;
    }
    // TF.js's stores hold model artifacts: the document travels as the topology of a model without weights.
    await this.handler(url, 'save', 'writeJson').save!({ modelTopology: value as object, weightSpecs: [], weightData: new ArrayBuffer(0) });
  }

  /** Reads a JSON document written by {@link writeJson}; undefined when there is none. Downloads cannot be read back. */
  async readJson<T>(name: string): Promise<T | undefined> {
    const url = this.url(name, 'readJson');
    if (this.scheme === 'downloads') throw new Error(`BrowserModelStore.readJson: ${this.location} only writes (downloads); load the downloaded files from a folder in Node, or from a URL with UrlModelStore.`);
    let artifacts: tf.io.ModelArtifacts;
    try {
      artifacts = await this.handler(url, 'load', 'readJson').load!();
    } catch (error) {
      if (/Cannot find model/i.test((error as Error).message)) return undefined;
      throw new Error(`BrowserModelStore.readJson: cannot read ${url}: ${(error as Error).message}`);
    }
    return artifacts.modelTopology as T;
  }

  /** Writes a Layers model (topology and weights) as `name`. */
  async writeModel(name: string, model: tf.LayersModel): Promise<void> {
    const url = this.url(name, 'writeModel');
    await model.save(this.scheme === 'downloads' ? `downloads://${name}` : url);
  }

  /** Reads the Layers model `name` written by {@link writeModel}. Downloads cannot be read back. */
  async readModel(name: string): Promise<tf.LayersModel> {
    const url = this.url(name, 'readModel');
    if (this.scheme === 'downloads') throw new Error(`BrowserModelStore.readModel: ${this.location} only writes (downloads); load the downloaded files from a folder in Node, or from a URL with UrlModelStore.`);
    try {
      return await tf.loadLayersModel(url);
    } catch (error) {
      throw new Error(`BrowserModelStore.readModel: cannot load ${url}: ${(error as Error).message}`);
    }
  }

  /** The models under this store's key (IndexedDB / localStorage); downloads cannot be listed. */
  async modelNames(): Promise<string[]> {
    if (this.scheme === 'downloads') throw new Error(`BrowserModelStore.modelNames: ${this.location} only writes (downloads).`);
    const prefix = `${this.location}/`;
    const listed = await tf.io.listModels();
    return Object.keys(listed)
      .filter((url) => url.startsWith(prefix) && !url.slice(prefix.length).includes('/'))
      .filter((url) => (listed[url].weightDataBytes ?? 0) > 0)
      .map((url) => url.slice(prefix.length))
      .sort();
  }

  /** A store under `<key>/<name>` (IndexedDB, localStorage); downloads have no folders. */
  child(name: string): ModelStore {
    this.url(name, 'child');
    if (this.scheme === 'downloads') throw new Error(`BrowserModelStore.child: ${this.location} downloads plain files, without folders; save methods with members (AutoencoderClassifier) to indexeddb:// instead.`);
    return new BrowserModelStore(`${this.location}/${name}`);
  }

  /** `<scheme>://<key>/<name>`, after checking that `name` is a plain name. */
  private url(name: string, what: string): string {
    checkString(name, 'name', `BrowserModelStore.${what}`);
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`BrowserModelStore.${what}: name must be a file name without folders, got '${name}'.`);
    return `${this.location}/${name}`;
  }

  private handler(url: string, kind: 'save' | 'load', what: string): tf.io.IOHandler {
    const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
    if (handlers.length === 0) throw new Error(`BrowserModelStore.${what}: TF.js has no ${this.scheme} store here (${this.scheme === 'indexeddb' ? 'no IndexedDB' : 'no localStorage'}).`);
    return handlers[0];
  }

  /** Starts the download of one file (an `<a download>` click). */
  private download(fileName: string, blob: Blob): void {
    const page = globalThis as unknown as { document: { createElement(tag: 'a'): { href: string; download: string; click(): void } } };
    const anchor = page.document.createElement('a');
    const href = URL.createObjectURL(blob);
    anchor.href = href;
    anchor.download = fileName;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(href), 1000);
  }
}
