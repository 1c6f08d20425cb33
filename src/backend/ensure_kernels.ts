/**
 * Kernels for whichever backend is active, however it was chosen.
 *
 * {@link initBackend} registers the wasm gap-fill kernels when it starts wasm, but an app may pick
 * wasm the standard TF.js way (`import '@tensorflow/tfjs-backend-wasm'; await tf.setBackend('wasm')`),
 * possibly after importing this library. Training therefore calls {@link ensureBackendKernels}
 * when it starts: on wasm it registers the gap-fills (without them conv nets cannot train there:
 * `Conv2DBackpropFilter` is missing); on the pure-JS `cpu` backend it warns once that training
 * will be slow, naming the faster backends that are installed and how to choose one.
 *
 * This module imports no Node.js module (it runs in browsers too); in Node it finds installed
 * packages through `process.getBuiltinModule('node:module')`.
 */
import * as tf from '@tensorflow/tfjs';

import { isPackageInstalled } from '../core/environment.js';
import { registerCpuGapFillKernels } from './cpu_kernels/index.js';
import { registerWasmGapFillKernels } from './wasm_kernels/index.js';

/** The backends faster than `cpu`, with their npm package and how to choose one after installing it. */
export const FASTER_BACKENDS: ReadonlyArray<{ name: string; packageName: string; howToChoose: string }> = [
  { name: 'tensorflow', packageName: '@tensorflow/tfjs-node-gpu', howToChoose: "import '@tensorflow/tfjs-node-gpu' (CUDA), or initBackend({ backend: 'tensorflow' })" },
  { name: 'tensorflow', packageName: '@tensorflow/tfjs-node', howToChoose: "import '@tensorflow/tfjs-node', or initBackend({ backend: 'tensorflow' })" },
  { name: 'webgpu', packageName: '@tensorflow/tfjs-backend-webgpu', howToChoose: "import '@tensorflow/tfjs-backend-webgpu'; await tf.setBackend('webgpu') (in Node also the webgpu package), or initBackend({ backend: 'webgpu' })" },
  { name: 'webgl', packageName: '@tensorflow/tfjs-backend-webgl', howToChoose: "await tf.setBackend('webgl') (browsers)" },
  { name: 'wasm', packageName: '@tensorflow/tfjs-backend-wasm', howToChoose: "import '@tensorflow/tfjs-backend-wasm'; await tf.setBackend('wasm'), or initBackend({ backend: 'wasm' })" },
];

let cpuWarningGiven = false;

/**
 * The faster backends that could be used here: those whose package registered a backend with this
 * TF.js (it was imported) or can be resolved from this library (it is installed), in speed order.
 * The pure-JS `cpu` backend is never listed.
 */
export function fasterBackendsAvailable(): Array<{ name: string; packageName: string; howToChoose: string }> {
  const registered = new Set(Object.keys(tf.engine().registryFactory));
  return FASTER_BACKENDS.filter((backend) => {
    // webgl registers itself in Node too (with @tensorflow/tfjs), where it cannot run.
    if (backend.name === 'webgl') return registered.has('webgl') && typeof (globalThis as { document?: unknown }).document !== 'undefined';
    return registered.has(backend.name) || isPackageInstalled(backend.packageName);
  });
}

/** The text of the warning {@link ensureBackendKernels} gives once on the `cpu` backend. */
export function cpuBackendWarning(context: string): string {
  const faster = fasterBackendsAvailable();
  const advice =
    faster.length > 0
      ? `Faster backends installed here: ${faster.map((backend) => `${backend.packageName} (${backend.howToChoose})`).join('; ')}.`
      : "Install one, e.g. npm install @tensorflow/tfjs-backend-wasm, then call initBackend() or import '@tensorflow/tfjs-backend-wasm'; await tf.setBackend('wasm').";
  return (
    `${context}: training on TensorFlow.js's pure-JavaScript 'cpu' backend, typically about 100 times slower than wasm. ${advice} ` +
    `(Set TFJS_UNSUPERVISED_BACKEND=cpu to choose cpu on purpose and silence this warning.)`
  );
}

/**
 * Prepares the active backend for training; called where `fit` starts.
 *
 * - `wasm`: registers this library's gap-fill kernels ({@link registerWasmGapFillKernels}; they
 *   replace wasm's `BatchMatMul`, `_FusedMatMul`, `Sum`, `Mean`, `MaxPoolGrad` and stride-1
 *   `Conv2DBackpropInput` for the whole app, and add the missing `Conv2DBackpropFilter` and
 *   `UnsortedSegmentSum`), once, whoever started wasm.
 * - `cpu`: registers the corrected `Transform` ({@link registerCpuGapFillKernels}: the built-in
 *   one transforms only the first image of a batch), once, whoever started cpu; and
 *   warns once per process (console.warn) that training will be slow, naming the faster
 *   backends installed here and how to choose one; not when `TFJS_UNSUPERVISED_BACKEND=cpu`.
 * - other backends: nothing.
 *
 * @param context who is asking, for the warning (e.g. `IIC.fit`).
 */
export function ensureBackendKernels(context: string = 'fit'): void {
  const name = tf.getBackend();
  if (name === 'wasm') {
    registerWasmGapFillKernels();
  } else if (name === 'cpu') {
    registerCpuGapFillKernels();
    if (cpuWarningGiven) return;
    cpuWarningGiven = true;
    const chosen = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TFJS_UNSUPERVISED_BACKEND;
    if (chosen?.trim().toLowerCase() === 'cpu') return;
    console.warn(cpuBackendWarning(context));
  }
}
