import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * An app bundler that minifies names (a production build) renames the method classes, so `load`
 * must not rely on the class's own name: each method carries a fixed `methodName`. The app is
 * bundled with esbuild --minify and run in a child process: it trains, saves and loads an
 * Autoencoder and an IIC. Errors that describe a wrong argument by its class name it the same way
 * (methodName, or TF.js's registered class name), not by the mangled constructor name.
 */
const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-minified-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = `
import { Autoencoder, IIC, initBackend, validateDataset } from ${JSON.stringify(path.resolve('src/index.ts'))};
import * as tf from ${JSON.stringify(path.resolve('node_modules/@tensorflow/tfjs'))};
(async () => {
await initBackend({ backend: 'cpu' });
const size = 8;
const images = new Float32Array(size * 28 * 28).map((_, i) => ((i * 7919) % 101) / 101);
const data = { images, shape: [28, 28, 1], size };
const results = {};
for (const [Method, options, fitOptions] of [
  [Autoencoder, { layers: [784, 8], seed: 0 }, { epochs: 1, batchSize: 4 }],
  [IIC, { backbone: [4, 'M'], subHeads: 1, overclusterK: 0, seed: 0 }, { epochs: 1, batchSize: 8 }],
]) {
  const method = new Method(options);
  await method.fit(data, { ...fitOptions, progress: 'none' });
  const folder = ${JSON.stringify(root)} + '/' + method.name;
  await method.save(folder);
  const loaded = await Method.load(folder);
  results[method.name] = { className: Method.name, epochsTrained: loaded.epochsTrained };
}
// Errors that describe a wrong argument by its class (here a dataset whose images are not a Float32Array).
const sequential = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
const input = tf.input({ shape: [2] });
const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) });
const wrongImages = [new Autoencoder({ layers: [4, 2], seed: 0 }), new IIC({ seed: 0 }), sequential, functional, sequential.layers[0], tf.train.adam()];
results.errors = wrongImages.map((images) => { try { validateDataset({ images, shape: [2, 2, 1], size: 1 }); return 'no error'; } catch (error) { return error.message; } });
results.classNames = wrongImages.map((value) => value.constructor.name);
console.log('RESULT ' + JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('a minified app bundle', () => {
  it('saves and loads methods, and errors name classes, although the bundler renamed them', async () => {
    const source = path.join(root, 'app.mjs');
    const bundle = path.join(root, 'app.bundle.cjs');
    writeFileSync(source, entry);
    await build({ entryPoints: [source], bundle: true, minify: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error', external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', 'sharp', '@duckdb/node-api'] });
    const child = spawnSync(process.execPath, [bundle], { cwd: root, encoding: 'utf8', env: { ...process.env, TFJS_UNSUPERVISED_BACKEND: 'cpu' } });
    // A minified bundle's stack traces quote whole lines of code: keep the end of stderr only.
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, child.stderr.slice(-2000)).toBeDefined();
    const { errors, classNames, ...results } = JSON.parse(line!.slice('RESULT '.length)) as Record<string, { className: string; epochsTrained: number }> & { errors: string[]; classNames: string[] };
    expect(Object.keys(results).sort()).toEqual(['Autoencoder', 'IIC']);
    // Errors name the classes by their methodName or TF.js's registered name, not the mangled ones.
    const names = ['Autoencoder', 'IIC', 'Sequential', 'LayersModel', 'Dense', 'AdamOptimizer'];
    expect(errors).toEqual(names.map((name) => `dataset: images must be a Float32Array (NHWC, values in [0, 1]), got ${name}.`));
    // The bundler did rename these classes too (else the check above could not fail).
    for (const [i, name] of names.entries()) expect(classNames[i], name).not.toBe(name);
    for (const [name, { className, epochsTrained }] of Object.entries(results)) {
      // The bundler did rename the class (else this test could not fail), and load still worked.
      expect(className, name).not.toBe(name);
      expect(epochsTrained, name).toBe(1);
    }
  });
});
