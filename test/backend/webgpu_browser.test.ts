/**
 * The webgpu backend's browser path: src/backend/webgpu.ts bundled for the browser (esbuild; its
 * Node-only imports — `webgpu`, node:fs, node:os — left out, as they are only reached in Node),
 * served from http://localhost (WebGPU needs a secure context) to headless Chromium with its
 * SwiftShader WebGPU adapter (Debian's chromium package, driven by playwright-core). The page
 * probes navigator.gpu, starts tfjs-backend-webgpu with this library's kernels and computes a
 * conv2d filter gradient, compared here with the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/backend/init_backend.js';
import { browserTestsRun, CHROMIUM, requireChromium } from '../browser/helpers.js';
import { relativeError } from './kernel_grid.js';

const runs = browserTestsRun('test/backend/webgpu_browser.test.ts');
const directory = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-browser-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const xValues = Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i * 0.37));
const dyValues = Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => Math.cos(i * 0.21));

/** The page: probe, start, compute, and leave the outcome in window.result. */
const PAGE_SCRIPT = `
import * as tf from '@tensorflow/tfjs';
import { probeWebGpu, startWebGpuBackend } from ${JSON.stringify(fileURLToPath(new URL('../../src/backend/webgpu.ts', import.meta.url)))};
window.result = (async () => {
  try {
    const probe = await probeWebGpu(true);
    if (!probe.ok) return { error: probe.reason };
    await startWebGpuBackend();
    const x = tf.tensor4d(${JSON.stringify(xValues)}, [2, 7, 7, 3]);
    const dy = tf.tensor4d(${JSON.stringify(dyValues)}, [2, 4, 4, 4]);
    const grad = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
    return { adapter: probe.adapter, backend: tf.getBackend(), grad: Array.from(await grad.data()), hasProcess: typeof process !== 'undefined' };
  } catch (error) {
    return { error: String(error && error.stack || error) };
  }
})();
`;

describe.skipIf(!runs)('webgpu in a browser (headless Chromium, SwiftShader adapter)', () => {
  it('starts on navigator.gpu without Node modules, with this library’s kernels, and agrees with cpu', async () => {
    requireChromium();
    const esbuild = await import('esbuild');
    await esbuild.build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile: path.join(directory, 'page.js'),
      external: ['webgpu', 'node:*'],
      logLevel: 'error',
    });
    const bundle = readFileSync(path.join(directory, 'page.js'), 'utf8');
    // The Node-only modules are referenced only by dynamic imports that the browser never reaches.
    expect(bundle).not.toMatch(/^import .* from ["']node:/m);
    writeFileSync(path.join(directory, 'index.html'), '<!doctype html><script type="module" src="page.js"></script>');
    const server = createServer((request, response) => {
      const file = request.url === '/page.js' ? 'page.js' : 'index.html';
      response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
      response.end(readFileSync(path.join(directory, file)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined);
      const result = (await page.evaluate(() => (globalThis as unknown as { result: Promise<unknown> }).result)) as {
        error?: string;
        adapter?: { software: boolean; architecture: string };
        backend?: string;
        grad?: number[];
        hasProcess?: boolean;
      };
      expect(result.error).toBeUndefined();
      expect(result.backend).toBe('webgpu');
      expect(result.hasProcess).toBe(false);
      expect(result.adapter?.software).toBe(true);
      console.log(`browser adapter: ${JSON.stringify(result.adapter)}`);
      await initBackend({ backend: 'cpu' });
      const expected = tf.tidy(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xValues, [2, 7, 7, 3]), dy: tf.tensor4d(dyValues, [2, 4, 4, 4]) }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] } as unknown as tf.NamedAttrMap) as tf.Tensor,
      );
      expect(relativeError(result.grad ?? [], await expected.data())).toBeLessThanOrEqual(1e-4);
      expected.dispose();
    } finally {
      await browser.close();
      server.close();
    }
  });
});
