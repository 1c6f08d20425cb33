import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeImageFiles } from '../../src/data/image_decode_browser.js';
import { loadImageFolder } from '../../src/data/image_folder.js';

/**
 * decodeImageFiles in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * the function bundled for the browser by esbuild, served with the images from 127.0.0.1, run on
 * File objects, and compared with loadImageFolder (sharp) on the same files. Skipped with a
 * message when Chromium is absent, but never when CI=true (CI installs it).
 */

const CHROMIUM = '/usr/bin/chromium';
const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable) {
  if (process.env.CI === 'true') throw new Error(`image_decode_browser.test: CI=true but ${CHROMIUM} is missing (apt-get install chromium).`);
  console.warn(`image_decode_browser.test: SKIPPING the browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);
}

const root = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-browser-decode-'));
const folder = path.join(root, 'images');
const files = ['a_grey.png', 'b_wide.png', 'c_photo.jpg', 'd_broken.png'];
let server: Server | undefined;
let context: BrowserContext | undefined;
let browser: Browser | undefined;
let origin = '';

beforeAll(async () => {
  if (!chromiumAvailable) return;
  mkdirSync(folder, { recursive: true });
  const grey = Buffer.alloc(36);
  for (let i = 0; i < 36; i++) grey[i] = 7 * i;
  await sharp(grey, { raw: { width: 6, height: 6, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(folder, files[0]));
  // 6 high × 12 wide RGB, column x = (20 x, 255 − 20 x, 100): the centre crop keeps columns 3..8.
  const wide = Buffer.alloc(6 * 12 * 3);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 12; x++) wide.set([20 * x, 255 - 20 * x, 100], (y * 12 + x) * 3);
  await sharp(wide, { raw: { width: 12, height: 6, channels: 3 } }).png().toFile(path.join(folder, files[1]));
  await sharp(Buffer.alloc(6 * 6 * 3, 128), { raw: { width: 6, height: 6, channels: 3 } }).jpeg({ quality: 95 }).toFile(path.join(folder, files[2]));
  writeFileSync(path.join(folder, files[3]), 'not an image');

  const source = fileURLToPath(new URL('../../src/data/image_decode_browser.ts', import.meta.url));
  const bundle = await build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const script = `${bundle.outputFiles[0].text}`;
  const page = '<!doctype html><meta charset="utf-8"><title>decode</title><script type="module">import { decodeImageFiles } from "/decode.js"; window.decodeImageFiles = decodeImageFiles; window.ready = true;</script>';
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (url === '/decode.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (url.startsWith('/images/') && files.includes(url.slice(8))) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path.join(folder, url.slice(8))));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  browser = context.browser() ?? undefined;
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(root, { recursive: true, force: true });
});

interface PageResult {
  shape: number[];
  size: number;
  ids: string[];
  bytes: number[];
  skipped: string[];
  warnings: string[];
  labels: number[] | null;
}

/** Decodes the served files in the page with `options` (JSON); an error comes back as its message. */
async function decodeInPage(options: Record<string, unknown>): Promise<PageResult | string> {
  const page = await context!.newPage();
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    return await page.evaluate(
      async ({ names, options }) => {
        const decode = (globalThis as unknown as { decodeImageFiles: typeof decodeImageFiles }).decodeImageFiles;
        const blobs = await Promise.all(names.map(async (name) => new File([await (await fetch(`/images/${name}`)).blob()], name)));
        const warnings: string[] = [];
        try {
          const result = await decode(blobs, { ...options, onWarning: (message: string) => warnings.push(message) });
          return {
            shape: result.shape,
            size: result.size,
            ids: result.ids,
            bytes: Array.from(result.images, (v) => Math.round(v * 255)),
            skipped: result.skipped.map((s) => s.file),
            warnings,
            labels: result.labels ? Array.from(result.labels) : null,
          };
        } catch (error) {
          return (error as Error).message;
        }
      },
      { names: files, options },
    );
  } finally {
    await page.close();
  }
}

describe.skipIf(!chromiumAvailable)('decodeImageFiles in headless Chromium', () => {
  it('RGB: the resize policy and pixels match loadImageFolder (PNG exactly, JPEG within 3); a broken file is skipped with a warning', async () => {
    const result = await decodeInPage({ size: [6, 6], channels: 3, labels: [0, 1, 2, 3] });
    expect(typeof result, String(result)).toBe('object');
    const decoded = result as PageResult;
    expect(decoded.shape).toEqual([6, 6, 3]);
    expect(decoded.ids).toEqual(files.slice(0, 3));
    expect(decoded.labels).toEqual([0, 1, 2]);
    expect(decoded.skipped).toEqual(['d_broken.png']);
    expect(decoded.warnings).toHaveLength(1);
    expect(decoded.warnings[0]).toMatch(/decodeImageFiles: skipped 1 file that could not be decoded: d_broken\.png/);
    const node = await loadImageFolder(folder, { size: [6, 6], channels: 3, onWarning: () => undefined });
    expect(node.ids).toEqual(decoded.ids);
    const nodeBytes = Array.from(node.images, (v) => Math.round(v * 255));
    const d = 6 * 6 * 3;
    // The grey PNG and the cropped wide PNG: bit for bit.
    expect(decoded.bytes.slice(0, 2 * d)).toEqual(nodeBytes.slice(0, 2 * d));
    expect(decoded.bytes.slice(d, d + 3)).toEqual([60, 195, 100]);
    // The JPEG: decoders may differ by a little.
    for (let i = 2 * d; i < 3 * d; i++) expect(Math.abs(decoded.bytes[i] - nodeBytes[i])).toBeLessThanOrEqual(3);
  });

  it('grey: a grey PNG of the output size round-trips bit for bit; strict names the broken file', async () => {
    const result = (await decodeInPage({ size: [6, 6], channels: 1 })) as PageResult;
    expect(result.shape).toEqual([6, 6, 1]);
    expect(result.bytes.slice(0, 36)).toEqual(Array.from({ length: 36 }, (_, i) => 7 * i));
    const strict = await decodeInPage({ size: [6, 6], strict: true });
    expect(strict).toMatch(/^decodeImageFiles: cannot decode d_broken\.png: /);
    const tooBig = await decodeInPage({ size: [6, 0] });
    expect(tooBig).toMatch(/decodeImageFiles: size must be \[height, width\] of positive integers/);
  });
});

describe('decodeImageFiles outside a browser', () => {
  it('names what it needs and what to use in Node', async () => {
    await expect(decodeImageFiles([new Blob([new Uint8Array(4)])])).rejects.toThrow(/decodeImageFiles: needs createImageBitmap and OffscreenCanvas .* in Node use loadImageFolder/);
    await expect(decodeImageFiles([])).rejects.toThrow(/decodeImageFiles: blobs must be a non-empty list of Blob or File objects/);
  });
});
