/**
 * Shared by the browser tests: the browser bundle built into a temporary folder (as
 * scripts/build_browser.mjs builds dist/browser), a static file server with the COOP/COEP headers
 * (so the page is cross-origin isolated: threaded wasm), and Debian's chromium through
 * playwright-core with the flags that keep it off the network and give it a SwiftShader WebGPU
 * adapter.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Whether the browser tests run here: chromium installed. Without it they are skipped with a
 * message, except under CI=true, where they run and fail naming the missing browser.
 */
export function browserTestsRun(testFile: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') return true;
  console.warn(`SKIPPED ${testFile}: no ${CHROMIUM} (apt-get install -y chromium). CI=true makes this a failure.`);
  return false;
}

/** Throws when chromium is missing (reached only under CI=true). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`CI=true and no ${CHROMIUM}: apt-get install -y chromium`);
}

/**
 * Builds src/browser.ts into `folder`/tfjs-unsupervised.js with the wasm binaries beside it, exactly
 * as `npm run build` builds dist/browser (scripts/build_browser.mjs: fully minified).
 */
export async function buildBrowserBundle(folder: string): Promise<string> {
  const script = path.join(root, 'scripts', 'build_browser.mjs');
  const { writeBrowserBundle } = (await import(script)) as { writeBrowserBundle: (folder: string) => Promise<{ bundle: string }> };
  return (await writeBrowserBundle(folder)).bundle;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.png': 'image/png',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so threaded wasm). */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * A static server of `folder` on 127.0.0.1 at a random port, with COOP/COEP unless `isolated` is
 * false; 404 for what is not there. `requested` lists each path asked for with its status.
 */
export async function serveFolder(folder: string, { isolated = true }: { isolated?: boolean } = {}): Promise<{ server: Server; origin: string; requested: string[] }> {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(folder, url === '/' ? 'index.html' : url);
    const headers = { ...(isolated ? ISOLATION_HEADERS : {}), 'Cache-Control': 'no-store' };
    if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) {
      requested.push(`${url} 404`);
      response.writeHead(404, 'Not Found', headers).end();
      return;
    }
    requested.push(`${url} 200`);
    response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requested };
}

/** Chromium's flags: a SwiftShader WebGPU adapter, and nothing that reaches outside hosts. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Headless chromium with a fresh user-data folder; `args` replaces {@link CHROMIUM_ARGS}. */
export async function launchChromium(args: string[] = CHROMIUM_ARGS): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const userData = mkdtempSync(path.join(tmpdir(), 'tfjs-unsupervised-chromium-'));
  return chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, headless: true, args });
}

/** The page of the bundle tests: it imports the bundle beside it and leaves its exports in window.lib. */
export const LIBRARY_PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "./tfjs-unsupervised.js"; window.lib = lib;</script>';

/** A page open in chromium on the bundle served from a folder. */
export interface LibraryPage {
  server: Server;
  origin: string;
  /** Each path the page asked the server for, with the status it got (`/tfjs-unsupervised.js 200`). */
  requested: string[];
  context: BrowserContext;
  page: Page;
}

/**
 * Writes {@link LIBRARY_PAGE} as `folder`/index.html, serves `folder` ({@link serveFolder}; without
 * the COOP/COEP headers when `isolated` is false), launches chromium ({@link launchChromium}; `args`
 * replaces {@link CHROMIUM_ARGS}), opens the page and waits (at most 60 s) until window.lib is
 * there. `onPageError` hears uncaught page errors from before the page loads. When any step
 * fails, chromium and the server are closed again.
 */
export async function openLibraryPage(folder: string, options: { args?: string[]; isolated?: boolean; onPageError?: (error: Error) => void } = {}): Promise<LibraryPage> {
  writeFileSync(path.join(folder, 'index.html'), LIBRARY_PAGE);
  const { server, origin, requested } = await serveFolder(folder, { isolated: options.isolated });
  let context: BrowserContext | undefined;
  try {
    context = await launchChromium(options.args);
    const page = await context.newPage();
    if (options.onPageError) page.on('pageerror', options.onPageError);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as { lib?: unknown }).lib !== undefined, undefined, { timeout: 60_000 });
    return { server, origin, requested, context, page };
  } catch (error) {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
}

/** Closes chromium and the server of `opened` (when it was opened) and removes `folder`. */
export async function closeLibraryPage(opened: LibraryPage | undefined, folder: string): Promise<void> {
  await opened?.context.close();
  await new Promise((resolve) => (opened ? opened.server.close(resolve) : resolve(undefined)));
  rmSync(folder, { recursive: true, force: true });
}
