/**
 * The browser demo (examples/browser/, `npm run demo`): the server starts and prints its URL, and
 * the page, in headless Chromium, trains the autoencoder on MNIST (500 images, one epoch) in a Web
 * Worker on wasm, webgl and webgpu (SwiftShader) to the end of its first epoch and shows a score,
 * with no main-thread task of 200 ms or more (Long Tasks API); on wasm the model saved to IndexedDB
 * loads back with the same scores; IIC trains an epoch too. The server sends COOP/COEP, so on wasm
 * the worker runs a thread per core (at most 8); ?threads=1 runs one, with the same first-epoch
 * loss as ?threads=2. Time to the first epoch is printed for each backend (and thread count); a screenshot of the finished page is kept in
 * test/browser/.artifacts/demo.png (not committed) to look at.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserTestsRun, launchChromium, requireChromium, root } from './helpers.js';

const runs = browserTestsRun('test/browser/demo.test.ts');
let server: ChildProcess | undefined;
let url = '';
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!runs) return;
  requireChromium();
  server = spawn(process.execPath, [path.join(root, 'examples', 'browser', 'serve.mjs'), '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  server.stderr!.on('data', (chunk) => (errors += String(chunk)));
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    server!.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /demo: (http:\/\/\S+\/)/.exec(output);
      if (match) resolve(match[1]);
    });
    server!.on('exit', (code) => reject(new Error(`the demo server exited (${code}): ${errors}`)));
  });
  context = await launchChromium();
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.kill();
});

describe.skipIf(!runs)('the browser demo', () => {
  for (const backend of (process.env.DEMO_BACKENDS ?? 'wasm,webgl,webgpu').split(',')) {
    it(`${backend}: trains the autoencoder on MNIST to the end of its first epoch and shows a score`, async () => {
      const page = await context!.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${url}?backend=${backend}&limit=500&epochs=1`);
      await page.waitForFunction(() => {
        const state = (globalThis as unknown as { demoState?: { finished: boolean; phase: string } }).demoState;
        return state !== undefined && (state.finished || state.phase === 'error');
      }, undefined, { timeout: 150_000 });
      const state = (await page.evaluate(() => (globalThis as unknown as { demoState: unknown }).demoState)) as {
        phase: string; error?: string; backend: string; threads?: number; crossOriginIsolated: boolean; epochsDone: number; losses: number[]; accuracy: number; nmi: number; firstEpochSeconds: number; longTasks: Array<{ ms: number; during: string }>;
      };
      expect(state.error).toBeUndefined();
      expect(pageErrors).toEqual([]);
      console.log(
        `demo on ${backend}${state.threads !== undefined ? ` (${state.threads} thread${state.threads === 1 ? '' : 's'})` : ''}: first epoch (500 images) done after ${state.firstEpochSeconds.toFixed(1)} s, accuracy ${(100 * state.accuracy).toFixed(1)} %, NMI ${state.nmi.toFixed(3)}, ` +
          `main-thread tasks over 50 ms while training: ${state.longTasks.length === 0 ? 'none' : state.longTasks.map((t) => `${t.ms} ms (${t.during})`).join(', ')}`,
      );
      expect(state.backend).toBe(backend);
      expect(state.epochsDone).toBe(1);
      expect(Number.isFinite(state.losses[0])).toBe(true);
      // Ten clusters of MNIST digits from a barely trained autoencoder: far above chance (10 %).
      expect(state.accuracy).toBeGreaterThan(0.2);
      expect(state.nmi).toBeGreaterThan(0.1);
      expect(await page.textContent('#scores')).toMatch(/^final: clustering accuracy \d+\.\d %, NMI 0\.\d{3}$/);
      expect(await page.textContent('#backend')).toContain(`backend: ${backend}`);
      // The page stays responsive while training (it runs in a Web Worker): no main-thread task of 200 ms or more.
      expect(Math.max(0, ...state.longTasks.map((t) => t.ms))).toBeLessThan(200);
      // The server sends COOP/COEP: the page is cross-origin isolated, so wasm runs a thread per core (at most 8).
      expect(state.crossOriginIsolated).toBe(true);
      if (backend === 'wasm') {
        const cores = await page.evaluate(() => (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency);
        expect(state.threads).toBe(Math.min(8, cores));
        expect(await page.textContent('#backend')).toContain(`backend: wasm (cpu, ${state.threads} thread`);
        // Save to IndexedDB and load back: the same scores.
        await page.click('#save');
        await expect.poll(() => page.textContent('#saved'), { timeout: 20_000 }).toMatch(/^saved to indexeddb:\/\/|failed/);
        await page.click('#load');
        await expect.poll(() => page.textContent('#saved'), { timeout: 20_000 }).toMatch(/^loaded from indexeddb:\/\/tfjs-unsupervised-demo-autoencoder \(1 epochs\)|failed/);
        console.log(`demo: ${await page.textContent('#saved')}`);
        const loaded = (await page.evaluate(() => (globalThis as unknown as { demoState: { loadedScores?: { accuracy: number; nmi: number } } }).demoState.loadedScores)) ?? null;
        expect(loaded).toEqual({ accuracy: state.accuracy, nmi: state.nmi });
        mkdirSync(path.join(root, 'test', 'browser', '.artifacts'), { recursive: true });
        await page.screenshot({ path: path.join(root, 'test', 'browser', '.artifacts', 'demo.png'), fullPage: true });
      }
      await page.close();
    }, 160_000);
  }

  it('wasm with ?threads=1: one thread, without a fallback message, the same first-epoch loss as with threads', async () => {
    const page = await context!.newPage();
    const scores: Array<{ threads: number; loss: number; seconds: number }> = [];
    for (const threads of [1, 2]) {
      await page.goto(`${url}?backend=wasm&limit=500&epochs=1&threads=${threads}`);
      await page.waitForFunction(() => {
        const state = (globalThis as unknown as { demoState?: { finished: boolean; phase: string } }).demoState;
        return state !== undefined && (state.finished || state.phase === 'error');
      }, undefined, { timeout: 150_000 });
      const state = (await page.evaluate(() => (globalThis as unknown as { demoState: unknown }).demoState)) as { error?: string; threads: number; losses: number[]; firstEpochSeconds: number };
      expect(state.error).toBeUndefined();
      expect(state.threads).toBe(threads);
      expect(await page.textContent('#backend')).toBe(`backend: wasm (cpu, ${threads} thread${threads === 1 ? '' : 's'}, in a Web Worker)`);
      scores.push({ threads, loss: state.losses[0], seconds: state.firstEpochSeconds });
    }
    console.log(`demo on wasm, first epoch (500 images): ${scores.map((s) => `${s.threads} thread(s) ${s.seconds.toFixed(2)} s, loss ${s.loss}`).join('; ')}`);
    expect(Math.abs(scores[0].loss - scores[1].loss)).toBeLessThanOrEqual(1e-4 * Math.abs(scores[1].loss));
    await page.close();
  }, 320_000);

  it('iic (?method=iic): trains one epoch in the worker with a finite loss and a score, the page responsive', async () => {
    const page = await context!.newPage();
    await page.goto(`${url}?backend=wasm&limit=300&epochs=1&method=iic`);
    await page.waitForFunction(() => {
      const state = (globalThis as unknown as { demoState?: { finished: boolean; phase: string } }).demoState;
      return state !== undefined && (state.finished || state.phase === 'error');
    }, undefined, { timeout: 150_000 });
    const state = (await page.evaluate(() => (globalThis as unknown as { demoState: unknown }).demoState)) as { error?: string; losses: number[]; nmi: number; longTasks: Array<{ ms: number }>; firstEpochSeconds: number };
    expect(state.error).toBeUndefined();
    console.log(`demo iic on wasm: first epoch (300 images) after ${state.firstEpochSeconds.toFixed(1)} s, loss ${state.losses[0]}, NMI ${state.nmi.toFixed(3)}`);
    expect(Number.isFinite(state.losses[0])).toBe(true);
    expect(state.nmi).toBeGreaterThanOrEqual(0);
    expect(Math.max(0, ...state.longTasks.map((t) => t.ms))).toBeLessThan(200);
    await page.close();
  }, 160_000);
});
