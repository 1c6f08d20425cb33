/**
 * Falling back in a page (the browser bundle in Chromium) when backends are missing: a page without
 * WebGPU and WebGL (Chromium started without the WebGPU flags, with --disable-webgl, --disable-gpu and --disable-software-rasterizer) and
 * without the .wasm files beside the bundle. initBackend({ backend: 'wasm' }) names the URLs it
 * tried and their HTTP status; `auto` ends on cpu and says why it passed over the others.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WASM_FILES } from '../../src/backend/wasm_location.js';
import { CHROMIUM_ARGS, browserTestsRun, buildBrowserBundle, launchChromium, requireChromium, serveFolder } from './helpers.js';

const runs = browserTestsRun('test/browser/wasm_location.test.ts');
const folder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-no-wasm-'));
let server: Server | undefined;
let origin = '';
let context: BrowserContext | undefined;
let page: Page;

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  await buildBrowserBundle(folder);
  for (const name of WASM_FILES) unlinkSync(path.join(folder, name));
  writeFileSync(path.join(folder, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "./tfjs-unsupervised.js"; window.lib = lib;</script>');
  ({ server, origin } = await serveFolder(folder));
  const withoutGpu = [...CHROMIUM_ARGS.filter((arg) => !/webgpu/.test(arg)), '--disable-webgl', '--disable-webgl2', '--disable-gpu', '--disable-software-rasterizer'];
  context = await launchChromium(withoutGpu);
  page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as { lib?: unknown }).lib !== undefined, undefined, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(!runs)('a page without WebGPU, WebGL or the .wasm files', () => {
  it('wasm by name names the missing .wasm URLs; auto falls back to cpu and says why', async () => {
    const result = await page.evaluate(async () => {
      const lib = (globalThis as unknown as { lib: typeof import('../../src/browser.js') }).lib;
      const wasm = await lib.initBackend({ backend: 'wasm' }).then(() => 'started', (error: Error) => error.message);
      const auto = await lib.initBackend();
      return { wasm, auto, line: lib.formatBackendInfo(auto) };
    });
    console.log(`wasm: ${result.wasm}\nauto: ${result.line}`);
    for (const name of WASM_FILES) expect(result.wasm).toContain(`${origin}/${name} answered HTTP 404`);
    expect(result.wasm).toMatch(/^Backend 'wasm' \(from initBackend\(\{ backend \}\)\) could not start: setBackend\("wasm"\) failed: .*\(serve the \.wasm files beside tfjs-unsupervised\.js\)\. Try 'cpu'\.$/);
    expect(result.auto.name).toBe('cpu');
    expect(result.auto.fallback).toMatch(/^webgpu: navigator\.gpu (is absent|gave no adapter): .*; webgl: .*; wasm: setBackend\("wasm"\) failed: .*answered HTTP 404/);
  });
});
