// Loads a saved method's inference model with bare TF.js (no import of tfjs-unsupervised) on
// wasm and writes its outputs for the images given. Used by inference_model.test.ts.
//   node inference_model_child.mjs <folder> <images.bin> <shape json> <out.json>
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const [folder, imagesFile, shapeText, outFile] = process.argv.slice(2);
await tf.setBackend('wasm');
const modelJson = JSON.parse(readFileSync(path.join(folder, 'inference.json'), 'utf8'));
const weightBytes = modelJson.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(path.join(folder, p))));
const weightData = new Uint8Array(weightBytes.reduce((sum, b) => sum + b.length, 0));
let offset = 0;
for (const bytes of weightBytes) {
  weightData.set(bytes, offset);
  offset += bytes.length;
}
const model = await tf.loadLayersModel({
  load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights), weightData: weightData.buffer }),
});
const bytes = readFileSync(imagesFile);
const images = tf.tensor4d(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), JSON.parse(shapeText));
const outputs = [model.predict(images)].flat();
const classNames = [];
const collect = (layers) => {
  for (const layer of layers) {
    classNames.push(layer.getClassName());
    if (Array.isArray(layer.layers)) collect(layer.layers);
  }
};
collect(model.layers);
writeFileSync(outFile, JSON.stringify({ backend: tf.getBackend(), classNames, outputs: outputs.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })) }));
