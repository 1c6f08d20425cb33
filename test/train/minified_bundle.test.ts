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
 * Autoencoder and an IIC.
 */
const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-minified-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = `
import { Autoencoder, IIC, initBackend } from ${JSON.stringify(path.resolve('src/index.ts'))};
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
console.log('RESULT ' + JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('a minified app bundle', () => {
  it('saves and loads methods although the bundler renamed their classes', async () => {
    const source = path.join(root, 'app.mjs');
    const bundle = path.join(root, 'app.bundle.cjs');
    writeFileSync(source, entry);
    await build({ entryPoints: [source], bundle: true, minify: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error', external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', 'sharp', '@duckdb/node-api'] });
    const child = spawnSync(process.execPath, [bundle], { cwd: root, encoding: 'utf8', env: { ...process.env, TFJS_UNSUPERVISED_BACKEND: 'cpu' } });
    // A minified bundle's stack traces quote whole lines of code: keep the end of stderr only.
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, child.stderr.slice(-2000)).toBeDefined();
    const results = JSON.parse(line!.slice('RESULT '.length)) as Record<string, { className: string; epochsTrained: number }>;
    expect(Object.keys(results).sort()).toEqual(['Autoencoder', 'IIC']);
    for (const [name, { className, epochsTrained }] of Object.entries(results)) {
      // The bundler did rename the class (else this test could not fail), and load still worked.
      expect(className, name).not.toBe(name);
      expect(epochsTrained, name).toBe(1);
    }
  });
});
