/**
 * Falling back in a page (the browser bundle in Chromium) when backends are missing: a page without
 * WebGPU and WebGL (Chromium started without the WebGPU flags, with --disable-webgl, --disable-gpu and --disable-software-rasterizer) and
 * without the .wasm files beside the bundle. initBackend({ backend: 'wasm' }) names the URLs it
 * tried and their HTTP status; `auto` ends on cpu and says why it passed over the others.
 */
import { mkdtempSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WASM_FILES } from '../../src/backend/wasm_location.js';
import { CHROMIUM_ARGS, browserTestsRun, buildBrowserBundle, closeLibraryPage, openLibraryPage, requireChromium } from './helpers.js';
import type { LibraryPage } from './helpers.js';

const runs = browserTestsRun('test/browser/wasm_location.test.ts');
const folder = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-no-wasm-'));
let opened: LibraryPage | undefined;
let origin = '';
let page: Page;

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  await buildBrowserBundle(folder);
  for (const name of WASM_FILES) unlinkSync(path.join(folder, name));
  const withoutGpu = [...CHROMIUM_ARGS.filter((arg) => !/webgpu/.test(arg)), '--disable-webgl', '--disable-webgl2', '--disable-gpu', '--disable-software-rasterizer'];
  opened = await openLibraryPage(folder, { args: withoutGpu });
  ({ origin, page } = opened);
}, 120_000);

afterAll(() => closeLibraryPage(opened, folder));

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
