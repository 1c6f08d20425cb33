/**
 * The entry of the self-contained browser bundle `dist/browser/tfjs-unsupervised.js` (built by
 * scripts/build_browser.mjs; not an entry of the npm package's exports): everything the core entry
 * exports, plus `tf` itself, with TF.js (core, layers, the cpu, webgl, wasm and webgpu backends)
 * inside. For a `<script type="module">` or a CDN, as TF.js ships `tf.min.js`; apps with a bundler
 * import `tfjs-unsupervised` instead and bring their own single copy of TF.js.
 *
 * The wasm backend loads its `.wasm` files from the bundle's own folder (they are copied beside it),
 * whatever page imports it.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { recordWasmFolder } from './backend/wasm_location.js';

const wasmFolder = new URL('./', import.meta.url).href;
setWasmPaths(wasmFolder);
recordWasmFolder(wasmFolder);

export * from './index.js';
export { tf };
