/**
 * tfjs-unsupervised: unsupervised representation learning for TensorFlow.js.
 *
 * The public API, re-exported by name from each layer of the library.
 */
export * from './backend/index.js';
export * from './data/index.js';
export * from './nn/index.js';
export * from './losses/index.js';
export * from './cluster/index.js';
export * from './metrics/index.js';
export * from './probes/index.js';
export * from './train/index.js';
export * from './methods/index.js';
